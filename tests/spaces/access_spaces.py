"""The spaces (spaces/views.py: /espace/…) and the team's invitations (spaces/views_team.py:
/comptes-externes/…). The external users are those of tests/spaces/factories.py (the space's own company
and buyer); the objects below are theirs, so that 200 means « my own » (another organisation's: 404 in
tests/spaces/test_isolation.py)."""

from tests.access_shapes import POST_ONLY, everyone, external

MATRIX = {
    "spaces:home": external(),
    "spaces:market": external(company=404),  # a market is a buyer's page
    "spaces:lot": external(),
    "spaces:declaration": external(buyer=404),  # a company's monthly declaration; a buyer declares nothing
    # The invitation's link, open to anyone (an invalid one here: « Ce lien d'invitation ne fonctionne plus »)
    "spaces:accept": everyone(anonymous=200, company=200, buyer=200),
    "external_accounts:invite_company": POST_ONLY,
    "external_accounts:invite_buyer": POST_ONLY,
    "external_accounts:revoke": POST_ONLY,
}


def _own_lot():
    from tests.spaces.factories import own_lot

    return {"pk": own_lot().pk}


def _own_market():
    from tests.spaces.factories import own_lot

    return {"pk": own_lot().market_id}


def _company():
    from tests.companies.factories import CompanyFactory

    return {"pk": CompanyFactory().pk}


def _buyer():
    from tests.markets.factories import BuyerFactory

    return {"pk": BuyerFactory().pk}


def _account():
    from tests.spaces.factories import external_user, own_company

    return {"pk": external_user(own_company(), username="compte-a-revoquer").external_account.pk}


URL_KWARGS = {
    "spaces:declaration": lambda: {"year": 2025, "month": 1},  # a past month (the matrix runs today)
    "spaces:lot": _own_lot,
    "spaces:market": _own_market,
    "spaces:accept": lambda: {"uidb64": "MQ", "token": "lien-perime"},
    "external_accounts:invite_company": _company,
    "external_accounts:invite_buyer": _buyer,
    "external_accounts:revoke": _account,
}
