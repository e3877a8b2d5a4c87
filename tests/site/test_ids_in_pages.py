"""Record ids written into pages (links, hidden fields, data attributes) are never localised: with the
French thousands separator a company of id 12 345 was linked as « id=12 345 », which opened the wrong bilan
(or none) and broke every id of 1 000 or more."""

import re

import pytest
from django.urls import reverse

from tests.companies.factories import CompanyFactory
from tests.markets.factories import BuyerFactory, MarketFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory,detail,kind",
    [
        (CompanyFactory, "companies:company_detail", "company"),
        (BuyerFactory, "markets:buyer_detail", "buyer"),
        (MarketFactory, "markets:market_detail", "market"),
    ],
)
def test_the_bilan_button_carries_the_plain_id(client_for, factory, detail, kind):
    obj = factory(pk=12345)
    html = client_for("Facilitatrice").get(reverse(detail, args=[obj.pk])).content.decode()
    link = re.search(r"/bilans/\?scope=" + kind + r"&amp;id=([^&\"]*)&amp;", html)
    assert link is not None and link.group(1) == "12345"
