"""Issue 15 item 2, driven by the keyboard alone: after a save, a dialog opened or closed, a row added, a
card moved and a list filtered, the focus is where the next keystroke belongs (document.activeElement),
and what happened is announced (the live region of static/js/focus.js)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from hours.models import Assignment, HoursEntry
from markets.models import Market, Stage
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.e2e
JUNE = datetime.date(2025, 6, 1)


def active(page):
    """What has the focus: its id, else its tag and text."""
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.id || (e.tagName + ':' + (e.getAttribute('aria-label') || e.textContent).trim()); })()"
    )


def tab_to(page, locator, limit=20):
    """Tab until `locator` has the focus; the number of Tab pressed."""
    for count in range(limit + 1):
        if locator.evaluate("e => e === document.activeElement"):
            return count
        page.keyboard.press("Tab")
    raise AssertionError(f"not reached in {limit} Tab: {active(page)}")


def announced(page):
    return page.locator("#clauses-annonce")


@pytest.fixture
def lot_grid(transactional_db):
    """A lot with four people at work in June 2025, and assignment ids past 1 200 (a row added gets the
    id « 1 20x » when written with a thousands separator)."""
    holder = CompanyFactory(name="Bâti Flandre")
    lot = ClauseFactory(lot__market=MarketFactory(reference="CUD-2025-014"), lot__number="2").lot
    AwardFactory(lot=lot, company=holder)
    AssignmentFactory(pk=1200, company=holder)  # another lot: the next ids are over 1 200
    rows = [
        AssignmentFactory(
            participant=ParticipantFactory(last_name=n, first_name="Élodie"), lot=lot, company=holder
        )
        for n in ("Aubry", "Benali", "Caron", "Dumont")
    ]
    ParticipantFactory(last_name="Evrard", first_name="Aurélie")  # not yet in the grid
    return lot, rows


def open_grid(login, live_server, lot, user=None):
    page = login(user or UserFactory(username="nadia", first_name="Nadia", manager=True))
    page.goto(f"{live_server.url}/heures/saisie/?mois=2025-06&lot={lot.pk}")
    return page


def test_after_a_save_the_focus_is_back_in_the_cell_and_the_message_is_announced(
    login, live_server, lot_grid
):
    lot, rows = lot_grid
    page = open_grid(login, live_server, lot)
    expect(page.get_by_label("Heures travaillées — AUBRY Élodie")).to_be_focused()
    page.keyboard.type("151,67")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # BENALI's training cell
    expect(page.get_by_label("Heures de formation — BENALI Élodie")).to_be_focused()
    page.keyboard.type("7")
    for _ in range(3):  # down the column: CARON's, DUMONT's training cells, then « Enregistrer »
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Heures de juin 2025 enregistrées")).to_be_visible()
    # The cell the user was in last, not <body>; the message said by the live region.
    expect(page.get_by_label("Heures de formation — DUMONT Élodie")).to_be_focused()
    assert active(page) == f"id_t{rows[3].pk}"
    expect(announced(page)).to_contain_text("Heures de juin 2025 enregistrées")
    expect(page.locator("main .messages")).to_have_attribute("aria-live", "polite")
    assert HoursEntry.objects.filter(month=JUNE).count() == 2


def test_validating_the_month_puts_the_focus_on_its_message(login, live_server, lot_grid):
    lot, rows = lot_grid
    page = open_grid(login, live_server, lot)
    for _ in rows:
        page.keyboard.type("35")
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enregistrer et valider le mois")).to_be_focused()
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    message = page.locator("main .messages .alert").first
    expect(message).to_contain_text("Heures de juin 2025 enregistrées")
    expect(message).to_be_focused()  # nothing left to type: the message is read, not <body>
    expect(announced(page)).to_contain_text("Heures de juin 2025 enregistrées")


def test_adding_a_person_by_keyboard(login, live_server, lot_grid):
    lot, rows = lot_grid
    page = open_grid(login, live_server, lot)
    add = page.get_by_role("button", name="Ajouter une personne")
    add.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile("Ajouter une personne"))
    expect(dialog).to_be_visible()
    # The person's search box, visible, has the focus: a name typed at once is not lost.
    person = dialog.get_by_role("combobox", name="Personne")
    expect(person).to_be_focused()
    page.keyboard.type("Evrard")
    expect(dialog.locator(".ts-dropdown .option.active")).to_contain_text("EVRARD Aurélie")
    page.keyboard.press("Enter")  # chosen
    page.keyboard.press("Enter")  # the form sent (the list is closed): refused, no contract type
    contract = dialog.get_by_label("Type de contrat")
    expect(contract).to_have_class(re.compile("is-invalid"))
    expect(contract).to_be_focused()  # the form swapped by htmx: the faulty field, not <body>
    page.keyboard.type("CDD")  # the select's type-ahead
    expect(contract).to_have_value("CDD")
    presses = tab_to(page, dialog.get_by_role("button", name="Ajouter à la grille"))
    assert presses <= 12
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    added = Assignment.objects.get(lot=lot, participant__last_name="Evrard")
    assert added.pk > 1200  # « 1 201 » with a thousands separator: the row was not found
    new_cell = page.get_by_label("Heures travaillées — EVRARD Aurélie")
    expect(new_cell).to_be_focused()
    assert active(page) == f"id_h{added.pk}"
    expect(page.locator(f'#grid-body tr[data-row="{added.pk}"]')).to_have_count(1)
    expect(page.locator("#grid-count")).to_have_text("(5 lignes ; 0 validée, 0 en brouillon)")
    expect(announced(page)).to_contain_text("EVRARD Aurélie ajouté(e) à la grille.")
    page.keyboard.type("12")  # typing goes on in the new row
    expect(page.get_by_test_id("total-hours")).to_have_text("12,00")


def test_the_add_dialog_closed_with_escape_gives_the_focus_back(login, live_server, lot_grid):
    lot, _ = lot_grid
    page = open_grid(login, live_server, lot)
    add = page.get_by_role("button", name="Ajouter une personne")
    add.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile("Ajouter une personne"))
    expect(dialog.get_by_role("combobox", name="Personne")).to_be_focused()
    page.keyboard.press("Escape")  # closes the list of the search box if open
    if dialog.is_visible():
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(add).to_be_focused()


def test_a_card_moved_by_keyboard_keeps_the_focus_in_its_new_column(login, live_server, pipeline_markets):
    page = login(pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    m1 = Market.objects.get(reference="M-1")
    page.get_by_role("button", name="M-1 : passer à « À l'étude »").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("count-etude")).to_have_text("2")
    card = page.locator(f"#marche-{m1.pk}")
    expect(card).to_be_focused()
    assert active(page) == f"marche-{m1.pk}"
    expect(page.locator(f".pipeline-column[data-stage=etude] #marche-{m1.pk}")).to_have_count(1)
    expect(announced(page)).to_have_text("« M-1 » est passé à l'étape « À l'étude ».")
    # From the card, Tab reaches its own buttons: moved on again.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Marché M-1")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="M-1 : revenir à « Repéré »")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="M-1 : passer à « Clause proposée »")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f".pipeline-column[data-stage=proposee] #marche-{m1.pk}")).to_be_focused()


def test_a_confirmed_move_by_keyboard_focuses_the_moved_card(login, live_server, pipeline_markets):
    page = login(pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    m3 = Market.objects.get(reference="M-3")
    card = page.locator(f"#marche-{m3.pk}")
    card.get_by_text("Déplacer…").focus()
    page.keyboard.press("Enter")  # the menu opens
    card.get_by_role("button", name="Abandonné / sans clause").focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog").get_by_role("button", name="Confirmer")
    expect(confirm).to_be_focused()  # the guardrail's panel (kept as it was)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("count-abandonne")).to_have_text("1")
    expect(page.locator(f".pipeline-dropped #marche-{m3.pk}")).to_be_focused()
    assert Market.objects.get(pk=m3.pk).stage == Stage.DROPPED


def test_a_filtered_list_puts_the_focus_on_its_count(login, live_server, transactional_db):
    for name, commune in (("Lefèvre", "Grande-Synthe"), ("Benali", "Dunkerque"), ("Deschodt", "Dunkerque")):
        ParticipantFactory(last_name=name, commune=commune)
    page = login(UserFactory(username="claire", facilitator=True))
    page.goto(f"{live_server.url}/participants/")
    commune = page.get_by_label("Commune")
    commune.focus()
    commune.select_option("Dunkerque")  # a select's value chosen by keyboard is the same change
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Enter")
    count = page.get_by_test_id("result-count")
    expect(count).to_have_text("2 résultats")
    expect(count).to_be_focused()
    expect(announced(page)).to_have_text("2 résultats")
    # A page opened otherwise (a link, a reload) keeps its usual start.
    page.reload()
    expect(count).not_to_be_focused()


def test_a_row_swapped_by_htmx_keeps_the_focus(login, live_server, transactional_db):
    """« Sorties à renseigner »: the row's form sent by keyboard comes back as the recorded outcome."""
    from django.utils import timezone

    from clauses_site.months import add_months

    today = timezone.localdate()
    due = AssignmentFactory(
        participant=ParticipantFactory(last_name="Dupont", first_name="Élodie"),
        starts_on=add_months(today, -12),
        ends_on=add_months(today, -7),
    )
    page = login(UserFactory(username="claire", facilitator=True))
    page.goto(f"{live_server.url}/partenariats/sorties/fin-de-contrat/")
    select = page.get_by_label("Sortie de DUPONT Élodie")
    select.focus()
    page.keyboard.press("ArrowDown")  # the first outcome
    page.keyboard.press("Tab")
    expect(page.locator(f"#suivi-{due.pk}").get_by_role("button", name="Enregistrer")).to_be_focused()
    page.keyboard.press("Enter")
    row = page.locator(f"#suivi-{due.pk}")
    expect(row).to_contain_text("Sortie enregistrée")
    # The button that had the focus is gone with its row: the focus on the new row, read out, not <body>.
    expect(row).to_be_focused()
    assert active(page) == f"suivi-{due.pk}"
    page.keyboard.press("Tab")
    expect(row.get_by_role("link", name="DUPONT Élodie")).to_be_focused()
