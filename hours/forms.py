"""Forms of hours' screens: the monthly grid (one field per editable cell), its chooser and its
"add a person" form; entries and assignments."""

import json
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from clauses_site.forms import (
    AutocompleteSelect,
    BootstrapForm,
    BootstrapModelForm,
    DateInput,
    MonthField,
    style_field,
)
from clauses_site.months import first_of_month, last_of_month, month_label
from companies.models import Company
from hours import grid
from hours.models import ASSIGNMENT_FIELDS, SAME_ASSIGNMENT, Assignment, HoursEntry
from markets.models import Lot
from participants.models import Participant


class QuickInput:
    """An <input> rendered without the template engine (a grid has four inputs a row, thousands on a big
    lot: rendering them by template took most of the page's time), as Django's input.html renders it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
        html = [f'<input type="{kind}" name="{name}"']
        if widget["value"] is not None:
            html.append(f' value="{conditional_escape(widget["value"])}"')
        for key, setting in widget["attrs"].items():
            if setting is True:
                html.append(f" {conditional_escape(key)}")
            elif setting is not False:
                html.append(f' {conditional_escape(key)}="{conditional_escape(setting)}"')
        return mark_safe("".join(html) + ">")


class HoursCellInput(QuickInput, forms.TextInput):
    """A grid cell: text (so that « 151,67 » is accepted as typed), decimal keypad on mobiles."""

    def __init__(self, attrs=None):
        base = {
            "class": "form-control form-control-sm num grid-cell",
            "inputmode": "decimal",
            "autocomplete": "off",
            "spellcheck": "false",
            "size": "6",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value  # as typed (re-displayed on error)
        return grid.format_hours(value)


class HoursCellField(forms.Field):
    widget = HoursCellInput

    def to_python(self, value):
        return grid.parse_hours(value)


class OriginalCellInput(QuickInput, forms.HiddenInput):
    """The value a cell was rendered with (« 151,67 », empty), posted back to tell what the user changed."""

    def format_value(self, value):
        if value is None or value == "":
            return ""
        return value if isinstance(value, str) else grid.format_hours(value)


def cell_name(kind, row):
    """h12 / t12: hours worked / training hours of assignment 12; oh12 / ot12: the values they were
    rendered with."""
    return f"{kind}{row.key}"


CELLS_FIELD = "cellules"
_CELL_NAME = re.compile(r"o?[ht][0-9]+")
UNREADABLE_CELLS = (
    "Grille illisible : les cellules envoyées ne sont pas au format attendu. Rechargez la page de la grille, "
    "puis saisissez à nouveau."
)


def posted_cells(post):
    """A grid's POST as a dict, its cells as fields (h12, oh12…), as a browser without JavaScript posts them.

    The page's JavaScript (static/js/grid.js) sends them in one field instead, « cellules »: a JSON object
    {cell name: value as typed} holding the values every row was rendered with and the cells changed
    (a cell left out is unchanged), so that a grid of 1 100 rows is a handful of fields, not 4 400
    (DATA_UPLOAD_MAX_NUMBER_FIELDS). Raises BadRequest (400) when that field is not such an object."""
    data = {name: post.get(name) for name in post if name != CELLS_FIELD}  # a dict: no deep copy
    if CELLS_FIELD not in post:
        return data
    try:
        cells = json.loads(post[CELLS_FIELD])
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        cells = None
    if not isinstance(cells, dict) or not all(
        _CELL_NAME.fullmatch(name) and isinstance(value, str) for name, value in cells.items()
    ):
        raise BadRequest(UNREADABLE_CELLS)
    data.update(cells)
    return data


def _lenient(value):
    """A posted cell without a field (row validated meanwhile, or gone): its value, or the text as posted
    when it is not a number (still different from any number: a change)."""
    try:
        return grid.parse_hours(value)
    except ValidationError:
        return str(value)


def _cell(initial, label, widget_class, attrs=None):
    """A cell's field; its widget made from its class (a widget instance is deep-copied by the field:
    thousands of copies for a big grid)."""
    field = HoursCellField(required=False, initial=initial, label=label, widget=widget_class)
    field.widget.attrs.update(attrs or {})
    return field


class GridForm(forms.Form):
    """One hours field and one training field per editable row (validated rows have none), each with a hidden
    field holding the value the page was rendered with.

    A row counts as shown by the page when its hidden originals are posted; the editable rows the POST
    does not have (added meanwhile, re-opened meanwhile) are filled in with the values stored now, as if
    shown unchanged: they are displayed as they are and never written."""

    def __init__(self, rows, data=None, *args, **kwargs):
        self.unshown = set()  # keys of the editable rows the POST did not have
        if data is not None:
            data = data.copy()
            for row in rows:
                if row.editable and cell_name("oh", row) not in data:
                    self.unshown.add(row.key)
                    for column, value in zip(grid.COLUMNS, grid.stored_cells(row.entry), strict=True):
                        data[cell_name(column, row)] = data[cell_name("o" + column, row)] = grid.format_hours(
                            value
                        )
        super().__init__(data, *args, **kwargs)
        self.rows = rows
        for row in rows:
            if not row.editable:
                continue
            person = str(row.assignment.participant)
            hours, training = grid.stored_cells(row.entry)
            for column, value, kind in (("h", hours, "travaillées"), ("t", training, "de formation")):
                self.fields[cell_name(column, row)] = _cell(
                    value,
                    f"{person} — heures {kind}",
                    HoursCellInput,
                    {"aria-label": f"Heures {kind} — {person}", "data-col": column},
                )
            for column, value in (("h", hours), ("t", training)):
                label = f"{person} — valeur affichée ({column})"
                self.fields[cell_name("o" + column, row)] = _cell(value, label, OriginalCellInput)

    def clean(self):
        data = super().clean()
        for row in self.rows:
            if not row.editable:
                continue
            hours, training = data.get(cell_name("h", row)), data.get(cell_name("t", row))
            if hours is not None and training is not None and hours + training > grid.MAX_MONTH_HOURS:
                self.add_error(
                    cell_name("t", row),
                    ValidationError(
                        f"Heures travaillées et de formation : au plus {grid.MAX_MONTH_HOURS} heures "
                        "ensemble dans un mois."
                    ),
                )
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def submitted(self):
        """{assignment pk: (original, typed)} for the rows the page showed (after is_valid()), each a pair
        (hours, training) of Decimals or None; rows validated meanwhile with their values as posted."""
        result = {}
        for row in self.rows:
            if row.key in self.unshown or cell_name("oh", row) not in self.data:
                continue
            original = tuple(self._posted(row, "o" + c) for c in grid.COLUMNS)
            typed = tuple(
                self._posted(row, c) if cell_name(c, row) in self.data else original[i]
                for i, c in enumerate(grid.COLUMNS)
            )
            result[row.key] = (original, typed)
        return result

    def _posted(self, row, kind):
        """A cell's value as posted: cleaned for an editable row, read as it comes for the others."""
        name = cell_name(kind, row)
        return self.cleaned_data.get(name) if row.editable else _lenient(self.data.get(name))

    def gone(self):
        """How many rows the page showed and the user changed are no longer in the grid (their assignment
        deleted, or moved out of the month or the lot): ignored."""
        keys = {str(row.key) for row in self.rows}
        count = 0
        for name in self.data:
            pk = name[2:]
            if not name.startswith("oh") or not pk.isdigit() or pk in keys:
                continue
            pairs = [(self.data.get(f"o{c}{pk}"), self.data.get(f"{c}{pk}")) for c in grid.COLUMNS]
            if any(typed is not None and _lenient(typed) != _lenient(original) for original, typed in pairs):
                count += 1
        return count

    def after_conflicts(self, submitted, conflicts):
        """The form re-displayed after a refused save: every cell the user changed keeps the typed value,
        every other cell shows the value stored now, and every original becomes the value stored now (so
        that saving again the same values overwrites, knowingly). The conflicting cells are marked."""
        data = {}
        for row in self.rows:
            if not row.editable:
                continue
            current = grid.stored_cells(row.entry)
            original, typed = submitted.get(row.key, (current, current))
            for i, column in enumerate(grid.COLUMNS):
                shown = typed[i] if typed[i] != original[i] else current[i]
                data[cell_name(column, row)] = grid.format_hours(shown)
                data[cell_name("o" + column, row)] = grid.format_hours(current[i])
        form = GridForm(self.rows, data)
        form.is_valid()
        for conflict in conflicts:
            if conflict.validated:
                continue
            name = cell_name(conflict.column, conflict.row)
            widget = form.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " grid-conflict border-warning border-2"
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}_conflict"
        return form

    def cells(self, row):
        """The bound fields of a row (hours, training), or (None, None) for a validated row."""
        if not row.editable:
            return None, None
        return self[cell_name("h", row)], self[cell_name("t", row)]

    def originals(self, row):
        """The hidden fields of a row's original values (hours, training), or (None, None)."""
        if not row.editable:
            return None, None
        return self[cell_name("oh", row)], self[cell_name("ot", row)]

    def conflict_list(self):
        """[(anchor id, label, message)] for the summary above a re-displayed grid, in row order."""
        result = []
        for row in self.rows:
            for column in grid.COLUMNS:
                conflict = row.conflicts.get(column)
                if conflict is None:
                    continue
                kind = "heures travaillées" if column == "h" else "heures de formation"
                anchor = f"grid-row-{row.key}" if conflict.validated else self[cell_name(column, row)].auto_id
                result.append((anchor, f"{row.assignment.participant} — {kind}", conflict.message))
        return result

    def error_list(self):
        """[(field id, label, message)] for the summary above the grid, in row order."""
        return [
            (self[name].auto_id, self.fields[name].label, message)
            for name, messages in self.errors.items()
            if name in self.fields
            for message in messages
        ]


# --- choosing the grid, adding a person to it ---------------------------------------------------------------


class GridChooserForm(BootstrapForm):
    """GET form above the grid: a month and a lot or a company (searched as one types)."""

    mois = MonthField(label="Mois")
    lot = forms.ModelChoiceField(
        Lot.objects.select_related("market"),
        required=False,
        label="Lot",
        widget=AutocompleteSelect("lot", placeholder="Référence du marché, intitulé ou n° de lot…"),
    )
    entreprise = forms.ModelChoiceField(
        Company.objects.all(),
        required=False,
        label="ou entreprise",
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].label_from_instance = lambda lot: f"{lot.market.reference} — {lot}"


class QuickParticipantMixin:
    """A person picked among the participants, or created on the spot (name, first name, birth date, sex)."""

    NEW_FIELDS = ("new_last_name", "new_first_name", "new_birth_date", "new_sex")

    def add_person_fields(self):
        self.fields["participant"] = forms.ModelChoiceField(
            Participant.objects.all(),
            required=False,
            label="Personne",
            widget=AutocompleteSelect("participant", placeholder="Nom, prénom…"),
        )
        self.fields["new_last_name"] = forms.CharField(label="Nom", max_length=100, required=False)
        self.fields["new_first_name"] = forms.CharField(label="Prénom", max_length=100, required=False)
        self.fields["new_birth_date"] = forms.DateField(
            label="Date de naissance", required=False, widget=DateInput()
        )
        self.fields["new_sex"] = forms.ChoiceField(
            label="Sexe", choices=[("", "—"), *Participant.Sex.choices], required=False
        )
        for name in ("participant", *self.NEW_FIELDS):
            style_field(self.fields[name])

    def clean_person(self, data):
        """The Participant picked, or a new unsaved one; errors added to the form."""
        picked = data.get("participant")
        typed = {name: data.get(name) for name in self.NEW_FIELDS}
        if picked is not None:
            if any(typed.values()):
                self.add_error(
                    "participant",
                    "Choisissez une personne existante ou créez-en une nouvelle, pas les deux.",
                )
            return picked
        if not any(typed.values()):
            if "participant" not in self.errors:
                self.add_error(
                    "participant",
                    "Choisissez la personne, ou saisissez ci-dessous le nom, le prénom, la date de naissance "
                    "et le sexe d'une nouvelle personne.",
                )
            return None
        labels = {
            "new_last_name": "le nom",
            "new_first_name": "le prénom",
            "new_birth_date": "la date de naissance",
            "new_sex": "le sexe",
        }
        for name, value in typed.items():
            if not value and name not in self.errors:
                self.add_error(name, f"Indiquez {labels[name]} de la nouvelle personne.")
        if not all(typed.values()):
            return None
        person = Participant(
            last_name=typed["new_last_name"].strip(),
            first_name=typed["new_first_name"].strip(),
            birth_date=typed["new_birth_date"],
            sex=typed["new_sex"],
        )
        try:
            person.full_clean()
        except ValidationError as error:
            message = " ".join(error.messages)
            self.add_error("new_last_name", f"{message} Choisissez-la dans la liste « Personne ».")
            return None
        return person


class GridAddForm(QuickParticipantMixin, BootstrapModelForm):
    """A new assignment on the grid's lot (or for the grid's company), active in the grid's month."""

    class Meta:
        model = Assignment
        fields = [
            name for name in ASSIGNMENT_FIELDS if name != "participant"
        ]  # the person: add_person_fields
        widgets = {
            "lot": AutocompleteSelect("lot"),
            "company": AutocompleteSelect("company"),
            "employer": AutocompleteSelect("company"),
        }

    field_order = ["participant", *QuickParticipantMixin.NEW_FIELDS, *Meta.fields]

    def __init__(self, *args, month, lot=None, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.month, self.grid_lot, self.grid_company = month, lot, company
        self.add_person_fields()
        self.order_fields(self.field_order)
        self.fields["employer"].help_text = "Vide : l'entreprise créditée elle-même."
        self.fields["starts_on"].initial = month
        if lot is not None:
            # The lot is the grid's; the company credited is one of its awarded companies when it has any.
            del self.fields["lot"]
            awarded = Company.objects.filter(awards__lot=lot).order_by("name_key")
            awarded_ids = list(awarded.values_list("pk", flat=True))
            if awarded_ids:
                self.fields["company"].queryset = awarded
                self.fields["company"].widget = forms.Select(attrs={"class": "form-select"})
                self.fields["company"].widget.choices = self.fields["company"].choices
                if len(awarded_ids) == 1:
                    self.fields["company"].initial = awarded_ids[0]
        if company is not None:
            del self.fields["company"]
            lots = Lot.objects.filter(Q(awards__company=company) | Q(assignments__company=company))
            self.fields["lot"].queryset = Lot.objects.filter(pk__in=lots.values("pk")).select_related(
                "market"
            )
            self.fields["lot"].widget = forms.Select(attrs={"class": "form-select"})
            self.fields["lot"].widget.choices = self.fields["lot"].choices
            self.fields["lot"].label_from_instance = lambda lot: f"{lot.market.reference} — {lot}"

    def clean(self):
        data = super().clean()
        self.person = self.clean_person(data)
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        month_end = last_of_month(self.month)
        if starts_on and starts_on > month_end:
            self.add_error(
                "starts_on",
                f"Pour figurer dans la grille de {month_label(self.month)}, le contrat doit commencer "
                f"au plus tard le {month_end:%d/%m/%Y}.",
            )
        if ends_on and ends_on < self.month:
            self.add_error(
                "ends_on",
                f"Pour figurer dans la grille de {month_label(self.month)}, le contrat doit finir "
                f"au plus tôt le {self.month:%d/%m/%Y}.",
            )
        return data

    def _post_clean(self):
        if self.grid_lot is not None:
            self.instance.lot = self.grid_lot
        if self.grid_company is not None:
            self.instance.company = self.grid_company
        super()._post_clean()
        person = getattr(self, "person", None)
        if person is not None and person.pk and self.instance.lot_id and self.instance.company_id:
            duplicate = Assignment.objects.filter(
                participant=person,
                lot_id=self.instance.lot_id,
                employer_id=self.instance.employer_id or self.instance.company_id,
                contract_type=self.instance.contract_type,
                starts_on=self.instance.starts_on,
            ).exists()
            if duplicate:
                self.add_error(None, SAME_ASSIGNMENT)

    def save(self, commit=True):
        person = self.person
        self.person_created = person.pk is None
        if self.person_created:
            person.save()
        self.instance.participant = person
        return super().save(commit)


# --- entries and assignments -------------------------------------------------------------------------------


class ReopenForm(BootstrapForm):
    reason = forms.CharField(
        label="Motif de la réouverture",
        max_length=grid.REASON_MAX,
        help_text="Enregistré dans l'historique des heures, avec votre nom et la date.",
        widget=forms.TextInput(attrs={"autofocus": True}),
        error_messages={"required": "Indiquez le motif de la réouverture."},
    )


def assignment_label(a):
    """« DUPONT Élodie — M-2025-001 Lot 2 — CDD du 06/01/2025 au 31/12/2025 »"""
    end = f" au {a.ends_on:%d/%m/%Y}" if a.ends_on else ""
    contract = f"{a.get_contract_type_display()} du {a.starts_on:%d/%m/%Y}{end}"
    return f"{a.participant} — {a.lot.market.reference} {a.lot} — {contract}"


class EntryForm(BootstrapModelForm):
    """One month of hours of one assignment (outside the grid). Validated entries are not editable."""

    month = MonthField(label="Mois")
    hours = HoursCellField(label="Heures travaillées", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    training_hours = HoursCellField(
        label="Heures de formation", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    class Meta:
        model = HoursEntry
        fields = ["assignment", "month", "hours", "training_hours"]
        widgets = {"assignment": AutocompleteSelect("assignment", placeholder="Nom de la personne…")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        field.queryset = Assignment.objects.select_related("participant", "lot__market")
        field.label_from_instance = assignment_label
        for name in ("hours", "training_hours"):
            self.fields[name].widget.attrs["class"] = "form-control num"
        if self.instance.pk:
            field.disabled = True
            self.initial["training_hours"] = self.instance.training_hours or None

    def clean_month(self):
        month = self.cleaned_data.get("month")
        if month is not None:
            grid.check_month_started(month)
        return month

    def clean_hours(self):
        value = self.cleaned_data.get("hours")
        if value is None:
            raise ValidationError("Indiquez les heures travaillées (0 s'il n'y a que de la formation).")
        return value

    def clean_training_hours(self):
        return self.cleaned_data.get("training_hours") or Decimal(0)


class AssignmentForm(BootstrapModelForm):
    class Meta:
        model = Assignment
        fields = [*ASSIGNMENT_FIELDS, "notes"]
        widgets = {
            "participant": AutocompleteSelect("participant", placeholder="Nom, prénom…"),
            "lot": AutocompleteSelect("lot", placeholder="Référence du marché, intitulé ou n° de lot…"),
            "company": AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
            "employer": AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].help_text = "Vide : l'entreprise créditée elle-même (ETTI, AI, GEIQ… sinon)."
        self.fields["lot"].queryset = Lot.objects.select_related("market")
        self.fields["lot"].label_from_instance = lambda lot: f"{lot.market.reference} — {lot}"

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if self.instance.pk and starts_on:
            outside = self.instance.entries.filter(month__lt=first_of_month(starts_on))
            if ends_on:
                outside = self.instance.entries.filter(
                    Q(month__lt=first_of_month(starts_on)) | Q(month__gt=ends_on)
                )
            months = sorted(outside.values_list("month", flat=True))
            if months:
                listed = ", ".join(f"{m:%m/%Y}" for m in months[:6]) + ("…" if len(months) > 6 else "")
                raise ValidationError(
                    f"Des heures sont saisies hors de ces dates ({listed}) : corrigez les dates ou "
                    "supprimez d'abord ces heures."
                )
        # The same person, lot, employer (empty: the company credited), contract and start: refused by the
        # model's identity constraint, with its French message, once clean() has filled the employer.
        return data
