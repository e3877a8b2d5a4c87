"""Screens of companies."""

import datetime
import html as html_lib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import FACILITATOR, READER
from companies.models import Company, Contact
from hours.models import HoursEntry
from markets.models import Award
from tests.companies.factories import CompanyFactory, ContactFactory, SectorFactory
from tests.editing import post_edit
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, LotFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def page(response):
    return html_lib.unescape(response.content.decode())


def names(response):
    assert response.status_code == 200
    return sorted(c.name for c in response.context["table"].data)


def test_search_ignores_case_accents_and_finds_siret(client_for):
    CompanyFactory(name="Bâti Nord", commune="Gravelines", siret="73282932000074")
    CompanyFactory(name="Société Générale de Nettoyage", commune="Dunkerque")
    client = client_for(READER)
    url = reverse("companies:company_list")
    assert names(client.get(url, {"q": "bati NORD"})) == ["Bâti Nord"]
    assert names(client.get(url, {"q": "Bâti"})) == ["Bâti Nord"]
    assert names(client.get(url, {"q": "societe generale"})) == ["Société Générale de Nettoyage"]
    assert names(client.get(url, {"q": "732 829 320"})) == ["Bâti Nord"]
    assert names(client.get(url, {"q": "gravelines"})) == ["Bâti Nord"]


def test_filters_kind_sector_commune_ess_archived(client_for):
    cleaning = SectorFactory(name="Nettoyage")
    etti = CompanyFactory(etti=True, commune="Grande-Synthe", ess_member=True)
    etti.sectors.add(cleaning)
    plain = CompanyFactory(name="Ordinaire SA", commune="Dunkerque")
    plain.sectors.add(cleaning, SectorFactory(name="Voirie"))
    CompanyFactory(name="Ancienne SARL", archived=True, commune="Dunkerque")
    client = client_for(READER)
    url = reverse("companies:company_list")
    assert names(client.get(url, {"kind": "ETTI"})) == [etti.name]
    assert names(client.get(url, {"sector": cleaning.pk})) == sorted([etti.name, "Ordinaire SA"])
    assert names(client.get(url, {"commune": "Dunkerque"})) == ["Ordinaire SA"]
    assert names(client.get(url, {"commune": "Dunkerque", "archived": "on"})) == [
        "Ancienne SARL",
        "Ordinaire SA",
    ]
    assert names(client.get(url, {"ess_member": "true"})) == [etti.name]
    assert names(client.get(url, {"ess_member": "false"})) == ["Ordinaire SA"]
    html = page(client.get(url))
    assert '<option value="Grande-Synthe">Grande-Synthe</option>' in html


def test_export_holds_exactly_the_filtered_rows(client_for):
    bati = CompanyFactory(name="Bâti Nord", siret="73282932000074", commune="Gravelines")
    CompanyFactory(name="Autre SAS", commune="Gravelines")
    CompanyFactory(name="Bâti Sud", commune="Bourbourg")
    clause = ClauseFactory()
    AwardFactory(lot=clause.lot, company=bati, hours_committed=Decimal("500"))
    HoursEntryFactory(assignment=AssignmentFactory(lot=clause.lot, company=bati), hours=Decimal("151.67"))
    response = client_for(READER).get(
        reverse("companies:company_list"), {"q": "bati", "commune": "Gravelines", "export": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="entreprises.xlsx"'
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
    )
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert (row["Raison sociale"], row["SIRET"], row["Commune"]) == (
        "Bâti Nord",
        "73282932000074",
        "Gravelines",
    )
    assert (row["Heures engagées"], row["Heures réalisées"]) == (500, 151.67)


def test_list_is_paginated_with_constant_queries(client_for, django_assert_max_num_queries):
    sector = SectorFactory(name="Voirie")
    for company in CompanyFactory.create_batch(60):
        company.sectors.add(sector)
    client = client_for(READER)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("companies:company_list"), {"sector": sector.pk, "sort": "-hours_done"})
    assert len(response.context["table"].page.object_list) == 50
    assert response.context["result_count"] == 60


@pytest.fixture
def employer():
    """Bâti Nord holds a lot of 833,33 h; Élodie Dupont worked 300 h for it; an ETTI lends Karim to it."""
    company = CompanyFactory(name="Bâti Nord")
    etti = CompanyFactory(etti=True, name="Intérim'Aide")
    clause = ClauseFactory()
    AwardFactory(lot=clause.lot, company=company)
    ContactFactory(company=company, name="Jean Dupuis", role="Conducteur de travaux")
    elodie = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    karim = ParticipantFactory(last_name="Benali", first_name="Karim")
    first = AssignmentFactory(participant=elodie, lot=clause.lot, company=company)
    HoursEntryFactory(assignment=first, month=datetime.date(2025, 3, 1), hours=Decimal("150"))
    HoursEntryFactory(assignment=first, month=datetime.date(2025, 4, 1), hours=Decimal("150"))
    AssignmentFactory(participant=karim, lot=clause.lot, company=company, employer=etti)
    return company


def test_company_page_story(client_for, employer, django_assert_max_num_queries):
    client = client_for(FACILITATOR)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("companies:company_detail", kwargs={"pk": employer.pk}))
    html = page(response)
    assert response.context["hours_owed"] == Decimal("833.33")
    assert response.context["company"].hours_done == Decimal("300.00")
    assert response.context["people_counts"] == {"people": 2, "contracts": 2}
    assert "Jean Dupuis" in html and "833,33" in html and "300,00" in html
    assert "DUPONT Élodie" in html and "BENALI Karim" in html
    assert "créditée (employeur : Intérim'Aide)" in html


def test_reader_sees_counts_not_names(client_for, employer):
    html = page(client_for(READER).get(reverse("companies:company_detail", kwargs={"pk": employer.pk})))
    for name in ("Dupont", "DUPONT", "Élodie", "BENALI", "Karim"):
        assert name not in html
    assert "2 personnes, 2 contrats." in html
    assert reverse("companies:company_update", kwargs={"pk": employer.pk}) not in html


def test_company_page_with_50_lots_has_constant_queries(client_for, django_assert_max_num_queries):
    company = CompanyFactory()
    for _ in range(50):
        clause = ClauseFactory()
        AwardFactory(lot=clause.lot, company=company)
        HoursEntryFactory(assignment=AssignmentFactory(lot=clause.lot, company=company))
    client = client_for(FACILITATOR)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("companies:company_detail", kwargs={"pk": company.pk}))
    assert len(response.context["awards"]) == 50 and len(response.context["assignments"]) == 50


def test_create_with_contacts_and_french_errors(client_for):
    client = client_for(FACILITATOR)
    sector = SectorFactory(name="Espaces verts")
    data = {
        "name": "Jardins du Littoral",
        "siret": "732 829 320 00075",
        "kind": Company.Kind.ACI,
        "ess_member": "on",
        "sectors": [sector.pk],
        "commune": "Téteghem",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Lucie Vanhove",
        "contacts-0-role": "Encadrante",
    }
    response = client.post(reverse("companies:company_create"), data)
    assert response.status_code == 200
    html = page(response)
    assert "Ce SIRET n'est pas valide" in html
    assert 'value="732 829 320 00075"' in html and 'value="Lucie Vanhove"' in html
    assert not Company.objects.exists() and not Contact.objects.exists()
    data["siret"] = "732 829 320 00074"
    response = client.post(reverse("companies:company_create"), data)
    company = Company.objects.get()
    assert response.url == reverse("companies:company_detail", kwargs={"pk": company.pk})
    assert (company.siret, company.ess_member) == ("73282932000074", True)
    assert list(company.sectors.all()) == [sector]
    assert [c.name for c in company.contacts.all()] == ["Lucie Vanhove"]


def test_update_removes_a_contact(client_for):
    contact = ContactFactory(name="Jean Dupont")
    company = contact.company
    response = post_edit(
        client_for(FACILITATOR),
        reverse("companies:company_update", kwargs={"pk": company.pk}),
        {
            "name": company.name,
            "kind": company.kind,
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": contact.pk,
            "contacts-0-company": company.pk,
            "contacts-0-name": "Jean Dupont",
            "contacts-0-DELETE": "on",
        },
    )
    assert response.status_code == 302
    assert not Contact.objects.exists()


def test_delete_refused_when_hours_exist_even_as_employer(client_for, employer):
    client = client_for(FACILITATOR)
    etti = Company.objects.get(name="Intérim'Aide")
    HoursEntryFactory(assignment=etti.employed_assignments.get(), month=datetime.date(2025, 5, 1))
    for company in (employer, etti):
        url = reverse("companies:company_delete", kwargs={"pk": company.pk})
        response = client.post(url)
        assert response.status_code == 409
        assert "Suppression impossible" in page(response) and "Archiver" in page(response)
    assert Company.objects.count() == 2 and HoursEntry.objects.count() == 3


def test_delete_refused_for_a_holder_without_hours_then_allowed_when_free(client_for):
    award = AwardFactory()
    client = client_for(FACILITATOR)
    response = client.post(reverse("companies:company_delete", kwargs={"pk": award.company_id}))
    assert response.status_code == 409
    assert "1 attributions" in page(response)
    free = CompanyFactory()
    response = client.post(reverse("companies:company_delete", kwargs={"pk": free.pk}))
    assert response.status_code == 302 and not Company.objects.filter(pk=free.pk).exists()
    assert Award.objects.count() == 1


def test_archive(client_for):
    company = CompanyFactory()
    client = client_for(FACILITATOR)
    response = client.post(reverse("companies:company_archive", kwargs={"pk": company.pk}))
    assert response.url == reverse("companies:company_detail", kwargs={"pk": company.pk})
    company.refresh_from_db()
    assert company.archived
    assert names(client.get(reverse("companies:company_list"))) == []


def test_reader_gets_403_on_edits(client_for):
    company = CompanyFactory()
    client = client_for(READER)
    for name in ("companies:company_update", "companies:company_delete", "companies:company_archive"):
        assert client.post(reverse(name, kwargs={"pk": company.pk})).status_code == 403
    assert client.post(reverse("companies:company_create"), {"name": "X"}).status_code == 403
    assert Company.objects.count() == 1


def test_lot_listed_on_company_page_is_linked(client_for, employer):
    lot = LotFactory._meta.model.objects.get()
    html = page(client_for(READER).get(reverse("companies:company_detail", kwargs={"pk": employer.pk})))
    assert reverse("markets:lot_detail", kwargs={"pk": lot.pk}) in html


def test_the_contacts_of_the_company_form_are_table_rows_named_by_their_labels(client_for):
    """clauses_site.forms.row_formset: two empty rows, deletable, each input named for screen readers."""
    response = client_for(FACILITATOR).get(reverse("companies:company_create"))
    contacts = response.context["formsets"]["contacts"]
    assert contacts.legend == "Contacts"
    assert [f.fields["name"].widget.attrs["aria-label"] for f in contacts.forms] == ["Nom", "Nom"]
    assert list(contacts.forms[0].fields)[:4] == ["name", "role", "phone", "email"]
    assert contacts.can_delete
