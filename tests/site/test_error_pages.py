"""French error pages in the application's layout (DEBUG=0, as ./test runs): 400, 403, 404, 500, an
expired form (CSRF), and the favicon browsers ask for."""

import html

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import loader
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


def test_debug_is_off_in_the_tests():
    assert settings.DEBUG is False


def test_404_is_the_french_page_in_the_layout(client_for):
    response = client_for("Facilitatrice").get("/marches/pas-une-page/")
    assert response.status_code == 404
    page = text(response)
    assert '<h1 class="h3">Page introuvable</h1>' in page
    assert "Aucune page ne correspond à l'adresse /marches/pas-une-page/" in page.replace(
        "<code>", ""
    ).replace("</code>", "")
    assert 'aria-label="Navigation principale"' in page and "Se déconnecter" in page


def test_404_of_a_missing_record(client_for):
    response = client_for("Responsable").get(reverse("participants:participant_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_403_names_the_role(client_for):
    response = client_for("Lecteur").get(reverse("participants:participant_list"))
    assert response.status_code == 403
    assert "Votre rôle (« Lecteur ») ne permet pas d'ouvrir cette page" in text(response)


def test_500_is_the_french_page(facilitator, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("reporting.dashboard.build", broken)  # what the home page (the dashboard) calls
    client = Client(raise_request_exception=False)
    client.force_login(facilitator)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    page = text(response)
    assert "Une erreur est survenue" in page
    assert "prévenez la responsable" in page
    assert "boom" not in page and "RuntimeError" not in page and "Server Error" not in page


def test_the_500_page_needs_neither_request_nor_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render({})
    assert "Une erreur est survenue" in html.unescape(page)
    assert "/static/css/clauses.css" in page  # the application's layout


def test_400_is_the_french_page():
    response = Client(HTTP_HOST="pas-un-hote-autorise.example").get("/connexion/")
    assert response.status_code == 400
    assert "Requête incorrecte" in text(response)


def test_an_expired_form_is_the_french_403(facilitator):
    response = Client(enforce_csrf_checks=True).post(
        "/connexion/", {"username": facilitator.username, "password": "x"}
    )
    assert response.status_code == 403
    assert "Formulaire expiré" in text(response)


def test_the_favicon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response.url == "/static/favicon.svg"
    assert finders.find("favicon.svg")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text(
        Client().get("/connexion/")
    )
