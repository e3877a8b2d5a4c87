import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source, **context):
    with translation.override("fr"):
        return Template("{% load l10n humanize %}" + source).render(Context(context))


def test_numbers_and_dates_are_french():
    out = render(
        "{{ n }}|{{ d }}|{{ h|floatformat:2 }}",
        n=Decimal("1234.5"),
        d=datetime.date(2026, 11, 26),
        h=Decimal("1234.5"),
    )
    assert out == "1\xa0234,5|26/11/2026|1\xa0234,50"


@pytest.mark.django_db
def test_an_english_browser_still_gets_french(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="claire", facilitator=True))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "fr"
    assert "Tableau de bord" in response.content.decode()
