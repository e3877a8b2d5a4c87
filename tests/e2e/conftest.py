"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live server."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CLAUSES_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless=new",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


def sign_in(page, base_url, user, password=None):
    """Through the real login form, on any page (one of a context of one's own: another width, no
    JavaScript); returns the page."""
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


@pytest.fixture
def login(page, live_server):
    """login(user) -> the page, logged in through the real login form."""

    def do(user, password=None):
        return sign_in(page, live_server.url, user, password)

    return do


@pytest.fixture
def pipeline_markets(transactional_db):
    """Three markets of the Ville de Dunkerque on the board (M-1 and M-2 « Repéré », M-3 « À l'étude »);
    returns Claire, a facilitator, to move them."""
    from markets.models import Stage
    from tests.factories import UserFactory
    from tests.markets.factories import BuyerFactory, MarketFactory

    buyer = BuyerFactory(name="Ville de Dunkerque")
    for ref, stage in [("M-1", Stage.SPOTTED), ("M-2", Stage.SPOTTED), ("M-3", Stage.STUDY)]:
        MarketFactory(
            reference=ref, title=f"Marché {ref}", buyer=buyer, stage=stage, starts_on=None, ends_on=None
        )
    return UserFactory(username="claire", first_name="Claire", facilitator=True)
