"""seed_demo's two external accounts: bound to the company with the most clause lots shown in the spaces
and to the buyer with the most markets, accepted, with the demo password; run again, the same."""

import datetime

import pytest
from django.contrib.auth.models import User

from clauses_site import roles
from demo.external import create_external_users, demo_organisations
from demo.users import DEMO_PASSWORD
from markets.models import Stage
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory

pytestmark = pytest.mark.django_db


def test_the_accounts_belong_to_the_busiest_company_and_buyer():
    lots = [ClauseFactory(lot__market__stage=Stage.EXECUTION).lot for _ in range(3)]
    busy, other = AwardFactory(lot=lots[0]).company, AwardFactory(lot=lots[1]).company
    AwardFactory(lot=lots[2], company=busy)
    AwardFactory(
        lot=ClauseFactory(lot__market__stage=Stage.SPOTTED).lot, company=other
    )  # not shown: not counted
    AwardFactory(lot=ClauseFactory(lot__market__stage=Stage.SPOTTED).lot, company=other)
    buyer = lots[0].market.buyer
    MarketFactory(buyer=buyer)  # its second market
    assert demo_organisations() == (busy, buyer)
    for _ in range(2):  # run again: the same accounts, still bound and accepted
        users = create_external_users()
    company_user, buyer_user = users["entreprise"], users["donneur"]
    assert roles.external_role(User.objects.get(pk=company_user.pk)) == roles.COMPANY_USER
    assert roles.organisation_of(User.objects.get(pk=company_user.pk)) == busy
    assert roles.organisation_of(User.objects.get(pk=buyer_user.pk)) == buyer
    assert company_user.check_password(DEMO_PASSWORD) and company_user.external_account.accepted_at
    assert User.objects.filter(username__in=["entreprise", "donneur"]).count() == 2
    assert isinstance(buyer_user.external_account.accepted_at, datetime.datetime)
