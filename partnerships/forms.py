"""Forms of the partnerships screens: needs and proposals, hiring from a proposal, trainings and trainees,
journal entries, and the one-select outcome form of the follow-up lists."""

from django import forms
from django.db.models import Q
from django.forms.widgets import SelectMultiple

from clauses_site.forms import AutocompleteSelect, BootstrapForm, BootstrapModelForm
from companies.models import Company
from hours.models import Assignment, ContractType, Modality
from markets.models import Buyer, Lot, Market
from participants.models import Outcome, Participant
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed, Trainee, Training


class AutocompleteSelectMultiple(AutocompleteSelect):
    """AutocompleteSelect for several records (a <select multiple>; Tom Select shows the chosen ones as
    tags). Renders only the selected options, like its parent."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


def lot_label(lot):
    return f"{lot.market.reference} — {lot}"


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot):
        return lot_label(lot)


def _lots():
    return Lot.objects.select_related("market")


# --- needs and proposals ---------------------------------------------------------------------------------


class NeedForm(BootstrapModelForm):
    """A need. Recorded from a meeting (`meeting`), the lot is chosen among the lots of the meeting's
    markets and the company among the meeting's companies and those awarded these lots (plain lists);
    otherwise both are searched (autocompletion)."""

    lot = LotChoiceField(
        label="Lot", queryset=_lots(), widget=AutocompleteSelect("lot", placeholder="Marché ou lot…")
    )

    class Meta:
        model = RecruitmentNeed
        fields = [
            "lot",
            "company",
            "job",
            "rome_code",
            "positions",
            "expected_start",
            "duration_months",
            "duration_note",
            "skills",
            "training_needed",
            "status",
            "notes",
        ]
        widgets = {
            "company": AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
            "skills": forms.Textarea(attrs={"rows": 2}),
            "training_needed": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if not self.instance.pk:
            del self.fields["status"]  # a new need is « identifié »; proposals move it on
        if meeting is not None:
            lots = (
                _lots().filter(market__in=meeting.markets.all()).order_by("market__reference", "number_key")
            )
            companies = Company.objects.filter(
                Q(pk__in=meeting.companies.values("pk")) | Q(awards__lot__in=lots)
            ).distinct()
            if lots.exists():
                self.fields["lot"].widget = forms.Select()
                self.fields["lot"].queryset = lots
            if companies.exists():
                self.fields["company"].widget = forms.Select()
                self.fields["company"].queryset = companies
            for name in ("lot", "company"):
                self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if self.instance.pk and status == RecruitmentNeed.Status.FILLED:
            retained = self.instance.proposals.filter(state=Proposal.State.RETAINED).count()
            positions = data.get("positions") or 0
            if retained < positions:
                self.add_error(
                    "status",
                    f"{retained} personne{'s' if retained > 1 else ''} retenue{'s' if retained > 1 else ''} "
                    f"pour {positions} poste{'s' if positions > 1 else ''} : le besoin n'est pas pourvu.",
                )
        return data


class ProposalForm(BootstrapModelForm):
    class Meta:
        model = Proposal
        fields = ["participant", "comment"]
        widgets = {
            "participant": AutocompleteSelect("participant", placeholder="Nom, prénom…"),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, **kwargs)
        self.need = need
        self.fields["participant"].queryset = Participant.objects.all()

    def clean_participant(self):
        person = self.cleaned_data["participant"]
        taken = Proposal.objects.filter(need=self.need, participant=person).exclude(pk=self.instance.pk)
        if person and taken.exists():
            raise forms.ValidationError("Cette personne est déjà proposée pour ce besoin.")
        return person


class ProposalCommentForm(BootstrapModelForm):
    class Meta:
        model = Proposal
        fields = ["comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}


class HireForm(BootstrapForm):
    """The terms of the assignment made from a proposal (the lot, company, person and job come from the
    need and the proposal)."""

    employer = forms.ModelChoiceField(
        label="Employeur",
        queryset=Company.objects.all(),
        required=False,
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
        help_text="Vide : l'entreprise du besoin elle-même (sinon l'ETTI, l'AI, le GEIQ… qui emploie).",
    )
    modality = forms.ChoiceField(label="Modalité", choices=Modality.choices)
    contract_type = forms.ChoiceField(label="Type de contrat", choices=ContractType.choices)
    job = forms.CharField(label="Poste", max_length=150)
    starts_on = forms.DateField(label="Début du contrat")
    ends_on = forms.DateField(label="Fin du contrat", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La fin du contrat ne peut pas précéder son début.")
        return data


# --- trainings -------------------------------------------------------------------------------------------


class TrainingForm(BootstrapModelForm):
    lot = LotChoiceField(
        label="Lot préparé",
        queryset=_lots(),
        required=False,
        widget=AutocompleteSelect("lot", placeholder="Marché ou lot…"),
        help_text=Training._meta.get_field("lot").help_text,
    )

    class Meta:
        model = Training
        fields = [
            "title",
            "body",
            "body_name",
            "funder",
            "starts_on",
            "ends_on",
            "hours",
            "places",
            "lot",
            "company",
            "notes",
        ]
        widgets = {
            "body": AutocompleteSelect("company", placeholder="Organisme de formation…"),
            "funder": AutocompleteSelect("company", placeholder="Agence d'intérim, GEIQ…"),
            "company": AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("body") and not data.get("body_name") and "body" not in self.errors:
            self.add_error("body", "Indiquez l'organisme de formation (dans la liste, ou tapez son nom).")
        return data


class TraineeForm(BootstrapModelForm):
    class Meta:
        model = Trainee
        fields = ["participant", "hours_attended", "outcome", "hired_assignment", "notes"]
        widgets = {
            "participant": AutocompleteSelect("participant", placeholder="Nom, prénom…"),
            "hired_assignment": AutocompleteSelect("assignment", placeholder="Nom de la personne…"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, training, **kwargs):
        super().__init__(*args, **kwargs)
        self.training = training
        self.instance.training = training
        self.fields["participant"].queryset = Participant.objects.all()
        self.fields["hired_assignment"].queryset = Assignment.objects.select_related(
            "participant", "lot__market"
        )
        self.fields["hired_assignment"].label_from_instance = lambda a: (
            f"{a.participant} — {a.lot.market.reference} {a.lot} — du {a.starts_on:%d/%m/%Y}"
        )
        if self.instance.pk:
            self.fields["participant"].disabled = True

    def clean_participant(self):
        person = self.cleaned_data["participant"]
        others = Trainee.objects.filter(training=self.training).exclude(pk=self.instance.pk)
        if person and others.filter(participant=person).exists():
            raise forms.ValidationError("Cette personne est déjà inscrite à cette formation.")
        return person

    def clean(self):
        data = super().clean()
        places = self.training.places
        if not self.instance.pk and places is not None:
            taken = Trainee.objects.filter(training=self.training).count()
            if taken >= places:
                raise forms.ValidationError(
                    f"La formation est complète : {places} place{'s' if places > 1 else ''}, "
                    f"{taken} stagiaire{'s' if taken > 1 else ''} inscrit{'s' if taken > 1 else ''}."
                )
        return data


# --- the journal -----------------------------------------------------------------------------------------


class JournalEntryForm(BootstrapModelForm):
    buyers = forms.ModelMultipleChoiceField(
        label="Donneurs d'ordre",
        queryset=Buyer.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple("buyer", placeholder="Nom…"),
    )
    markets = forms.ModelMultipleChoiceField(
        label="Marchés",
        queryset=Market.objects.select_related("buyer"),
        required=False,
        widget=AutocompleteSelectMultiple("market", placeholder="Référence ou intitulé…"),
    )
    companies = forms.ModelMultipleChoiceField(
        label="Entreprises et structures",
        queryset=Company.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple("company", placeholder="Nom ou SIRET…"),
    )

    class Meta:
        model = JournalEntry
        fields = [
            "kind",
            "date",
            "subject",
            "buyers",
            "markets",
            "companies",
            "people_met",
            "notes",
            "follow_up_on",
            "follow_up_done",
        ]
        widgets = {
            "people_met": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["markets"].label_from_instance = lambda m: f"{m.reference} — {m.title} ({m.buyer.name})"
        if not self.instance.pk:
            del self.fields["follow_up_done"]


# --- follow-ups ------------------------------------------------------------------------------------------


class OutcomeRecordForm(BootstrapForm):
    """One select and a button, in each row of a follow-up list."""

    kind = forms.ChoiceField(label="Sortie", choices=[("", "Choisir…"), *Outcome.Kind.choices])
    timing = forms.ChoiceField(choices=Outcome.Timing.choices, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Choisissez la sortie."
