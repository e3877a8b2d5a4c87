"""External users and their organisations.

The role × URL matrix signs in one user of each external role (tests/conftest.py client_for), bound to
« the space's » company or buyer (own_company(), own_buyer(): found again by name), so that the matrix's
URL_KWARGS can build that organisation's objects before the user exists."""

from django.contrib.auth.models import Group
from django.utils import timezone

from clauses_site import roles
from companies.models import Company
from spaces.models import ExternalAccount
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory

OWN_COMPANY = "Entreprise de l'espace SAS"
OWN_BUYER = "Donneur d'ordre de l'espace"


def own_company():
    return Company.objects.filter(name=OWN_COMPANY).first() or CompanyFactory(name=OWN_COMPANY)


def own_buyer():
    return BuyerFactory(name=OWN_BUYER)


def external_user(organisation, username=None, accepted=True, **fields):
    """A user of `organisation` (a Company or a Buyer): its group and its ExternalAccount."""
    is_company = isinstance(organisation, Company)
    role = roles.COMPANY_USER if is_company else roles.BUYER_USER
    user = UserFactory(username=username or f"externe-{organisation.pk}-{role[:3].lower()}", **fields)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    now = timezone.now()
    ExternalAccount.objects.create(
        user=user,
        company=organisation if is_company else None,
        buyer=None if is_company else organisation,
        invited_at=now,
        accepted_at=now if accepted else None,
    )
    return user


def client_user(role):
    """The user client_for(role) signs in for an external role."""
    organisation = own_company() if role == roles.COMPANY_USER else own_buyer()
    return external_user(
        organisation, username=f"u-{'entreprise' if role == roles.COMPANY_USER else 'donneur'}"
    )


def own_lot(company=None, buyer=None):
    """A lot with a clause of `buyer`'s market, awarded to `company` (defaults: the space's own)."""
    market = MarketFactory(buyer=buyer or own_buyer())
    lot = LotFactory(market=market)
    ClauseFactory(lot=lot)
    AwardFactory(lot=lot, company=company or own_company())
    return lot
