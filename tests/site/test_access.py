"""Every URL of the project, for every role, answers the status the matrix says; anonymous visitors
are sent to the login page from every URL that is not explicitly public."""

import re

import pytest
from django.urls import reverse

from tests.access_matrix import MATRIX, URL_KWARGS, cases
from tests.urlconf import iter_patterns, project_url_names

PUBLIC = {
    "login",
    "health",
    "favicon",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accessibility",
    "spaces:accept",  # the invitation's link (a token of its own, as password_reset_confirm)
}


@pytest.mark.parametrize("role,url_name,status", cases())
def test_access(role, url_name, status, client_for):
    kwargs = URL_KWARGS[url_name]() if url_name in URL_KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    response = client_for(role).get(url)
    assert response.status_code == status, f"{role or 'anonyme'} GET {url}"
    if role is None and status == 302:
        assert response.url.startswith(reverse("login")), response.url


def test_every_url_is_in_the_matrix():
    missing = set(project_url_names()) - set(MATRIX)
    assert not missing, f"URLs absentes de la matrice d'accès : {sorted(missing)}"


def _dummy_url(route):
    """A concrete path for a route, with placeholder values for its converters."""
    samples = {
        "int": "1",
        "str": "x",
        "slug": "x",
        "uuid": "12345678-1234-5678-1234-567812345678",
        "path": "x",
    }
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "1"), route)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,route",
    [(n, r) for n, r, _ in iter_patterns() if not r.startswith("admin/") and "(?P" not in r and "^" not in r],
)
def test_anonymous_is_sent_to_login(name, route, client):
    """Generated from the URLconf: no URL serves anything to an anonymous visitor but the public ones."""
    response = client.get(_dummy_url(route))
    if name in PUBLIC:
        assert response.status_code in (200, 301, 405)
        return
    assert response.status_code in (302, 404, 405), f"{route} → {response.status_code}"
    if response.status_code == 302:
        assert response.url.startswith(reverse("login")), response.url


@pytest.mark.django_db
def test_admin_is_not_open_to_anonymous(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response.url
