"""Lists: a django-tables2 table filtered by a django-filter FilterSet, filters in the URL (GET, so a
filtered list can be bookmarked), 50 rows a page, sortable columns, French number formats, and
« Exporter (xlsx) » exporting exactly the filtered rows (?export=xlsx) with declared columns.

    class MarketFilter(ListFilterSet):
        q = SearchFilter()                                   # Model.objects.search(): accents ignored
        period = PeriodFilter("starts_on", "ends_on", label="Période d'exécution")
        class Meta:
            model = Market
            fields = ["buyer", "stage"]

    class MarketTable(tables.Table):
        hours_done = HoursColumn("Heures réalisées")
        ...

    class MarketList(FilteredListView):
        permission = roles.can_edit             # any predicate of clauses_site/roles.py; 403 otherwise
        title = "Marchés"
        filterset_class = MarketFilter
        table_class = MarketTable
        export_filename = "marches.xlsx"
        export_columns = [Column("Référence", attrgetter("reference")), ...]   # clauses_site.exports
        create_url_name = "markets:market_create"                             # button shown to editors
        def get_queryset(self): return markets_with_hours(Market.objects.select_related("buyer"))

Template: templates/includes/list_page.html (blocks `list_intro`, `list_actions`, `below_table`).
"""

import html

import django_filters
import django_tables2 as tables
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2 import utils as tables_utils
from django_tables2.rows import BoundRow, BoundRows

from clauses_site import autocomplete, formatting, roles
from clauses_site.autocomplete import any_role
from clauses_site.editing import RoleRequiredMixin
from clauses_site.exports import xlsx_response
from clauses_site.forms import AutocompleteSelect, BootstrapForm, DateInput

PER_PAGE = 50


# --- rows whose cells read their render functions' signatures once ------------------------------------
# django-tables2 calls a column's render (and value) function with the arguments it declares, read by
# inspect.signature for every cell (utils.call_with_appropriate): a third of a list page's time. The
# signature only depends on the function and on whether it is bound: these rows read it once per
# function. FilteredListView's tables spawn them (django-tables2's own BoundRow/BoundRows, subclassed).

_signatures = {}


def _signature(fn):
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable: not cached
        return tables_utils.signature(fn)
    if len(_signatures) > 5000:  # functions made on the fly: keep the cache bounded
        _signatures.clear()
    _signatures[key] = result = tables_utils.signature(fn)
    return result


def call_with_declared(fn, kwargs):
    """utils.call_with_appropriate with the signature read once: fn(**the kwargs it declares), None when
    it declares one that kwargs lacks; every kwarg when it takes **kwargs."""
    args, catch_all = _signature(fn)
    if not catch_all:
        if any(arg not in kwargs for arg in args):
            return None
        kwargs = {key: kwargs[key] for key in args}
    return fn(**kwargs)


class CachedSignatureRow(BoundRow):
    def _call_render(self, bound_column, value=None):
        kwargs = self._optional_cell_arguments(bound_column, value)
        content = call_with_declared(bound_column.render, kwargs)
        return bound_column.link(content, **kwargs) if bound_column.link else content

    def _call_value(self, bound_column, value=None):
        return call_with_declared(bound_column.value, self._optional_cell_arguments(bound_column, value))


class CachedSignatureRows(BoundRows):
    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield CachedSignatureRow(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return CachedSignatureRows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return CachedSignatureRow(record=self.data[key], table=self.table)


# --- filters ------------------------------------------------------------------------------------------


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose form has Bootstrap classes (clauses_site.forms.BootstrapForm). Always bound
    (an empty query string is « no filter chosen »), so that defaults such as hiding archived rows
    apply on the first visit too."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)

    def get_form_class(self):
        form_class = super().get_form_class()
        if issubclass(form_class, BootstrapForm):
            return form_class
        return type(form_class.__name__, (BootstrapForm, form_class), {})


class SearchFilter(django_filters.CharFilter):
    """Free text through the model's QuerySet.search(): case and accents ignored (normalised
    `search_text` columns), the same on SQLite and PostgreSQL. For a model without search(), pass
    `search=lambda queryset, text: …` (e.g. through a related model's search())."""

    def __init__(self, *args, placeholder="Nom, référence…", search=None, **kwargs):
        kwargs.setdefault("label", "Recherche")
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search", "placeholder": placeholder}))
        super().__init__(*args, **kwargs)
        self.search = search

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        return self.search(qs, value) if self.search else qs.search(value)


class PeriodWidget(forms.MultiWidget):
    """Two <input type="date">: NAME_du and NAME_au in the URL."""

    template_name = "clauses_site/widgets/period.html"  # app templates: the form renderer reads them

    def __init__(self, attrs=None):
        super().__init__(
            {"du": DateInput(attrs={"aria-label": "du"}), "au": DateInput(attrs={"aria-label": "au"})}, attrs
        )

    def decompress(self, value):
        return list(value) if value else [None, None]


class PeriodField(forms.MultiValueField):
    widget = PeriodWidget
    default_error_messages = {"invalid": "Saisissez des dates valides.", "order": "La fin précède le début."}

    def __init__(self, *args, **kwargs):
        fields = (forms.DateField(required=False), forms.DateField(required=False))
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, *args, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        start, end = data_list
        if start and end and end < start:
            raise forms.ValidationError(self.error_messages["order"], code="order")
        return (start, end)


class PeriodFilter(django_filters.Filter):
    """Rows whose period [start_field, end_field] overlaps the chosen [du, au]; an empty end means
    « still running ». Rows without a start date match only when include_undated is true."""

    field_class = PeriodField

    def __init__(self, start_field, end_field, *args, include_undated=False, **kwargs):
        kwargs.setdefault("label", "Période")
        super().__init__(*args, field_name=start_field, **kwargs)
        self.start_field = start_field
        self.end_field = end_field
        self.include_undated = include_undated

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = value
        s, e = self.start_field, self.end_field
        if end:
            undated = Q(**{f"{s}__isnull": True}) if self.include_undated else Q(pk__in=[])
            qs = qs.filter(Q(**{f"{s}__lte": end}) | undated)
        if start:
            qs = qs.filter(Q(**{f"{e}__isnull": True}) | Q(**{f"{e}__gte": start}))
        if not self.include_undated:
            qs = qs.filter(**{f"{s}__isnull": False})
        return qs


class DateBetweenFilter(django_filters.Filter):
    """Rows whose date field lies in [du, au] (either end may be empty): NAME_du and NAME_au in the URL.
    With whole_months, the field holds months (first days) and « du » may be any day of its month."""

    field_class = PeriodField

    def __init__(self, *args, whole_months=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole_months = whole_months

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = value
        if start:
            start = start.replace(day=1) if self.whole_months else start
            qs = qs.filter(**{f"{self.field_name}__gte": start})
        if end:
            qs = qs.filter(**{f"{self.field_name}__lte": end})
        return qs


class AutocompleteFilter(django_filters.ModelChoiceFilter):
    """A record picked by autocompletion (a kind of clauses_site/autocomplete.py, registered by the app
    that knows it): its records and its label are the kind's, looked up when the filter is used."""

    def __init__(self, kind, *args, placeholder="Tapez pour rechercher…", **kwargs):
        kwargs.setdefault("widget", AutocompleteSelect(kind, placeholder=placeholder))
        super().__init__(*args, **kwargs)
        self.kind = kind

    def get_queryset(self, request):
        if self.queryset is None:
            return autocomplete.registered(self.kind).records()
        return super().get_queryset(request)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = autocomplete.registered(self.kind).text
        return field


class LotFilter(AutocompleteFilter):
    """A lot, picked by autocompletion, labelled with its market's reference."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Lot")
        super().__init__("lot", *args, placeholder="Marché ou lot…", **kwargs)


class ArchivedFilter(django_filters.BooleanFilter):
    """Archived rows are hidden unless « Afficher les archivés » is ticked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Afficher les archivés")
        kwargs.setdefault("widget", forms.CheckboxInput)
        kwargs.setdefault("field_name", "archived")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs if value else qs.filter(**{self.field_name: False})


# --- columns ------------------------------------------------------------------------------------------

NUM_ATTRS = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}


class HoursColumn(tables.Column):
    """1 234,50 (hours; right-aligned)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return formatting.hours(value)

    def value(self, value):
        return value


class MoneyColumn(HoursColumn):
    def render(self, value):
        return f"{formatting.money(value)}\xa0€"


class IntegerColumn(HoursColumn):
    def render(self, value):
        return formatting.integer(value)


class PercentColumn(HoursColumn):
    """A fraction shown as a percentage: 0.8333 → 83,3 %."""

    def render(self, value):
        return formatting.percent(value)


class DateColumn(tables.DateColumn):
    """26/11/2026. DateColumn("Début") — the verbose name comes first, as for every column here."""

    def __init__(self, verbose_name=None, *args, format="d/m/Y", **kwargs):
        super().__init__(format, *args, verbose_name=verbose_name, **kwargs)


class BooleanColumn(tables.BooleanColumn):
    """« oui » / « — »; BooleanColumn("ESS")."""

    def __init__(self, verbose_name=None, *args, yesno=("oui", "—"), **kwargs):
        super().__init__(*args, verbose_name=verbose_name, yesno=yesno, **kwargs)


# --- long text: one line, cut with « … », the whole text as a tooltip ------------------------------------

#: Columns (by name, the same across the project's tables) that hold long text: titles, names of
#: organisations, lots. FilteredListView keeps them on one line, cut at a maximum width (CSS .cell-long),
#: so that rows stay one line high and a list fits a 1366 px screen without scrolling sideways.
LONG_TEXT_COLUMNS = ("title", "name", "buyer", "lot", "company", "employer")

#: Columns (by name) holding short codes that must not break at their hyphens (CUD-2025-001): one line.
NOWRAP_COLUMNS = ("reference", "market", "siret", "month")

#: A cell's text longer than this gets a tooltip (title) with the whole text: it may be cut.
TOOLTIP_FROM = 24


def _whole_text(value, record, bound_column):
    """The tooltip of a long-text cell: the longer of the rendered text (tags removed) and the raw text
    (a render_* method may shorten it); None when short (nothing is cut)."""
    texts = [html.unescape(strip_tags(str(value)))]
    raw = bound_column.accessor.resolve(record, quiet=True)
    if isinstance(raw, str):
        texts.append(raw)
    text = " ".join(max(texts, key=len).split())
    return text if len(text) > TOOLTIP_FROM else None


def fit_long_text(table, names=LONG_TEXT_COLUMNS, nowrap=NOWRAP_COLUMNS):
    """Mark the table's long-text columns (class cell-long on their cells, the whole text as a tooltip)
    and keep its short codes on one line (text-nowrap). Numbers and cells already kept whole are left
    alone. The table's columns are its own copies (django-tables2 copies them per table): the table
    classes are not changed."""
    for bound in table.columns:
        column = bound.column
        if isinstance(column, (tables.CheckBoxColumn, tables.TemplateColumn)):
            continue
        td = dict(column.attrs.get("td", {}))
        css = td.get("class", "")
        if callable(css) or {"num", "text-nowrap"} & set(css.split()):
            continue
        if bound.name in names:
            td["class"] = f"{css} cell-long".strip()
            td.setdefault("title", _whole_text)
        elif bound.name in nowrap:
            td["class"] = f"{css} text-nowrap".strip()
        else:
            continue
        column.attrs = {**column.attrs, "td": td}
    return table


# --- a paginator that counts at most so many rows -----------------------------------------------------


class CappedCountPaginator(Paginator):
    """Django's paginator over a table's rows, whose count stops at `count_limit` rows: COUNT(*) over a
    subquery with LIMIT count_limit + 1, so that a list of 2,5 million entries counts 10 001 rows (index
    only) instead of scanning the table. Beyond the limit, `capped` is true and the pages stop at the
    limit (« plus de 10 000 résultats »: filter to see the others)."""

    count_limit = 10_000

    def __init__(self, *args, count_limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if count_limit is not None:
            self.count_limit = count_limit
        self.capped = False

    @cached_property
    def count(self):
        queryset = getattr(getattr(self.object_list, "data", None), "data", None)  # BoundRows → queryset
        if not isinstance(queryset, QuerySet):
            return super().count
        counted = queryset.order_by()[: self.count_limit + 1].count()
        self.capped = counted > self.count_limit
        return min(counted, self.count_limit)


# --- the view -----------------------------------------------------------------------------------------

EXPORT_SYNC_ROWS = 5000
_background_export = []  # the one starter(view, count) -> response, registered by the jobs app


def export_in_background(starter):
    """Register how a big export is run off the request (jobs.apps registers jobs.exports'): the ground
    floor imports no app, so the app hands its starter in."""
    _background_export[:] = [starter]


class FilteredListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission = staticmethod(any_role)  # any role; set e.g. `permission = roles.sees_people`
    template_name = "includes/list_page.html"
    table_pagination = {"per_page": PER_PAGE}
    strict = True  # invalid filters: no rows (and the errors shown), never unfiltered rows
    title = ""
    intro = ""
    export_columns = ()
    export_filename = "export.xlsx"
    export_sheet = None
    create_url_name = None
    create_label = "Ajouter"
    long_text_columns = LONG_TEXT_COLUMNS  # () to leave every column as it is
    nowrap_columns = NOWRAP_COLUMNS
    #: A number of rows: the list counts at most that many (CappedCountPaginator), for the lists that
    #: may hold millions of rows; None: the exact count.
    count_limit = None
    #: More rows than this and « Exporter (xlsx) » runs as a job (« Mes traitements ») when one is
    #: registered (export_in_background): openpyxl writes ~4 800 rows of 14 columns a second.
    export_sync_rows = EXPORT_SYNC_ROWS

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination is not False and self.count_limit is not None:
            pagination = {**pagination, "paginator_class": CappedCountPaginator}
            pagination["count_limit"] = self.count_limit
        return pagination

    def get_table(self, **kwargs):
        """SingleTableMixin.get_table, its rows CachedSignatureRows, long text fitted."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        table.rows = CachedSignatureRows(data=table.data, table=table, pinned_data=table.pinned_data)
        RequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)
        return fit_long_text(table, self.long_text_columns, self.nowrap_columns)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and self.export_columns:
            return self.export_xlsx()
        return super().get(request, *args, **kwargs)

    def filtered_queryset(self):
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            return self.filterset.qs
        return self.filterset.queryset.none()

    def get_export_queryset(self, queryset):
        """Hook: add what the export columns read (select_related, annotations)."""
        return queryset

    def export_plan(self):
        """(columns, rows, sheet title) of the export: the filtered rows in the sort the user chose; rows
        a queryset (or a list), read by the request or by a background job (jobs/exports.py)."""
        queryset = self.get_export_queryset(self.filtered_queryset())
        table = self.get_table_class()(data=queryset)
        RequestConfig(self.request, paginate=False).configure(table)  # the sort the user chose
        return list(self.export_columns), table.data.data, self.export_sheet or self.title or "Export"

    def export_xlsx(self):
        columns, rows, sheet_title = self.export_plan()
        if _background_export and self.export_sync_rows is not None:
            # Counted up to the limit only, unsorted: a list of millions of rows is neither counted nor
            # sorted by the request.
            limit = self.export_sync_rows + 1
            count = rows.order_by()[:limit].count() if hasattr(rows, "iterator") else len(rows)
            if count > self.export_sync_rows:
                return _background_export[0](self, count)
        if hasattr(rows, "iterator"):
            rows = rows.iterator(chunk_size=2000)
        return xlsx_response(self.export_filename, columns, rows, sheet_title=sheet_title)

    def get_create_url(self):
        if self.create_url_name and roles.can_edit(self.request.user):
            return reverse(self.create_url_name)
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        context["title"] = self.title
        context["intro"] = self.intro
        context["result_count"] = table.paginator.count if table.paginator else len(table.rows)
        context["result_count_capped"] = getattr(table.paginator, "capped", False)
        context["can_export"] = bool(self.export_columns)
        context["create_url"] = self.get_create_url()
        context["create_label"] = self.create_label
        context["filters_active"] = any(
            value for key, value in self.request.GET.items() if key not in ("page", "sort", "export")
        )
        return context
