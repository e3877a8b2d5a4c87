"""Authentication as for health data: log-ins throttled (django-axes, user + address), the manager
unlocks; passwords of 12 characters or more, not common; sessions that end after 30 minutes idle and when
the browser closes; a password reset that never says whether an account exists; no caching of pages and
exports shown to a signed-in user."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clauses_site import security
from demo.users import DEMO_PASSWORD, create_demo_users
from tests.factories import PASSWORD, UserFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
LOGIN = "/connexion/"
LOCKED = "Trop de tentatives : compte bloqué 15 minutes"


def post_login(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client):
    return SESSION_KEY in client.session


# --- Throttling ---------------------------------------------------------------------------------------


def test_five_failures_lock_the_user_and_address_for_15_minutes_with_a_french_message():
    UserFactory(username="claire", facilitator=True)
    client = Client()
    for _ in range(4):
        response = post_login(client, "claire", "pas-le-bon")
        assert response.status_code == 200
        assert "mot de passe valides" in response.content.decode()
    fifth = post_login(client, "claire", "pas-le-bon")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert 'value="claire"' in fifth.content.decode()  # the login page again, its user name kept

    right_password = post_login(client, "claire", PASSWORD)
    assert right_password.status_code == 429
    assert LOCKED in right_password.content.decode()
    assert not logged_in(client)


def test_the_lock_is_for_the_pair_user_and_address():
    UserFactory(username="claire", facilitator=True)
    UserFactory(username="sophie", facilitator=True)
    for _ in range(5):
        post_login(Client(), "claire", "pas-le-bon", address="10.0.0.1")

    other_address = Client()
    assert post_login(other_address, "claire", PASSWORD, address="10.0.0.2").status_code == 302
    assert logged_in(other_address)
    other_user = Client()
    assert post_login(other_user, "sophie", PASSWORD, address="10.0.0.1").status_code == 302
    assert logged_in(other_user)


def test_the_lock_ends_after_15_minutes():
    UserFactory(username="claire", facilitator=True)
    for _ in range(5):
        post_login(Client(), "claire", "pas-le-bon")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    client = Client()
    assert post_login(client, "claire", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_success_forgets_the_earlier_failures():
    UserFactory(username="claire", facilitator=True)
    for _ in range(4):
        post_login(Client(), "claire", "pas-le-bon")
    post_login(Client(), "claire", PASSWORD)
    for _ in range(4):
        post_login(Client(), "claire", "pas-le-bon")
    client = Client()
    assert post_login(client, "claire", PASSWORD).status_code == 302


def test_the_manager_sees_the_lock_and_unlocks_from_the_team_accounts(manager):
    claire = UserFactory(username="claire", facilitator=True)
    for _ in range(5):
        post_login(Client(), "claire", "pas-le-bon")
    admin = Client()
    admin.force_login(manager)

    users = admin.get(reverse("admin:auth_user_changelist"))
    assert users.status_code == 200
    locked = {u.username: u.is_locked_out for u in users.context["cl"].result_list}
    assert locked == {"claire": True, "responsable-test": False}
    attempts = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert attempts.status_code == 200
    assert "claire" in attempts.content.decode()

    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock", "_selected_action": [claire.pk]},
        follow=True,
    )
    assert "Connexion débloquée : 1 tentative(s) effacée(s)." in response.content.decode()
    client = Client()
    assert post_login(client, "claire", PASSWORD).status_code == 302
    assert logged_in(client)


def test_only_the_manager_opens_the_login_attempts(client_for):
    url = reverse("admin:axes_accessattempt_changelist")
    assert client_for("Responsable").get(url).status_code == 200
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(LOGIN)
    for role in ("Facilitatrice", "Lecteur"):
        response = client_for(role).get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_admin_login_is_throttled_too():
    UserFactory(username="responsable", manager=True)
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "responsable", "password": "non"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


# --- Passwords ----------------------------------------------------------------------------------------


def test_passwords_need_12_characters_and_must_not_be_common():
    user = User(username="claire", first_name="Claire", last_name="Vandenbussche")
    with pytest.raises(ValidationError) as short:
        validate_password("Court-11car", user)
    assert "au minimum 12 caractères" in " ".join(short.value.messages)
    with pytest.raises(ValidationError) as common:
        validate_password("qwerty123456", user)
    assert "trop courant" in " ".join(common.value.messages)
    validate_password("une phrase de passe longue", user)
    validate_password(DEMO_PASSWORD, user)  # demo-clauses: 12 characters


def test_the_password_change_form_refuses_a_short_password(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Court-11car", "new_password2": "Court-11car"},
    )
    assert response.status_code == 200
    assert "au minimum 12 caractères" in response.content.decode()


def test_the_demo_accounts_log_in_with_the_demo_password():
    create_demo_users()
    for username in ("responsable", "facilitatrice", "facilitatrice2", "lecteur"):
        client = Client()
        assert post_login(client, username, DEMO_PASSWORD).status_code == 302, username
        assert logged_in(client)


# --- Sessions -----------------------------------------------------------------------------------------


def test_the_session_cookie_ends_with_the_browser_and_the_session_after_30_minutes(facilitator):
    client = Client()
    response = post_login(client, facilitator.username, PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    remaining = session.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)


def test_an_idle_session_ends_and_the_next_page_asks_for_the_password(facilitator):
    client = Client()
    client.force_login(facilitator)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_activity_pushes_the_end_of_the_session_on(facilitator):
    client = Client()
    client.force_login(facilitator)
    session = client.session
    session[security.ACTIVITY_SESSION_KEY] = int(time.time()) - 20 * 60  # last saved 20 minutes ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=10))

    assert client.get(reverse("home")).status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)


# --- Password reset -----------------------------------------------------------------------------------


def test_the_reset_answer_is_the_same_for_a_known_and_an_unknown_address():
    UserFactory(username="claire", email="claire@example.org", facilitator=True)
    known = Client().post(reverse("password_reset"), {"email": "claire@example.org"}, follow=True)
    unknown = Client().post(reverse("password_reset"), {"email": "personne@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert "Si un compte actif correspond à cette adresse" in known.content.decode()
    assert [m.to for m in mail.outbox] == [["claire@example.org"]]


def test_the_emailed_link_sets_a_new_password_and_lifts_a_lock():
    UserFactory(username="claire", email="claire@example.org", facilitator=True)
    for _ in range(5):
        post_login(Client(), "claire", "pas-le-bon")
    Client().post(reverse("password_reset"), {"email": "claire@example.org"})
    message = mail.outbox[0]
    assert message.subject == "Clauses : choisir un nouveau mot de passe"
    assert "« claire »" in message.body
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link.split("testserver", 1)[1]

    client = Client()
    form = client.get(path, follow=True)
    assert "Au moins 12 caractères" in form.content.decode()
    short = client.post(form.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"})
    assert "au minimum 12 caractères" in short.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "une phrase de passe longue", "new_password2": "une phrase de passe longue"},
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    again = Client()
    assert post_login(again, "claire", "une phrase de passe longue").status_code == 302
    assert logged_in(again)
    # The link served once.
    assert "Ce lien ne fonctionne plus" in Client().get(path, follow=True).content.decode()


def test_the_login_page_links_to_the_reset():
    assert reverse("password_reset") in Client().get(LOGIN).content.decode()


# --- Cache-Control ------------------------------------------------------------------------------------


def test_pages_and_exports_with_personal_data_are_not_stored(client_for):
    participant = ParticipantFactory()
    client = client_for("Responsable")
    page = client.get(reverse("participants:participant_detail", args=[participant.pk]))
    export = client.get(reverse("participants:participant_list") + "?export=xlsx")
    assert page.status_code == export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    for response in (page, export):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_test_clients_login_goes_through_the_throttle(client, facilitator):
    """tests/conftest.py gives Client.login a request, as django-axes needs one."""
    assert client.login(username=facilitator.username, password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    for _ in range(5):
        assert not Client().login(username=facilitator.username, password="pas-le-bon")
    assert not Client().login(username=facilitator.username, password=PASSWORD)
