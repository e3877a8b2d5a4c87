"""Invitations (spaces/invitations.py, spaces/views_team.py): the team invites a contact from a company's
or a buyer's page; the e-mail (French, with the link) goes through Django's e-mail framework (locmem in
tests); the link works once, for 7 days, never for a revoked account; a revoked account can no longer
log in and its sessions end."""

import datetime
import re
import smtplib
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from clauses_site import roles
from spaces.models import ExternalAccount
from spaces.tokens import InvitationTokenGenerator, invitation_token
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory

NEW_PASSWORD = "Chantier-du-port-2026"
LINK = re.compile(r"http://testserver(/espace/invitation/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def company(db):
    return CompanyFactory(name="Béton Côte d'Opale")


def invite(client, organisation, email="Paul.Lefort@Beton.example", name="Paul Lefort"):
    kind = "company" if organisation.__class__.__name__ == "Company" else "buyer"
    url = reverse(f"external_accounts:invite_{kind}", args=[organisation.pk])
    return client.post(url, {"email": email, "name": name})


def link_of(message):
    return LINK.search(message.body).group(1)


def accept(client, link, password=NEW_PASSWORD):
    """Open the link (it moves the token into the session), then choose the password."""
    response = client.get(link)
    assert response.status_code == 302, response.status_code
    form_url = response.url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_team_invites_a_company_contact(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    response = invite(facilitator, company)
    assert response.status_code == 302 and response.url == company.get_absolute_url()
    account = ExternalAccount.objects.get()
    user = account.user
    assert (user.username, user.email, user.first_name) == ("paul.lefort@beton.example",) * 2 + (
        "Paul Lefort",
    )
    assert not user.has_usable_password() and user.is_active and not user.is_staff
    assert account.company == company and account.buyer is None and account.accepted_at is None
    assert account.invited_by.username == "u-facilitatrice"
    assert roles.external_role(user) == roles.COMPANY_USER
    [message] = mail.outbox
    assert message.to == ["paul.lefort@beton.example"]
    assert message.subject == "Votre espace Clauses — Béton Côte d'Opale"
    assert "Bonjour Paul Lefort," in message.body
    assert "l'espace en ligne de l'entreprise Béton Côte d'Opale" in message.body
    assert "valable 7 jours, une seule fois" in message.body
    assert "Votre identifiant : paul.lefort@beton.example" in message.body
    assert link_of(message).startswith("/espace/invitation/")
    # The team sees it on the company's page: invited, not accepted, never logged in.
    page = unescape(facilitator.get(company.get_absolute_url()).content.decode())
    assert "paul.lefort@beton.example" in page and "Invitation envoyée" in page and "jamais" in page
    assert "Inviter un contact" in page


def test_a_buyer_contact_too(client_for):
    buyer = BuyerFactory(name="Ville de Gravelines")
    invite(client_for(roles.MANAGER), buyer, email="marie@gravelines.example", name="Marie Roussel")
    account = ExternalAccount.objects.get()
    assert account.buyer == buyer and account.company is None
    assert roles.external_role(account.user) == roles.BUYER_USER
    assert "l'espace en ligne du donneur d'ordre Ville de Gravelines" in mail.outbox[0].body


def test_only_facilitators_and_the_manager_invite(client_for, company):
    assert invite(client_for(roles.READER), company).status_code == 403
    assert invite(client_for(roles.COMPANY_USER), company).status_code == 403
    assert not ExternalAccount.objects.exclude(user__username="u-entreprise").exists() and not mail.outbox
    reader_page = client_for(roles.READER).get(company.get_absolute_url()).content.decode()
    assert "Inviter un contact" not in reader_page


def test_an_address_with_an_account_is_not_invited_again(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    UserFactory(username="camille", email="Camille@Example.org")
    response = invite(facilitator, company, email="camille@example.org")
    assert not ExternalAccount.objects.exists() and not mail.outbox
    page = unescape(facilitator.get(response.url).content.decode())
    assert "Un compte existe déjà pour l'adresse camille@example.org" in page
    invite(facilitator, company, email="pas-une-adresse")
    assert not ExternalAccount.objects.exists()
    page = unescape(facilitator.get(response.url).content.decode())
    assert "Invitation non envoyée — Courriel : Saisissez une adresse de courriel valide." in page


def test_a_message_that_cannot_be_sent_creates_no_account(client_for, company, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("spaces.invitations.send_mail", refuse)
    facilitator = client_for(roles.FACILITATOR)
    response = invite(facilitator, company)
    assert not ExternalAccount.objects.exists()
    assert not get_user_model().objects.filter(email="paul.lefort@beton.example").exists()
    page = unescape(facilitator.get(response.url).content.decode())
    assert "n'a pas pu être envoyé" in page and "aucun compte n'a été créé" in page


def test_the_link_works_once_and_signs_in_to_the_space(client_for, company):
    invite(client_for(roles.FACILITATOR), company)
    link = link_of(mail.outbox[0])
    browser = Client()
    # Too weak a password: Django's validators, in French.
    response = accept(browser, link, password="123")
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in unescape(response.content.decode())
    response = browser.post(
        response.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("spaces:home")
    assert browser.get(reverse("spaces:home")).status_code == 200  # signed in
    account = ExternalAccount.objects.get()
    assert account.accepted_at is not None and account.user.check_password(NEW_PASSWORD)
    # Used: the link no longer works (for anyone).
    page = Client().get(link, follow=True)
    assert "Ce lien d'invitation ne fonctionne plus" in unescape(page.content.decode())
    assert Client().login(username="paul.lefort@beton.example", password=NEW_PASSWORD)
    page = unescape(client_for(roles.FACILITATOR).get(company.get_absolute_url()).content.decode())
    assert "Actif depuis le" in page


def test_the_link_expires_after_7_days(client_for, company, monkeypatch):
    invite(client_for(roles.FACILITATOR), company)
    link = link_of(mail.outbox[0])
    user = ExternalAccount.objects.get().user
    token = link.rstrip("/").rsplit("/", 1)[1]
    sent = datetime.datetime.now()
    monkeypatch.setattr(
        InvitationTokenGenerator, "_now", lambda self: sent + datetime.timedelta(days=6, hours=23)
    )
    assert invitation_token.check_token(user, token)  # 3 hours (a password reset's life) are long past
    monkeypatch.setattr(
        InvitationTokenGenerator, "_now", lambda self: sent + datetime.timedelta(days=7, seconds=2)
    )
    assert not invitation_token.check_token(user, token)
    page = Client().get(link, follow=True)
    assert "Ce lien d'invitation ne fonctionne plus" in unescape(page.content.decode())
    # A password-reset token of the same user is not an invitation token, nor the other way round.
    from django.contrib.auth.tokens import default_token_generator

    monkeypatch.undo()
    assert not default_token_generator.check_token(user, token)
    assert not invitation_token.check_token(user, default_token_generator.make_token(user))


def test_revoked_account_cannot_log_in_and_its_sessions_end(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    invite(facilitator, company)
    link = link_of(mail.outbox[0])
    browser = Client()
    accept(browser, link)
    assert browser.get(reverse("spaces:home")).status_code == 200
    account = ExternalAccount.objects.get()
    # One click on the company's page (a POST).
    assert facilitator.get(reverse("external_accounts:revoke", args=[account.pk])).status_code == 405
    assert (
        client_for(roles.READER).post(reverse("external_accounts:revoke", args=[account.pk])).status_code
        == 403
    )
    response = facilitator.post(reverse("external_accounts:revoke", args=[account.pk]))
    assert response.url == company.get_absolute_url()
    account.refresh_from_db()
    assert account.revoked_at is not None and account.revoked_by.username == "u-facilitatrice"
    assert not account.user.is_active
    # The open session is over: sent to the login page.
    response = browser.get(reverse("spaces:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Client().login(username="paul.lefort@beton.example", password=NEW_PASSWORD)
    page = unescape(facilitator.get(company.get_absolute_url()).content.decode())
    assert "Révoqué le" in page


def test_a_revoked_invitation_link_no_longer_works(client_for, company):
    facilitator = client_for(roles.FACILITATOR)
    invite(facilitator, company)
    link = link_of(mail.outbox[0])
    account = ExternalAccount.objects.get()
    facilitator.post(reverse("external_accounts:revoke", args=[account.pk]))
    page = Client().get(link, follow=True)
    assert "Ce lien d'invitation ne fonctionne plus" in unescape(page.content.decode())
    assert not ExternalAccount.objects.get().user.has_usable_password()
