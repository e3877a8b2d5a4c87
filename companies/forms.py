from django import forms
from django.forms import inlineformset_factory

from clauses_site.forms import BootstrapModelForm
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


class ContactForm(BootstrapModelForm):
    """A contact as one row of a table (inline formset)."""

    aria_labels = True

    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email"]


ContactFormSet = inlineformset_factory(
    Company, Contact, form=ContactForm, fields=ContactForm.Meta.fields, extra=2, can_delete=True
)
ContactFormSet.legend = "Contacts"
