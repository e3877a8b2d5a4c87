"""The accessibility statement (« Déclaration d'accessibilité », /accessibilite/): public, it names the
conformity state, says how to report a problem, and the footer of every page links to it."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_statement_answers_anonymously_with_the_conformity_state(client):
    response = client.get("/accessibilite/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Déclaration d'accessibilité</h1>" in page
    assert "Accessibilité : partiellement conforme." in page
    assert "RGAA), version 4.1" in page
    assert "Entreprendre Ensemble — PLIE du Dunkerquois, équipe clauses" in page
    assert "axe-core" in page
    assert "Défenseur des droits" in page and "Libre réponse 71120" in page


def test_the_contact_comes_from_the_setting(client, settings):
    settings.CLAUSES_ACCESSIBILITY_CONTACT = "accessibilite@plie-dunkerquois.example"

    page = client.get(reverse("accessibility")).content.decode()

    assert 'href="mailto:accessibilite@plie-dunkerquois.example"' in page
    assert "clauses@entreprendre-ensemble.fr" not in page


def test_the_default_contact_is_the_team_address(client):
    page = client.get(reverse("accessibility")).content.decode()

    assert 'href="mailto:clauses@entreprendre-ensemble.fr"' in page


def test_the_footer_of_a_signed_in_page_links_to_the_statement(client):
    client.force_login(UserFactory(reader=True))

    page = client.get(reverse("home")).content.decode()

    footer = page[page.index("<footer") : page.index("</footer>")]
    assert f'href="{reverse("accessibility")}"' in footer
    assert "Accessibilité : partiellement conforme" in footer


def test_the_footer_of_the_log_in_page_links_to_the_statement(client):
    page = client.get(reverse("login")).content.decode()

    footer = page[page.index("<footer") : page.index("</footer>")]
    assert 'href="/accessibilite/"' in footer
