from django import forms


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Courriel", max_length=150)
    name = forms.CharField(label="Nom et prénom", max_length=150)
