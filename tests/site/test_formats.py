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


@pytest.mark.parametrize(
    "value,text",
    [
        (0.2, "0,2\xa0seconde"),
        (1, "1\xa0seconde"),
        (1.5, "1,5\xa0seconde"),
        (2, "2\xa0secondes"),
        (30, "30\xa0secondes"),
    ],
)
def test_a_duration_in_seconds_is_singular_under_two(value, text):
    from clauses_site.formatting import duration_in_seconds

    with translation.override("fr"):
        assert duration_in_seconds(value) == text
