import pytest
from django.urls import reverse

from clauses_site.roles import FACILITATOR, READER
from tests.companies.factories import CompanyFactory
from tests.markets.factories import BuyerFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def url(kind, q=""):
    return reverse("autocomplete", kwargs={"kind": kind}) + f"?q={q}"


def texts(response):
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_buyers_are_found_ignoring_case_and_accents(client_for):
    BuyerFactory(name="Société Générale d'Habitat")
    BuyerFactory(name="Ville de Dunkerque")
    client = client_for(READER)
    assert texts(client.get(url("buyer", "SOCIETE gen"))) == ["Société Générale d'Habitat"]
    assert texts(client.get(url("buyer", "société"))) == ["Société Générale d'Habitat"]


def test_companies_by_name_or_siret_at_most_20(client_for):
    for n in range(25):
        CompanyFactory(name=f"Bâti Nord {n:02d}", commune="Gravelines")
    target = CompanyFactory(name="Autre SAS", siret="73282932000074", commune="")
    client = client_for(READER)
    found = client.get(url("company", "bati nord")).json()["results"]
    assert len(found) == 20
    assert found[0] == {"value": str(found[0]["value"]), "text": found[0]["text"]}
    assert texts(client.get(url("company", "732 829 320"))) == [f"Autre SAS ({target.siret})"]


def test_archived_companies_are_not_offered(client_for):
    CompanyFactory(name="Archivée SARL", archived=True)
    assert texts(client_for(READER).get(url("company", "archivee"))) == []


def test_participants_need_sees_people(client_for):
    ParticipantFactory(last_name="Dupont", first_name="Élodie")
    assert client_for(READER).get(url("participant", "elodie")).status_code == 403
    assert texts(client_for(FACILITATOR).get(url("participant", "elodie"))) == ["DUPONT Élodie (12/03/1987)"]


def test_lots_by_market_reference_and_number(client_for):
    market = MarketFactory(reference="CUD-2025-014", title="Groupe scolaire Lamartine")
    LotFactory(market=market, number="3", title="Peinture")
    LotFactory(market=market, number="4", title="Maçonnerie")
    LotFactory(number="3")
    found = texts(client_for(READER).get(url("lot", "lamartine 3")))
    assert found == ["CUD-2025-014 — Lot 3 — Peinture"]


def test_unknown_kind_is_404(client_for):
    assert client_for(FACILITATOR).get(url("nothing")).status_code == 404
