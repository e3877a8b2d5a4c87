"""The crawler as each external role: from its space, every link it is shown is followed (GET, this
site only); every page answers 200 (no link to a page closed to it), none shows another organisation's
objects nor a participant's name or id — but a company's declaration pages, which name the people it
employs itself (name and post: issue 16 item 3), and no one else. Then every URL of the access matrix
that the role may open."""

import re
from html import unescape

import pytest
from django.urls import reverse

from clauses_site import roles
from tests.spaces.conftest import PEOPLE_WORDS

LINK = re.compile(r'(?:href|action|hx-get)="(/[^"]*)"')
NOT_PAGES = ("/static/", "/deconnexion/")

#: What each user of tests/spaces/conftest.py must never read.
FORBIDDEN = {
    "a": ("Peintures du Nord", "Communauté urbaine", "CUD-1", "GRV-ETUDE", "Piscine", "Menuiseries"),
    "b": ("Béton Côte d'Opale", "GRV-ETUDE", "Piscine", "Menuiseries"),
    "x": ("Communauté urbaine", "CUD-1", "GRV-ETUDE", "Piscine", "Voirie du port"),
    "y": ("Ville de Gravelines", "GRV-1", "Béton Côte d'Opale", "Groupe scolaire", "GRV-ETUDE"),
}
#: The people a company declares (its own employees): named on its declaration pages only.
OWN_PEOPLE = {"a": ("Durand", "DURAND", "Anne"), "b": ("Benali", "BENALI", "Karim")}
DECLARATION_PAGES = "/espace/declarations/"
#: What each must read somewhere (the crawl is not empty).
EXPECTED = {
    "a": ("GRV-1", "700,00"),
    "b": ("GRV-1", "CUD-1", "300,00"),
    "x": ("GRV-1", "Béton Côte d'Opale", "Peintures du Nord"),
    "y": ("CUD-1", "Peintures du Nord"),
}


def crawl(client, start):
    seen, queue, pages = set(), [start], {}
    while queue:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_PAGES):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        text = unescape(response.content.decode())
        pages[url] = text
        queue.extend(unescape(link) for link in LINK.findall(response.content.decode()))
        assert len(seen) < 200
    return pages


@pytest.mark.parametrize("who", ["a", "b", "x", "y"])
def test_crawl_of_each_space(world, signed_in, who):
    pages = crawl(signed_in(world["users"][who]), reverse("spaces:home"))
    assert len(pages) >= 5, sorted(pages)
    for url, text in pages.items():
        own = OWN_PEOPLE.get(who, ()) if url.startswith(DECLARATION_PAGES) else ()
        for words in FORBIDDEN[who] + PEOPLE_WORDS:
            assert words in own or words not in text, (who, url, words)
        assert not re.search(r"/participants/\d+", text), (who, url)
    everything = " ".join(pages.values())
    if who in OWN_PEOPLE:
        assert OWN_PEOPLE[who][1] in everything, who  # the company's declaration is in the crawl
    for words in EXPECTED[who]:
        assert words in everything, (who, words)


@pytest.mark.parametrize("role", roles.EXTERNAL_ROLES)
def test_every_page_of_the_matrix_an_external_role_opens_is_free_of_people(world, client_for, role):
    from tests.access_matrix import MATRIX, URL_KWARGS

    client = client_for(role)
    opened = 0
    for url_name, expected in MATRIX.items():
        if expected[role] != 200:
            continue
        kwargs = URL_KWARGS[url_name]() if url_name in URL_KWARGS else {}
        response = client.get(reverse(url_name, kwargs=kwargs))
        assert response.status_code == 200, url_name
        if response.get("Content-Type", "").startswith("text/html"):
            text = unescape(response.content.decode())
            for words in PEOPLE_WORDS:
                assert words not in text, (url_name, words)
            for words in ("Ville de Gravelines", "Communauté urbaine", "Béton Côte d'Opale", "Peintures"):
                assert words not in text, (url_name, words)  # the world's organisations are not its own
        opened += 1
    assert opened >= 10
