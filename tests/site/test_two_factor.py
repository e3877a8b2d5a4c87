"""Two-factor authentication (TOTP, django-otp): required of the Responsable and the admin when
CLAUSES_REQUIRE_2FA is on (the default when DEBUG=0), offered to everyone from « Double
authentification »; a user with a device types a code after the password."""

import html
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.site.test_settings import run_manage

pytestmark = pytest.mark.django_db
SETUP = reverse("two_factor")
VERIFY = reverse("two_factor_verify")
MARKETS = reverse("markets:market_list")


@pytest.fixture
def required(settings):
    settings.CLAUSES_REQUIRE_2FA = True


def code(device, shift=0):
    """The code the authenticator app shows now (shift: that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + shift * device.step
    return f"{totp.token():06d}"


def wrong(device):
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def password_login(username):
    client = Client()
    response = client.post("/connexion/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def text(response):
    return html.unescape(response.content.decode())


def device_for(user):
    return TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


def test_a_manager_without_a_device_is_sent_to_enrol_first(required, manager):
    client = password_login(manager.username)
    response = client.get(MARKETS)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Fmarches%2F"
    page = client.get(response.url)
    assert "Votre rôle exige la double authentification" in text(page)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


def test_enrolment_by_qr_code_then_a_code_opens_the_pages(required, manager):
    client = password_login(manager.username)
    page = client.get(f"{SETUP}?next={MARKETS}").content.decode()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert '<svg width="' in page  # the QR code, inline (no image served, nothing from outside)
    secret = page.split('data-testid="secret">')[1].split("<")[0]
    assert len(secret.replace(" ", "")) == 32

    refused = client.post(SETUP, {"code": wrong(device), "next": MARKETS})
    assert "Ce code n'est pas le bon" in text(refused)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second

    done = client.post(SETUP, {"code": code(device), "next": MARKETS})
    assert done.status_code == 302 and done.url == MARKETS
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(MARKETS).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_with_a_device_the_code_is_asked_after_the_password(required, manager):
    device = device_for(manager)
    client = password_login(manager.username)
    response = client.get(MARKETS)
    assert response.url == f"{VERIFY}?next=%2Fmarches%2F"
    assert client.get(reverse("home")).url.startswith(VERIFY)

    refused = client.post(VERIFY, {"code": wrong(device), "next": MARKETS})
    assert refused.status_code == 200
    assert "Ce code n'est pas le bon" in text(refused)
    assert client.get(MARKETS).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()

    letters = client.post(VERIFY, {"code": "12a456", "next": MARKETS})
    assert "Le code doit compter 6 chiffres" in text(letters)
    ok = client.post(VERIFY, {"code": code(device), "next": MARKETS})
    assert ok.status_code == 302 and ok.url == MARKETS
    assert client.get(MARKETS).status_code == 200


def test_codes_typed_too_fast_after_a_wrong_one_wait(required, manager):
    device = device_for(manager)
    client = password_login(manager.username)
    client.post(VERIFY, {"code": wrong(device)})
    throttled = client.post(VERIFY, {"code": code(device)})
    assert "Trop de codes erronés" in text(throttled)
    assert client.get(MARKETS).status_code == 302


def test_a_code_serves_once(required, manager):
    device = device_for(manager)
    first = password_login(manager.username)
    token = code(device)
    assert first.post(VERIFY, {"code": token}).status_code == 302
    second = password_login(manager.username)
    replay = second.post(VERIFY, {"code": token})
    assert "Ce code n'est pas le bon (ou a déjà servi)" in text(replay)


def test_a_superuser_needs_it_for_the_admin(required):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(SETUP)


def test_it_is_offered_not_required_to_facilitators_and_readers(required, facilitator, reader):
    for user in (facilitator, reader):
        client = password_login(user.username)
        assert client.get(MARKETS).status_code == 200
        page = client.get(SETUP).content.decode()
        assert "Non activée" in page
        assert "Votre rôle exige" not in page


def test_a_facilitator_who_enrolled_is_asked_for_the_code_even_when_not_required(facilitator):
    device = device_for(facilitator)
    client = password_login(facilitator.username)
    assert client.get(MARKETS).url.startswith(VERIFY)
    client.post(VERIFY, {"code": code(device)})
    assert client.get(MARKETS).status_code == 200


def test_not_required_in_development_a_manager_works_without_a_device(manager):
    client = password_login(manager.username)  # tests/conftest.py: CLAUSES_REQUIRE_2FA off
    assert client.get(MARKETS).status_code == 200


def test_removing_it_needs_a_code(facilitator):
    device = device_for(facilitator)
    client = password_login(facilitator.username)
    client.post(VERIFY, {"code": code(device)})
    page = client.get(SETUP).content.decode()
    assert "Activée" in page
    refused = client.post(SETUP, {"action": "remove", "code": "000000"})
    assert "Ce code n'est pas le bon" in text(refused)
    assert TOTPDevice.objects.filter(user=facilitator).exists()
    device.refresh_from_db()
    device.throttle_reset()
    removed = client.post(SETUP, {"action": "remove", "code": code(device, shift=1)}, follow=True)
    assert "Double authentification retirée." in text(removed)
    assert "Non activée" in text(removed)
    assert not TOTPDevice.objects.filter(user=facilitator, confirmed=True).exists()
    assert password_login(facilitator.username).get(MARKETS).status_code == 200


def test_the_manager_removes_a_lost_phone_from_the_team_accounts(manager):
    claire = UserFactory(username="claire", facilitator=True)
    device_for(claire)
    admin = Client()
    admin.force_login(manager)
    users = admin.get(reverse("admin:auth_user_changelist"))
    assert {u.username: u.has_2fa for u in users.context["cl"].result_list} == {
        "claire": True,
        "responsable-test": False,
    }
    admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "remove_two_factor", "_selected_action": [claire.pk]},
    )
    assert not TOTPDevice.objects.filter(user=claire).exists()


def test_the_user_menu_offers_it(client_for):
    page = client_for("Lecteur").get(reverse("home")).content.decode()
    assert f'href="{SETUP}">Double authentification</a>' in page


def test_required_by_default_when_debug_is_off_and_not_in_development(tmp_path):
    show = "from django.conf import settings; print(settings.CLAUSES_REQUIRE_2FA)"
    deployed = run_manage("shell", "-c", show, SECRET_KEY="x" * 60, CLAUSES_VAR_DIR=str(tmp_path))
    development = run_manage("shell", "-c", show, DEBUG="1", CLAUSES_VAR_DIR=str(tmp_path))
    turned_off = run_manage(
        "shell", "-c", show, SECRET_KEY="x" * 60, CLAUSES_REQUIRE_2FA="0", CLAUSES_VAR_DIR=str(tmp_path)
    )
    assert deployed.stdout.strip().splitlines()[-1] == "True", deployed.stderr
    assert development.stdout.strip().splitlines()[-1] == "False", development.stderr
    assert turned_off.stdout.strip().splitlines()[-1] == "False", turned_off.stderr
