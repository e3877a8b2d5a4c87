from django import forms

from clauses_site.forms import BootstrapModelForm, row_formset
from companies.models import Company, Contact, Sector


class CompanyForm(BootstrapModelForm):
    sectors = forms.ModelMultipleChoiceField(
        label="Secteurs d'activité",
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "siret",
            "kind",
            "ess_member",
            "sectors",
            "address",
            "postal_code",
            "commune",
            "phone",
            "email",
            "website",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


ContactFormSet = row_formset(Company, Contact, ["name", "role", "phone", "email"], legend="Contacts")
