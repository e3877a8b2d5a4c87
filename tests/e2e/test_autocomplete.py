"""The autocompleted fields (static/js/autocomplete.js): answers that come back out of order — the choices
asked when the field gets the focus, answered after what was typed since — never replace the results of
the latest search (seen under load: the person typed « Evrard » and the list showed the first names)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory


@pytest.fixture
def buyers(transactional_db):
    for name in ("Agglomération du Boulonnais", "Communauté urbaine de Dunkerque", "Ville de Zuydcoote"):
        BuyerFactory(name=name)
    return UserFactory(username="claire", first_name="Claire", facilitator=True)


#: The page's fetch, with the answer to the choices asked on focus (?q=) handed over 1,5 s late.
LATE_FIRST_ANSWER = """
const fetchNow = window.fetch;
window.fetch = function (url, options) {
  const answer = fetchNow(url, options);
  if (!String(url).endsWith("?q=")) return answer;
  return answer.then((response) => new Promise((resolve) => setTimeout(() => {
    window.lateAnswerHandedOver = true;
    resolve(response);
  }, 1500)));
};
"""


def test_a_late_answer_to_an_older_search_does_not_replace_the_latest(login, live_server, buyers):
    page = login(buyers)
    page.add_init_script(LATE_FIRST_ANSWER)
    page.goto(f"{live_server.url}{reverse('markets:market_list')}")
    page.get_by_role("combobox", name="Donneur d'ordre").click()  # asks for the choices (?q=)
    with page.expect_response(lambda response: "q=zuyd" in response.url):
        page.keyboard.type("zuyd")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_text(["Ville de Zuydcoote"])
    for _ in range(50):  # the page's CSP forbids wait_for_function's eval: poll
        if page.evaluate("window.lateAnswerHandedOver === true"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.lateAnswerHandedOver === true")
    page.wait_for_timeout(200)  # what the late answer would do to the list, done
    expect(options).to_have_text(["Ville de Zuydcoote"])
