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
