"""Forms of the Bilans page: choose a scope and a period (GET, preview), generate (POST, editors)."""

from django import forms
from django.utils import timezone

from clauses_site.forms import AutocompleteSelect, BootstrapForm
from companies.models import Company
from markets.models import Buyer, Market
from reporting import bilan, scopes
from reporting.models import Bilan

SCOPE_FIELDS = {"buyer": "buyer", "company": "company", "market": "market"}


class ScopeForm(BootstrapForm):
    """Scope (buyer, company, market or territory) and period; a shortcut fills the period.
    The detail pages link here with ?scope=buyer&id=12 (or company, market): see BilanFormView."""

    scope = forms.ChoiceField(
        label="Périmètre", choices=Bilan.Kind.choices, widget=forms.RadioSelect, initial=Bilan.Kind.BUYER
    )
    buyer = forms.ModelChoiceField(
        label="Donneur d'ordre",
        queryset=Buyer.objects.all(),
        required=False,
        widget=AutocompleteSelect("buyer", placeholder="Tapez le nom du donneur d'ordre…"),
    )
    company = forms.ModelChoiceField(
        label="Entreprise",
        queryset=Company.objects.all(),
        required=False,
        widget=AutocompleteSelect("company", placeholder="Tapez le nom ou le SIRET…"),
    )
    market = forms.ModelChoiceField(
        label="Marché",
        queryset=Market.objects.select_related("buyer"),
        required=False,
        widget=AutocompleteSelect("market", placeholder="Tapez la référence ou l'intitulé…"),
    )
    start = forms.DateField(label="Du", required=False)
    end = forms.DateField(label="Au", required=False)
    period = forms.ChoiceField(label="Raccourci", choices=list(scopes.SHORTCUTS.items()), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].label_from_instance = str
        self.fields["market"].label_from_instance = lambda m: f"{m.reference} — {m.title} ({m.buyer.name})"

    def clean(self):
        data = super().clean()
        kind = data.get("scope")
        if kind in SCOPE_FIELDS and not data.get(SCOPE_FIELDS[kind]):
            label = self.fields[SCOPE_FIELDS[kind]].label.lower()
            self.add_error(
                SCOPE_FIELDS[kind],
                f"Choisissez le {label}." if kind != "company" else "Choisissez l'entreprise.",
            )
            return data
        if data.get("period") and kind:
            data["start"], data["end"] = scopes.shortcut_period(
                data["period"], timezone.localdate(), kind, self.scope_object(data)
            )
        if not data.get("start"):
            self.add_error("start", "Indiquez le début de la période (ou choisissez un raccourci).")
        if not data.get("end"):
            self.add_error("end", "Indiquez la fin de la période (ou choisissez un raccourci).")
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "La fin de la période ne peut pas précéder son début.")
        return data

    @staticmethod
    def scope_object(data):
        kind = data.get("scope")
        return data.get(SCOPE_FIELDS[kind]) if kind in SCOPE_FIELDS else None

    def query(self):
        """The GET query string of this scope and period (links, redirects)."""
        from django.http import QueryDict

        data = self.cleaned_data
        query = QueryDict(mutable=True)
        query["scope"] = data["scope"]
        obj = self.scope_object(data)
        if obj is not None:
            query[SCOPE_FIELDS[data["scope"]]] = obj.pk
        query["start"], query["end"] = data["start"].isoformat(), data["end"].isoformat()
        return query.urlencode()


class GenerateForm(ScopeForm):
    """The same scope and period (hidden), the format, the commentary and the small-numbers option."""

    format = forms.ChoiceField(
        label="Format",
        choices=[(key, label) for key, (_type, label) in bilan.FORMATS.items()],
        initial="pdf",
        widget=forms.RadioSelect,
    )
    commentary = forms.CharField(
        label="Commentaire de la facilitatrice",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Imprimé à la fin du bilan (PDF) et dans la feuille « Synthèse » (xlsx).",
    )
    anonymise_small = forms.BooleanField(
        label="Masquer les petits effectifs aussi en xlsx et JSON",
        required=False,
        initial=True,
        help_text="Dans un périmètre de moins de 10 personnes, les effectifs de 1 ou 2 sont notés « < 3 » "
        "(toujours appliqué au PDF).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["period"]
        for name in ("scope", "buyer", "company", "market", "start", "end"):
            self.fields[name].widget = forms.HiddenInput()


class BatchForm(BootstrapForm):
    """Envoyer un bilan groupé: the PDFs of every buyer with hours in the period, in one zip."""

    batch_start = forms.DateField(label="Du")
    batch_end = forms.DateField(label="Au")

    def clean(self):
        data = super().clean()
        if data.get("batch_start") and data.get("batch_end") and data["batch_end"] < data["batch_start"]:
            self.add_error("batch_end", "La fin de la période ne peut pas précéder son début.")
        return data
