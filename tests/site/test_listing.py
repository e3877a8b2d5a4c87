"""clauses_site/listing.py and the table body of templates/includes/table.html."""

import datetime
import re
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django_tables2 import RequestConfig

from clauses_site.listing import (
    ArchivedFilter,
    BooleanColumn,
    DateColumn,
    HoursColumn,
    ListFilterSet,
    LotFilter,
    PercentColumn,
    PeriodFilter,
    SearchFilter,
)
from hours.models import Assignment
from markets.models import Market
from tests.hours.factories import AssignmentFactory
from tests.markets.factories import LotFactory, MarketFactory

pytestmark = pytest.mark.django_db


class MarketFilter(ListFilterSet):
    q = SearchFilter()
    period = PeriodFilter("starts_on", "ends_on")
    archived = ArchivedFilter()

    class Meta:
        model = Market
        fields = []


def refs(data=None):
    return sorted(MarketFilter(data, queryset=Market.objects.all()).qs.values_list("reference", flat=True))


def test_filters_apply_on_the_first_visit_too():
    MarketFactory(reference="LIVE")
    MarketFactory(reference="OLD", archived=True)
    assert refs() == ["LIVE"]  # no query string: archived rows hidden
    assert refs({"archived": "on"}) == ["LIVE", "OLD"]


def test_search_ignores_case_accents_and_word_order():
    MarketFactory(reference="A", title="Réhabilitation de l'école Élodie Vasseur")
    MarketFactory(reference="B", title="Voirie")
    assert refs({"q": "ELODIE ecole"}) == ["A"]
    assert refs({"q": "  "}) == ["A", "B"]


def test_period_overlap():
    MarketFactory(reference="2025", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31))
    MarketFactory(reference="OPEN", starts_on=datetime.date(2026, 3, 1), ends_on=None)
    MarketFactory(reference="UNDATED", starts_on=None, ends_on=None)
    assert refs({"period_du": "2025-12-01", "period_au": "2026-01-31"}) == ["2025"]
    assert refs({"period_du": "2027-01-01"}) == ["OPEN"]
    assert refs({"period_au": "2025-06-30"}) == ["2025"]
    assert refs({}) == ["2025", "OPEN", "UNDATED"]
    form = MarketFilter(
        {"period_du": "2026-01-01", "period_au": "2025-01-01"}, queryset=Market.objects.all()
    ).form
    assert not form.is_valid() and form.errors["period"] == ["La fin précède le début."]


class AssignmentLotFilter(ListFilterSet):
    lot = LotFilter()

    class Meta:
        model = Assignment
        fields = []


def test_lot_filter_reads_the_lot_kind_of_the_autocompletion():
    """The lot filter knows no model: its records and labels are those of the autocompletion's « lot »
    kind (registered by reporting), an archived market's lot included."""
    lot = LotFactory(market__reference="CUD-2025-014", market__archived=True, number="2", title="Voirie")
    mine = AssignmentFactory(lot=lot)
    AssignmentFactory()
    chosen = AssignmentLotFilter({"lot": str(lot.pk)}, queryset=Assignment.objects.all())
    assert list(chosen.qs) == [mine]
    field = chosen.form.fields["lot"]
    assert field.label == "Lot"
    assert field.label_from_instance(lot) == "CUD-2025-014 — Lot 2 — Voirie"
    assert field.widget.kind == "lot" and field.widget.placeholder == "Marché ou lot…"


class SampleTable(tables.Table):
    reference = tables.Column("Réf.", linkify=("markets:market_detail", {"pk": tables.A("pk")}))
    title = tables.Column("Intitulé")
    stage = tables.Column("Étape")
    starts_on = DateColumn("Début")
    estimated_hours = HoursColumn("Heures")
    rate = PercentColumn("Taux", accessor="estimated_amount")
    archived = BooleanColumn("Archivé")
    created_at = tables.Column("Créé", attrs={"td": {"data-id": lambda record: record.pk}})

    class Meta:
        model = Market
        fields = [
            "reference",
            "title",
            "stage",
            "starts_on",
            "estimated_hours",
            "rate",
            "archived",
            "created_at",
        ]
        row_attrs = {"data-ref": lambda record: record.reference}


def tbody(template):
    request = RequestFactory().get("/")
    table = SampleTable(Market.objects.order_by("reference"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    html = render_to_string(template, {"table": table, "request": request})
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", body)).strip()


def test_fast_table_body_renders_the_same_cells_as_the_library():
    MarketFactory(
        reference="A<1>",
        title="Ça & là",
        estimated_hours=Decimal("1234.5"),
        estimated_amount=Decimal("0.8333"),
    )
    MarketFactory(reference="B", title="Voirie", starts_on=None, archived=True)
    ours = tbody("includes/table.html")
    library = tbody("django_tables2/bootstrap5-responsive.html")
    assert ours == library
    assert "1 234,50" in ours and "83,0 %" in ours and "A&lt;1&gt;" in ours and "Ça &amp; là" in ours
    assert "01/01/2025" in ours and 'data-ref="B"' in ours and "En exécution" in ours


def test_cached_signature_rows_render_the_library_cells_reading_each_signature_once(monkeypatch):
    """FilteredListView's rows (CachedSignatureRows) read a render function's signature once per function,
    not once per cell, and render the same cells; django-tables2 itself is left unpatched."""
    from django_tables2 import utils as tables_utils

    from clauses_site import listing

    assert tables_utils.signature.__module__ == "django_tables2.utils"
    for n in range(3):
        MarketFactory(reference=f"M{n}", estimated_hours=Decimal(n), estimated_amount=Decimal("0.5"))
    library = tbody("includes/table.html")
    read = []
    original = tables_utils.signature
    monkeypatch.setattr(tables_utils, "signature", lambda fn: read.append(fn) or original(fn))
    monkeypatch.setattr(listing, "_signatures", {})
    request = RequestFactory().get("/")
    table = SampleTable(Market.objects.order_by("reference"))
    table.rows = listing.CachedSignatureRows(data=table.data, table=table, pinned_data=table.pinned_data)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    html = render_to_string("includes/table.html", {"table": table, "request": request})
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    assert re.sub(r">\s+<", "><", re.sub(r"\s+", " ", body)).strip() == library
    cells = [fn for fn in read if getattr(fn, "__name__", "") == "render"]
    assert cells and len(cells) == len({(fn.__func__, fn.__self__.__class__) for fn in cells})
    assert len(cells) < 3 * len(SampleTable.base_columns)


def test_empty_table_shows_its_empty_text():
    assert "Aucun" not in tbody("includes/table.html")
    SampleTable._meta.empty_text = "Aucun marché."
    try:
        assert tbody("includes/table.html") == tbody("django_tables2/bootstrap5-responsive.html")
        assert "Aucun marché." in tbody("includes/table.html")
    finally:
        SampleTable._meta.empty_text = None
