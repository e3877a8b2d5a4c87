"""Forms of hours' screens: the monthly grid (one field per editable cell), its chooser and its
"add a person" form; entries and assignments."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

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
from hours.grid_cells import (  # noqa: F401 (the grid's cells, shared with spaces: hours/grid_cells.py)
    CELLS_FIELD,
    UNREADABLE_CELLS,
    GridForm,
    HoursCellField,
    HoursCellInput,
    OriginalCellInput,
    QuickInput,
    cell_name,
    posted_cells,
)
from hours.models import ASSIGNMENT_FIELDS, SAME_ASSIGNMENT, Assignment, HoursEntry
from markets.models import Lot
from participants.models import Participant

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
