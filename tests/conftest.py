import pytest
from django.http import HttpRequest
from django.test import Client
from django.test.client import ClientMixin

from clauses_site import roles
from tests.factories import UserFactory

ROLE_TRAITS = {
    roles.MANAGER: {"manager": True},
    roles.FACILITATOR: {"facilitator": True},
    roles.READER: {"reader": True},
}


# django-axes checks every authenticate() against the caller's address and refuses one without a
# request: the test client's login(username=..., password=...) passes one, from 127.0.0.1 (force_login
# does not authenticate and needs nothing).
_client_login = ClientMixin.login


def _login_with_a_request(self, **credentials):
    if "request" not in credentials:
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        credentials["request"] = request
    return _client_login(self, **credentials)


ClientMixin.login = _login_with_a_request


def pytest_report_header(config):
    # Which database this run uses: ./test runs the suite on SQLite, then on PostgreSQL.
    from django.db import connection

    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host")
    return f"database: {connection.vendor} ({db['NAME']}{f' on {host}' if host else ''})"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Everything under tests/e2e/ is a browser test: ./test runs them in their own pass.
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """./test runs with DEBUG=0, where two-factor authentication is required of the manager: tests log in
    with force_login and no device, so the requirement is off unless a test turns it on
    (tests/site/test_two_factor.py does, and logs in with a real TOTP code)."""
    settings.CLAUSES_REQUIRE_2FA = False


@pytest.fixture
def manager(db):
    return UserFactory(username="responsable-test", manager=True)


@pytest.fixture
def facilitator(db):
    return UserFactory(username="facilitatrice-test", facilitator=True)


@pytest.fixture
def reader(db):
    return UserFactory(username="lecteur-test", reader=True)


@pytest.fixture
def client_for(db):
    """client_for(role) -> a Client logged in as a user of that role (None: anonymous)."""

    def make(role):
        client = Client()
        if role in roles.EXTERNAL_ROLES:  # a user of the space's own company or buyer
            from tests.spaces.factories import client_user

            client.force_login(client_user(role))
        elif role is not None:
            user = UserFactory(username=f"u-{role.lower()}", **ROLE_TRAITS[role])
            client.force_login(user)
        return client

    return make
