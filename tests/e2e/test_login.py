from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import UserFactory


def test_a_facilitator_logs_in_and_sees_the_dashboard(login, live_server, transactional_db):
    user = UserFactory(username="claire", first_name="Claire", facilitator=True)
    page = login(user)
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Facilitatrice")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Tableau de bord")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Claire").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_a_wrong_password_is_refused_in_french(page, live_server, transactional_db):
    UserFactory(username="claire", facilitator=True)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe valides")


def test_five_wrong_passwords_lock_the_account_with_a_french_message(page, live_server, transactional_db):
    UserFactory(username="claire", facilitator=True)
    page.goto(f"{live_server.url}/connexion/")
    for _ in range(5):
        page.get_by_label("Identifiant").fill("claire")
        page.get_by_label("Mot de passe").fill("pas-le-bon")
        page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("locked-out")).to_contain_text("Trop de tentatives : compte bloqué 15 minutes")
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()


def test_a_manager_enrols_an_authenticator_app_then_works(login, live_server, transactional_db, settings):
    settings.CLAUSES_REQUIRE_2FA = True
    manager = UserFactory(username="nadia", first_name="Nadia", manager=True)
    page = login(manager)
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    expect(page.get_by_test_id("two-factor-required")).to_be_visible()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret + "=" * (-len(secret) % 8)))
    page.get_by_label("Code à 6 chiffres").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Double authentification activée")
