"""Companies: the SIRET rules (format, Luhn, La Poste, spaces, uniqueness), search and matching."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from companies.models import SIRET_INVALID, SIRET_TAKEN, Company
from tests.companies.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

VALID = "73282932000074"


def errors_of(instance, **kwargs):
    """The messages full_clean() raises, by field ({} when valid)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def new(**fields):
    return Company(name=fields.pop("name", "Bâti Nord SAS"), **fields)


@pytest.mark.parametrize(
    "typed,stored",
    [
        (VALID, VALID),
        ("732 829 320 00074", VALID),
        (" 732829320 00074 ", VALID),
        ("732.829.320.00074", VALID),
        ("35600000000048", "35600000000048"),  # La Poste's head office: Luhn
        ("35600000049837", "35600000049837"),  # a La Poste office: digit sum 45, not Luhn
        ("", ""),
    ],
)
def test_valid_sirets_are_stored_as_14_digits(typed, stored):
    company = new(siret=typed)
    assert errors_of(company) == {}
    assert company.siret == stored
    company.save()
    company.refresh_from_db()
    assert company.siret == stored


@pytest.mark.parametrize(
    "typed",
    [
        "73282932000075",  # wrong check digit
        "7328293200007",  # 13 digits
        "732829320000740",  # 15 digits
        "7328293200007A",
        "35600000012345",  # La Poste, digit sum 29
        "35600000000049",  # La Poste's head office, wrong Luhn
    ],
)
def test_invalid_sirets_are_refused_with_one_french_message(typed):
    assert errors_of(new(siret=typed)) == {"siret": [SIRET_INVALID]}


def test_siret_unique_when_given():
    CompanyFactory(siret=VALID)
    assert errors_of(new(siret="732 829 320 00074")) == {"siret": [SIRET_TAKEN]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="Autre", siret=VALID)


def test_changing_a_company_keeps_its_own_siret():
    company = CompanyFactory(siret=VALID)
    company.name = "Bâti Nord"
    assert errors_of(company) == {}


def test_blank_siret_allowed_twice():
    CompanyFactory(siret="")
    second = new(name="Sans SIRET", siret="")
    assert errors_of(second) == {}
    second.save()
    assert Company.objects.filter(siret="").count() == 2


@pytest.mark.parametrize("stored", ["123", "7328293200007A", "732 829 320 0"])
def test_database_refuses_a_siret_that_is_not_14_digits(stored):
    # save() removes spaces but does not validate: the check constraint is the last guard.
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="X", siret=stored)


def test_form_accepts_spaces_and_shows_the_reason_next_to_the_field():
    form_class = modelform_factory(Company, fields=["name", "siret", "kind"])
    form = form_class(data={"name": "Bâti Nord", "siret": "732 829 320 00074", "kind": "entreprise"})
    assert form.is_valid(), form.errors
    assert form.save().siret == VALID
    form = form_class(data={"name": "Autre", "siret": "732 829 320 00074", "kind": "entreprise"})
    assert form.errors == {"siret": [SIRET_TAKEN]}
    form = form_class(data={"name": "Autre", "siret": "732 829 320 00075", "kind": "entreprise"})
    assert form.errors == {"siret": [SIRET_INVALID]}
    assert Company.objects.count() == 1


def test_keys_are_computed_on_save():
    company = CompanyFactory(name="Bâti-Nord S.A.S.", commune="Grande-Synthe")
    assert company.name_key == "batinord"
    assert company.search_text == "bati-nord s.a.s. grande-synthe"


def test_search_by_name_commune_or_siret():
    bati = CompanyFactory(name="BÂTI NORD SAS", siret=VALID, commune="Dunkerque")
    voirie = CompanyFactory(name="Voirie Flandre", siret="", commune="Gravelines")
    assert list(Company.objects.search("bati")) == [bati]
    assert list(Company.objects.search("nord BÂTI")) == [bati]  # every word, in any order
    assert list(Company.objects.search("bati gravelines")) == []
    assert list(Company.objects.search("GRAVELINES")) == [voirie]
    assert list(Company.objects.search("732 829")) == [bati]
    assert set(Company.objects.search("  ")) == {bati, voirie}


def test_matching_by_siret_first_then_by_name_without_legal_form():
    bati = CompanyFactory(name="BÂTI NORD SAS", siret=VALID)
    homonym = CompanyFactory(name="Bati Nord", siret="")
    assert Company.objects.matching(name="Bâti Nord SARL", siret="732 829 320 00074") == bati
    assert Company.objects.matching(name="bati-nord", siret="") == bati  # the first created
    homonym.delete()
    assert Company.objects.matching(name="Bati nord (SAS)") == bati
    assert Company.objects.matching(name="Inconnue") is None
    assert Company.objects.matching() is None


def test_insertion_structures_and_active():
    kinds = Company.Kind
    ei = CompanyFactory(kind=kinds.EI)
    geiq = CompanyFactory(kind=kinds.GEIQ)
    ea = CompanyFactory(kind=kinds.EA)
    ess = CompanyFactory(kind=kinds.ORDINARY, ess_member=True)
    CompanyFactory(kind=kinds.ETT)
    CompanyFactory(kind=kinds.ORDINARY)
    assert set(Company.objects.insertion_structures()) == {ei, geiq, ea, ess}
    assert ei.is_siae and not geiq.is_siae and not ea.is_siae
    ess.archived = True
    ess.save()
    assert Company.objects.active().count() == 5


def test_contact_str():
    assert str(ContactFactory(name="Jean Dupont", role="Conducteur de travaux")) == (
        "Jean Dupont (Conducteur de travaux)"
    )
    assert str(ContactFactory(name="Jean Dupont", role="")) == "Jean Dupont"
