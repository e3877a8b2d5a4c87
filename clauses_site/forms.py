"""Form helpers shared by every app's screens.

- BootstrapFormMixin / BootstrapForm / BootstrapModelForm: Bootstrap classes on every widget
  (form-control, form-select, form-check-input), `is-invalid` on fields with errors, decimal fields
  localised (a decimal comma is accepted: « 151,67 », « 1 000 000,50 »; a point too), dates as
  <input type="date">.
- PercentField: a rate kept as a fraction in code (0.05) and typed as a percentage (5 or 5,5).
- AutocompleteSelect(kind): a plain <select> holding only the current value (works without
  JavaScript), enhanced by static/js/autocomplete.js (Tom Select) with the JSON endpoint
  `autocomplete` (clauses_site/autocomplete.py).

Render a form with `{% include "includes/form_fields.html" %}` (all fields) or
`{% include "includes/form_field.html" with field=form.name %}` (one field), and put `{{ form.media }}`
in the page (the base form page, templates/includes/form_page.html, does it).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.widgets import Input
from django.urls import reverse
from django.utils.formats import number_format

from clauses_site import formatting, roles

DATE_WIDGET_FORMAT = "%Y-%m-%d"  # what <input type="date"> reads and sends

CONTROL_WIDGETS = forms.Textarea | forms.ClearableFileInput


class DateInput(forms.DateInput):
    """<input type="date">; the browser shows it in French, Django reads its ISO value."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or DATE_WIDGET_FORMAT)


class MonthInput(forms.DateInput):
    """<input type="month"> (value AAAA-MM); pair it with MonthField."""

    input_type = "month"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m")


class MonthField(forms.DateField):
    """A month, typed as AAAA-MM (input type=month), MM/AAAA or any date; cleaned to its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]
    default_error_messages = {"invalid": "Saisissez un mois valide (MM/AAAA)."}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _add_class(widget, css):
    existing = widget.attrs.get("class", "")
    if css not in existing.split():
        widget.attrs["class"] = f"{existing} {css}".strip()


def style_field(field):
    """Give a form field's widget its Bootstrap class and French-friendly input behaviour."""
    widget = field.widget
    if isinstance(field, forms.DecimalField) and not isinstance(field, PercentField):
        field.localize = True
        field.widget.is_localized = True
    if isinstance(field, forms.DecimalField | forms.FloatField):
        if type(widget) is forms.NumberInput:  # a localised number is text (« 1 234,5 »)
            widget = field.widget = forms.TextInput(attrs=widget.attrs)
            if isinstance(field, forms.DecimalField) and field.localize:
                widget.is_localized = True
        widget.attrs.setdefault("inputmode", "decimal")
        widget.attrs.setdefault("autocomplete", "off")
    is_plain_date = isinstance(field, forms.DateField) and not isinstance(field, MonthField)
    if is_plain_date and type(widget) in (forms.DateInput, forms.TextInput):
        widget = field.widget = DateInput(attrs=widget.attrs)
    if isinstance(widget, forms.MultiWidget):
        for sub in widget.widgets:
            _add_class(sub, "form-select" if isinstance(sub, forms.Select) else "form-control")
    elif isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        _add_class(widget, "form-check-input")
    elif isinstance(widget, forms.Select):  # Select, SelectMultiple, NullBooleanSelect, AutocompleteSelect
        _add_class(widget, "form-select")
    elif isinstance(widget, CONTROL_WIDGETS | Input) and not isinstance(widget, forms.HiddenInput):
        _add_class(widget, "form-control")


class BootstrapFormMixin:
    """Mix into a Form or ModelForm (first in the bases). `aria_labels = True` for forms shown as
    table rows without visible labels (inline formsets): each input is then named by its label."""

    aria_labels = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_field(field)
            if self.aria_labels and field.label:
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                _add_class(self.fields[name].widget, "is-invalid")

    @property
    def error_count(self):
        """Number of fields with errors, for the summary above the form."""
        if not self.is_bound:
            return 0
        return len([name for name in self.errors if name != forms.forms.NON_FIELD_ERRORS])


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass


class PercentField(forms.DecimalField):
    """A rate stored as a fraction (Decimal('0.05')) and typed as a percentage (« 5 » or « 5,5 »)."""

    def __init__(self, *, max_digits=5, decimal_places=2, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("localize", True)
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            percent = (Decimal(str(value)) * 100).normalize()
            if percent == percent.to_integral():
                percent = percent.quantize(Decimal(1))
            return number_format(percent, use_l10n=True)
        return value

    def clean(self, value):
        percent = super().clean(value)
        if percent is None:
            return None
        try:
            return (percent / Decimal(100)).quantize(Decimal("0.000001")).normalize()
        except InvalidOperation as exc:  # pragma: no cover - guarded by max_digits
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        return attrs


class AutocompleteSelect(forms.Select):
    """A <select> for picking one record among thousands: it only ever renders the current value
    (no full list), and static/js/autocomplete.js turns it into a search box fed by
    /recherche/autocompletion/<kind>/?q=…. Without JavaScript the current value stays selectable."""

    template_name = "django/forms/widgets/select.html"

    def __init__(self, kind, attrs=None, placeholder="Tapez pour rechercher…"):
        super().__init__(attrs)
        self.kind = kind
        self.placeholder = placeholder

    class Media:
        css = {"all": ["vendor/tom-select-2.6.2/css/tom-select.bootstrap5.min.css"]}
        js = ["vendor/tom-select-2.6.2/js/tom-select.complete.min.js", "js/autocomplete.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-autocomplete-url"] = reverse("autocomplete", kwargs={"kind": self.kind})
        widget_attrs["data-placeholder"] = self.placeholder
        return context

    def optgroups(self, name, value, attrs=None):
        """Only the empty choice and the selected value(s): never iterate a queryset of thousands."""
        selected = {str(v) for v in value if v not in (None, "")}
        options = []
        choices = self.choices
        queryset = getattr(choices, "queryset", None)
        if queryset is not None:  # a ModelChoiceField: fetch the labels of the selected rows only
            field = choices.field
            if field.empty_label is not None:
                options.append(("", field.empty_label))
            if selected:
                key = field.to_field_name or "pk"
                try:
                    rows = list(queryset.filter(**{f"{key}__in": selected}))
                except (ValueError, TypeError):
                    rows = []
                options.extend((str(getattr(r, key)), field.label_from_instance(r)) for r in rows)
        else:
            options = [(v, label) for v, label in choices if v in ("", None) or str(v) in selected]
        groups = []
        for index, (option_value, label) in enumerate(options):
            option_value = "" if option_value is None else option_value
            groups.append(
                (
                    None,
                    [
                        self.create_option(
                            name, option_value, label, str(option_value) in selected, index, attrs=attrs
                        )
                    ],
                    index,
                )
            )
        return groups


class TeamMemberChoiceField(forms.ModelChoiceField):
    """A colleague, named as the team reads them (« Sophie Deschodt »); by default any of the team."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=roles.team_members() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj):
        return formatting.person_name(obj)


class RowForm(BootstrapModelForm):
    """A form shown as one row of a table (inline formsets): each input is named by its label."""

    aria_labels = True


def row_formset(parent_model, model, fields, legend, extra=2):
    """The inline formset of a record's rows (a company's or a buyer's contacts…): one table row each,
    `extra` empty rows, rows deletable, and the legend the form page shows above them."""
    formset = forms.inlineformset_factory(
        parent_model, model, form=RowForm, fields=fields, extra=extra, can_delete=True
    )
    formset.legend = legend
    return formset
