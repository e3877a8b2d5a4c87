"""The search box of the navigation: markets, companies and (for the team only) participants, case and
accents ignored; a results page and live results under the box."""

import pytest
from django.urls import reverse

from tests.companies.factories import CompanyFactory
from tests.markets.factories import MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("search")


@pytest.fixture
def records():
    return {
        "market": MarketFactory(reference="CUD-2025-014", title="Réhabilitation de l'école Jean-Bart"),
        "other_market": MarketFactory(reference="DK-2024-003", title="Voirie du Banc-Vert"),
        "company": CompanyFactory(name="Bâtiments du Littoral", siret="73282932000074", commune="Gravelines"),
        "etti": CompanyFactory(name="ETTI Flandre Intérim", commune="Grande-Synthe"),
        "person": ParticipantFactory(last_name="Lefèvre", first_name="Élodie"),
    }


def found(response):
    assert response.status_code == 200
    return {g["title"]: [item["text"] for item in g["items"]] for g in response.context["groups"]}


def test_markets_by_reference_or_title_ignoring_case_and_accents(records, client_for):
    client = client_for("Lecteur")
    assert found(client.get(SEARCH, {"q": "cud-2025"}))["Marchés"] == [
        "CUD-2025-014 — Réhabilitation de l'école Jean-Bart"
    ]
    assert found(client.get(SEARCH, {"q": "REHABILITATION ecole"}))["Marchés"] == [
        "CUD-2025-014 — Réhabilitation de l'école Jean-Bart"
    ]


def test_companies_by_name_or_siret(records, client_for):
    client = client_for("Lecteur")
    assert found(client.get(SEARCH, {"q": "batiments du littoral"}))["Entreprises"] == [
        "Bâtiments du Littoral"
    ]
    assert found(client.get(SEARCH, {"q": "732 829 320"}))["Entreprises"] == ["Bâtiments du Littoral"]
    assert found(client.get(SEARCH, {"q": "interim"}))["Entreprises"] == ["ETTI Flandre Intérim"]


def test_participants_only_for_the_team(records, client_for):
    assert found(client_for("Facilitatrice").get(SEARCH, {"q": "elodie lefevre"}))["Participants"] == [
        "LEFÈVRE Élodie"
    ]
    response = client_for("Lecteur").get(SEARCH, {"q": "lefevre"})
    assert "Participants" not in found(response)
    assert "LEFÈVRE" not in response.content.decode()


def test_nothing_found_and_empty_query(records, client_for):
    client = client_for("Facilitatrice")
    response = client.get(SEARCH, {"q": "zzzz"})
    assert "Aucun résultat pour « zzzz »" in response.content.decode()
    assert client.get(SEARCH).context["groups"] == []


def test_live_results_are_a_short_fragment(records, client_for):
    for n in range(8):
        CompanyFactory(name=f"Nettoyage Dunkerquois {n}")
    response = client_for("Facilitatrice").get(SEARCH, {"q": "nettoyage"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert len(found(response)["Entreprises"]) == 5
    assert "Tous les résultats pour « nettoyage »" in html


def test_more_results_than_shown_are_counted(client_for, django_assert_max_num_queries):
    for n in range(25):
        CompanyFactory(name=f"Nettoyage {n:02d}")
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(10):
        response = client.get(SEARCH, {"q": "nettoyage"})
    companies = next(g for g in response.context["groups"] if g["title"] == "Entreprises")
    assert (len(companies["items"]), companies["count"], companies["more"]) == (20, 25, True)


def test_the_box_is_in_the_navigation(client_for, db):
    html = client_for("Lecteur").get(reverse("home")).content.decode()
    assert 'id="recherche-globale"' in html and f'action="{SEARCH}"' in html
