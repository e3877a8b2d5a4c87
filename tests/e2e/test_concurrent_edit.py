"""Two colleagues edit the same participant in their browsers: the second save is refused, her values
kept in the form, the alert naming the colleague and the field he changed."""

import pytest

from participants.models import Participant
from tests.factories import PASSWORD, UserFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_as(browser, live_server, user):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


def test_the_older_page_is_refused_and_keeps_what_was_typed(browser, live_server):
    anne = UserFactory(username="anne", first_name="Anne", last_name="Durand", facilitator=True)
    bruno = UserFactory(username="bruno", first_name="Bruno", last_name="Vasseur", facilitator=True)
    person = ParticipantFactory(last_name="Lefèvre", first_name="Élodie", commune="Dunkerque", qpv=None)
    url = f"{live_server.url}/participants/{person.pk}/modifier/"
    a, b = open_as(browser, live_server, anne), open_as(browser, live_server, bruno)
    a.goto(url)
    b.goto(url)
    b.locator("#id_commune").fill("Grande-Synthe")
    b.get_by_role("button", name="Enregistrer").click()
    b.wait_for_url(f"{live_server.url}/participants/{person.pk}/")
    a.locator("#id_first_name").fill("Elodie")
    a.get_by_role("button", name="Enregistrer").click()
    alert = a.locator("#fiche-modifiee")
    alert.wait_for()
    text = alert.inner_text()
    assert text.startswith("Cette fiche a été modifiée par Bruno Vasseur le ")
    assert "pendant que vous la modifiiez : Commune de résidence : « Grande-Synthe »." in text
    assert a.locator("#id_first_name").input_value() == "Elodie"
    person.refresh_from_db()
    assert (person.first_name, person.commune) == ("Élodie", "Grande-Synthe")
    # Anne re-applies Bruno's commune and saves again: accepted.
    a.locator("#id_commune").fill("Grande-Synthe")
    a.get_by_role("button", name="Enregistrer").click()
    a.wait_for_url(f"{live_server.url}/participants/{person.pk}/")
    assert Participant.objects.values_list("first_name", "commune").get(pk=person.pk) == (
        "Elodie",
        "Grande-Synthe",
    )
