"""Probes of the invitations and of signing in as an external user (issue 16): another user's uid with my
token, the password reset of a pending or revoked account, odd names, internal addresses, role confusion."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clauses_site import roles
from spaces.models import ExternalAccount
from spaces.tokens import invitation_token
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.spaces.test_invitations import NEW_PASSWORD, accept, invite, link_of


@pytest.fixture
def company(db):
    return CompanyFactory(name="Béton Côte d'Opale")


def test_my_token_with_another_user_s_uid_does_not_work(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    invite(facilitator, company, email="moi@beton.example")
    invite(facilitator, company, email="autre@beton.example")
    mine = ExternalAccount.objects.get(user__username="moi@beton.example").user
    other = ExternalAccount.objects.get(user__username="autre@beton.example").user
    token = invitation_token.make_token(mine)
    uid = urlsafe_base64_encode(force_bytes(other.pk))
    browser = Client()
    response = browser.get(reverse("spaces:accept", args=[uid, token]), follow=True)
    assert "Ce lien d'invitation ne fonctionne plus" in response.content.decode().replace("&#x27;", "'")
    # nor for an internal user's uid
    manager = UserFactory(username="chef", is_superuser=True)
    token = invitation_token.make_token(manager)
    uid = urlsafe_base64_encode(force_bytes(manager.pk))
    response = browser.get(reverse("spaces:accept", args=[uid, token]))
    assert response.status_code == 200  # the page « ne fonctionne plus », no form
    response = browser.post(
        reverse("spaces:accept", args=[uid, "mot-de-passe"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    manager.refresh_from_db()
    assert not manager.check_password(NEW_PASSWORD)


def _reset(email):
    mail.outbox.clear()
    Client().post(reverse("password_reset"), {"email": email})
    return list(mail.outbox)


def test_password_reset_does_not_open_a_pending_or_revoked_account(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    invite(facilitator, company)
    link = link_of(mail.outbox[0])
    assert _reset("paul.lefort@beton.example") == []  # pending: no usable password
    accept(Client(), link)
    sent = _reset("paul.lefort@beton.example")
    assert len(sent) == 1  # an active account may reset its password
    account = ExternalAccount.objects.get()
    facilitator.post(reverse("external_accounts:revoke", args=[account.pk]))
    # The reset link sent before the revocation no longer works.
    path = re.search(r"http://testserver(/\S+)", sent[0].body).group(1)
    browser = Client()
    response = browser.get(path)
    if response.status_code == 302:
        response = browser.post(
            response.url,
            {"new_password1": "Autre-mot-de-passe-2026", "new_password2": "Autre-mot-de-passe-2026"},
        )
    account.user.refresh_from_db()
    assert not account.user.check_password("Autre-mot-de-passe-2026")
    assert not account.user.is_active
    assert _reset("paul.lefort@beton.example") == []  # revoked: nothing sent


def test_odd_names_and_addresses(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    response = invite(facilitator, company, email="a@b.example\r\nBcc: evil@example.org")
    assert not ExternalAccount.objects.exists() and mail.outbox == []
    response = invite(facilitator, company, email="paul@beton.example", name="Paul\r\nBcc: evil@example.org")
    assert response.status_code == 302
    assert [m.recipients() for m in mail.outbox] == [["paul@beton.example"]]
    assert "Bcc" not in str(mail.outbox[0].message()).split("\n\n", 1)[0]


def test_an_organisation_name_with_a_line_break_does_not_break_the_invitation(client_for):
    company = CompanyFactory(name="Béton\r\nBcc: evil@example.org")
    response = invite(client_for(roles.FACILITATOR), company, email="paul@beton.example")
    assert response.status_code == 302
    assert [m.recipients() for m in mail.outbox] == [["paul@beton.example"]]
    assert "\n" not in mail.outbox[0].subject


def test_an_internal_address_is_never_invited(client_for, company):
    UserFactory(username="marie", email="Marie.Martin@plie.example", is_superuser=True)
    UserFactory(username="jean@plie.example", email="")
    facilitator = client_for(roles.FACILITATOR)
    for email in (" marie.martin@PLIE.example ", "JEAN@plie.example"):
        invite(facilitator, company, email=email)
    assert not ExternalAccount.objects.exists() and mail.outbox == []
    manager = get_user_model().objects.get(username="marie")
    assert manager.is_active and manager.has_usable_password()


def test_a_reader_neither_invites_nor_revokes_and_a_wrong_pk_is_404(client_for, company):
    reader, facilitator = client_for(roles.READER), client_for(roles.FACILITATOR)
    assert invite(reader, company).status_code == 403
    assert not ExternalAccount.objects.exists()
    invite(facilitator, company)
    account = ExternalAccount.objects.get()
    assert reader.post(reverse("external_accounts:revoke", args=[account.pk])).status_code == 403
    account.refresh_from_db()
    assert account.revoked_at is None
    internal = get_user_model().objects.get(username="u-lecteur")
    assert facilitator.post(reverse("external_accounts:revoke", args=[account.pk + 1000])).status_code == 404
    internal.refresh_from_db()
    assert internal.is_active


def test_a_revoked_user_s_session_ends_on_every_page(world, signed_in):
    from spaces import invitations

    user = world["users"]["a"]
    browser = signed_in(user)
    invitations.revoke(user.external_account, None)
    for url in ("/espace/", "/espace/declarations/2025/6/", "/mot-de-passe/"):
        response = browser.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert browser.post("/espace/declarations/2025/6/", {}).status_code == 302


def test_an_expired_invitation_can_be_sent_again(client_for, company, monkeypatch):
    """A contact who did not open the link within 7 days was stuck (« Un compte existe déjà », and no
    password reset for an account without password): the team sends the invitation again."""
    import datetime

    from spaces.tokens import InvitationTokenGenerator

    facilitator = client_for(roles.FACILITATOR)
    invite(facilitator, company)
    old_link = link_of(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=8)
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    first_sent = ExternalAccount.objects.get().invited_at
    response = invite(facilitator, company, email="PAUL.lefort@beton.example")
    page = unescape(facilitator.get(response.url).content.decode())
    assert "Invitation envoyée à nouveau à paul.lefort@beton.example" in page
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["paul.lefort@beton.example"]
    account = ExternalAccount.objects.get()
    assert account.invited_at > first_sent
    browser = Client()
    assert "ne fonctionne plus" in unescape(browser.get(old_link, follow=True).content.decode())
    monkeypatch.undo()  # the new link, opened at once
    response = accept(browser, link_of(mail.outbox[1]))
    assert response.status_code == 302 and response.url == reverse("spaces:home")
    # Never for another organisation's, an accepted or a revoked account.
    other = CompanyFactory(name="Peintures du Nord")
    for organisation in (other, company):
        invite(facilitator, organisation, email="paul.lefort@beton.example")
    invite(facilitator, company, email="revoque@beton.example")
    revoked = ExternalAccount.objects.get(user__username="revoque@beton.example")
    facilitator.post(reverse("external_accounts:revoke", args=[revoked.pk]))
    invite(facilitator, company, email="revoque@beton.example")
    assert len(mail.outbox) == 3
    assert ExternalAccount.objects.filter(company=other).count() == 0
