"""clauses_site/forms.py: Bootstrap classes, decimal comma, percentages, dates, autocomplete widget."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from clauses_site.forms import AutocompleteSelect, BootstrapForm, BootstrapModelForm, MonthField, PercentField
from companies.models import Company
from markets.models import Award, Clause
from tests.companies.factories import CompanyFactory


class SampleForm(BootstrapForm):
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    rate = PercentField(required=False)
    day = forms.DateField(required=False)
    month = MonthField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], required=False)
    flag = forms.BooleanField(required=False)
    name = forms.CharField(required=False)


@pytest.mark.parametrize(
    "typed,expected",
    [("151,67", "151.67"), ("1 000 000,50", "1000000.50"), ("1\xa0000,5", "1000.5"), ("12.5", "12.5")],
)
def test_decimal_comma_and_spaces_are_accepted(typed, expected):
    form = SampleForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(expected)


def test_bad_decimal_is_refused_in_french_and_marked_invalid():
    form = SampleForm({"amount": "douze"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["Saisissez un nombre."]
    html = str(form["amount"])
    assert "is-invalid" in html and 'aria-invalid="true"' in html and 'value="douze"' in html


def test_percent_is_typed_as_a_percentage_and_kept_as_a_fraction():
    form = SampleForm({"amount": "1", "rate": "5,5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rate"] == Decimal("0.055")
    shown = SampleForm(initial={"rate": Decimal("0.5000")})
    assert 'value="50"' in str(shown["rate"])
    assert not SampleForm({"amount": "1", "rate": "120"}).is_valid()


def test_widgets_have_bootstrap_classes_and_date_inputs():
    form = SampleForm()
    assert 'class="form-control"' in str(form["amount"])
    assert 'inputmode="decimal"' in str(form["amount"])
    assert 'type="date"' in str(form["day"])
    assert 'type="month"' in str(form["month"])
    assert 'class="form-select"' in str(form["kind"])
    assert 'class="form-check-input"' in str(form["flag"])
    assert 'class="form-control"' in str(form["name"])


def test_dates_are_read_iso_or_french_and_months_become_first_days():
    form = SampleForm({"amount": "1", "day": "26/11/2026", "month": "2025-03"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 11, 26)
    assert form.cleaned_data["month"] == datetime.date(2025, 3, 1)
    assert SampleForm({"amount": "1", "day": "2026-11-26"}).is_valid()


@pytest.mark.django_db
def test_model_decimal_fields_are_localised():
    class ClauseForm(BootstrapModelForm):
        class Meta:
            model = Clause
            fields = ["stated_hours"]

    form = ClauseForm(instance=Clause(stated_hours=Decimal("1234.50")))
    assert "1\xa0234,50" in str(form["stated_hours"])
    assert ClauseForm({"stated_hours": "833,33"}).is_valid()


class AwardForm(BootstrapModelForm):
    class Meta:
        model = Award
        fields = ["company"]
        widgets = {"company": AutocompleteSelect("company")}


@pytest.mark.django_db
def test_autocomplete_select_renders_only_the_current_value(django_assert_max_num_queries):
    companies = [CompanyFactory(name=f"Entreprise {n}") for n in range(30)]
    form = AwardForm(initial={"company": companies[3].pk})
    with django_assert_max_num_queries(1):
        html = str(form["company"])
    assert html.count("<option") == 2  # the empty choice and the current company
    assert f'value="{companies[3].pk}" selected' in html and "Entreprise 3" in html
    assert 'data-autocomplete-url="/recherche/autocompletion/company/"' in html
    assert "tom-select" in str(form.media)
    empty = str(AwardForm()["company"])
    assert empty.count("<option") == 1


@pytest.mark.django_db
def test_autocomplete_select_validates_any_existing_value():
    company = CompanyFactory()
    form = AwardForm({"company": str(company.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["company"] == company
    bad = AwardForm({"company": "999999"})
    assert not bad.is_valid()
    assert "Sélectionnez un choix valide" in bad.errors["company"][0]
    assert Company.objects.count() == 1
