"""Return addresses (« retour ») are followed only when they stay on this site."""

import pytest
from django.urls import reverse

from clauses_site.editing import url_is_local
from tests.markets.factories import MarketFactory


@pytest.mark.parametrize(
    "url",
    [
        "/\\evil.com",
        "//evil.com",
        "/\\/evil.com",
        "https://evil.com/",
        "/\t/evil.com",
        "javascript:alert(1)",
        "",
    ],
)
def test_other_hosts_are_not_local(url):
    assert not url_is_local(url)


@pytest.mark.parametrize("url", ["/marches/", "/marches/?etape=repere&page=2", "/participants/12/"])
def test_paths_of_this_site_are_local(url):
    assert url_is_local(url)


def test_archive_does_not_follow_a_backslash_address(client_for):
    market = MarketFactory()
    client = client_for("Responsable")
    response = client.post(reverse("markets:market_archive", args=[market.pk]), {"retour": "/\\evil.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("markets:market_detail", args=[market.pk])
