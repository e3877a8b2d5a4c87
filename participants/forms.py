"""Forms of the participants' screens."""

from django import forms

from clauses_site.forms import BootstrapModelForm
from participants.models import SITUATION_FIELDS, Criterion, Outcome, Participant

# Suggestions offered while typing (any other value is accepted).
COMMUNES = [
    "Armbouts-Cappel",
    "Bourbourg",
    "Bray-Dunes",
    "Cappelle-la-Grande",
    "Coudekerque-Branche",
    "Craywick",
    "Dunkerque",
    "Grand-Fort-Philippe",
    "Grande-Synthe",
    "Gravelines",
    "Leffrinckoucke",
    "Loon-Plage",
    "Saint-Pol-sur-Mer",
    "Spycker",
    "Téteghem",
    "Zuydcoote",
]
PRESCRIBERS = ["PLIE", "France Travail", "Mission locale", "Cap emploi", "SIAE", "Département (RSA)"]


class ParticipantForm(BootstrapModelForm):
    qpv = forms.NullBooleanField(
        label="Habitant d'un QPV",
        required=False,
        # NullBooleanSelect renders a stored True/False as the selected « Oui »/« Non » (a plain Select
        # rendered "True", matched no option, and the browser sent back « Inconnu » on every edit).
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Participant
        fields = ["last_name", "first_name", *SITUATION_FIELDS, "referent", "entered_on", "notes"]
        widgets = {
            "criteria": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "commune": forms.TextInput(attrs={"list": "communes"}),
            "prescriber": forms.TextInput(attrs={"list": "prescripteurs"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = Criterion.objects.all()
        self.fields["criteria"].label_from_instance = lambda c: c.label


class OutcomeForm(BootstrapModelForm):
    class Meta:
        model = Outcome
        fields = ["timing", "date", "kind", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
