from django import forms
from django.forms import inlineformset_factory

from clauses_site.forms import AutocompleteSelect, BootstrapModelForm, PercentField, TeamMemberChoiceField
from clauses_site.vocabulary import CRITERIA
from markets.models import Award, Buyer, BuyerContact, Clause, Lot, Market, Operation


class BuyerForm(BootstrapModelForm):
    class Meta:
        model = Buyer
        fields = ["name", "kind", "address", "commune", "phone", "email", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class BuyerContactForm(BootstrapModelForm):
    aria_labels = True

    class Meta:
        model = BuyerContact
        fields = ["name", "role", "phone", "email"]


BuyerContactFormSet = inlineformset_factory(
    Buyer, BuyerContact, form=BuyerContactForm, fields=BuyerContactForm.Meta.fields, extra=2, can_delete=True
)
BuyerContactFormSet.legend = "Contacts"


class OperationForm(BootstrapModelForm):
    class Meta:
        model = Operation
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        buyer_id = self.instance.buyer_id
        if (
            buyer_id
            and Operation.objects.exclude(pk=self.instance.pk).filter(buyer_id=buyer_id, name=name).exists()
        ):
            raise forms.ValidationError("Ce donneur d'ordre a déjà une opération de ce nom.")
        return name


class OperationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.buyer.name})"


class MarketForm(BootstrapModelForm):
    facilitator = TeamMemberChoiceField(label="Facilitatrice en charge", required=False)
    operation = OperationChoiceField(
        label="Opération", queryset=Operation.objects.select_related("buyer"), required=False
    )

    class Meta:
        model = Market
        fields = [
            "buyer",
            "operation",
            "reference",
            "title",
            "sector",
            "procedure",
            "stage",
            "facilitator",
            "estimated_amount",
            "estimated_hours",
            "planned_clause_type",
            "expected_publication",
            "published_on",
            "awarded_on",
            "starts_on",
            "ends_on",
            "notes",
        ]
        widgets = {"buyer": AutocompleteSelect("buyer"), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"stage": "Chaque changement d'étape est daté et gardé (tableau de conversion)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        buyer_id = (
            self.data.get("buyer") if self.is_bound else (self.instance.buyer_id or self.initial.get("buyer"))
        )
        if buyer_id and str(buyer_id).isdigit():
            self.fields["operation"].queryset = Operation.objects.select_related("buyer").filter(
                buyer_id=buyer_id
            )
        self.fields[
            "operation"
        ].help_text = "Les opérations du donneur d'ordre choisi (enregistrez pour les voir)."


class LotForm(BootstrapModelForm):
    class Meta:
        model = Lot
        fields = ["number", "title", "amount", "starts_on", "ends_on"]


class ClauseForm(BootstrapModelForm):
    """Hours owed: stated by the buyer, or amount × labour share × insertion rate ÷ hourly cost.
    Shares and rates are typed as percentages."""

    labour_share = PercentField(label="Part de main-d'œuvre (%)", required=False)
    insertion_rate = PercentField(label="Taux d'insertion (%)", required=False)
    siae_labour_share = PercentField(label="Part de main-d'œuvre des achats SIAE (%)", required=False)
    eligible_publics = forms.MultipleChoiceField(
        label="Publics éligibles (restriction)",
        choices=CRITERIA,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez seulement si la clause restreint les publics (ex. QPV pour l'ANRU) ; "
        "rien de coché : tous les publics éligibles.",
    )

    formula_fields = ["formula_amount", "labour_share", "insertion_rate", "hourly_cost"]

    class Meta:
        model = Clause
        fields = [
            "clause_type",
            "stated_hours",
            "formula_amount",
            "labour_share",
            "insertion_rate",
            "hourly_cost",
            "eligible_publics",
            "penalty_per_hour",
            "training_counts",
            "globalisation_allowed",
            "siae_labour_share",
            "siae_hourly_cost",
        ]
        labels = {"hourly_cost": "Coût horaire chargé (€/h)", "formula_amount": "Montant retenu HT (€)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lot_amount = self.instance.lot.amount if self.instance.lot_id else None
        if lot_amount is not None:
            from clauses_site.formatting import money

            self.fields["formula_amount"].help_text = f"Vide : le montant du lot ({money(lot_amount)} €)."


class AwardForm(BootstrapModelForm):
    class Meta:
        model = Award
        fields = ["company", "role", "hours_committed"]
        widgets = {"company": AutocompleteSelect("company")}
        help_texts = {
            "hours_committed": "Part des heures du lot portée par cette entreprise ; "
            "vide pour le titulaire : le reste des heures du lot."
        }
