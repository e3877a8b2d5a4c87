"""Two colleagues typing in one grid at once, each in her own browser (issue 11, part 1): a colleague's new
cell survives an older page, and the same cell changed by both is shown as a conflict, not overwritten."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hours.models import HoursEntry
from tests.companies.factories import CompanyFactory
from tests.factories import PASSWORD, UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory
from tests.participants.factories import ParticipantFactory

D = Decimal
JUNE = datetime.date(2025, 6, 1)


@pytest.fixture
def two_browsers(browser, browser_context_args, live_server, transactional_db):
    """Claire's and Sophie's pages, each logged in in its own browser context, on a lot's June grid."""
    lot = ClauseFactory(lot__market__reference="CUD-2025-014").lot
    holder = CompanyFactory(name="Bâti Flandre")
    AwardFactory(lot=lot, company=holder)
    aubry = AssignmentFactory(
        participant=ParticipantFactory(last_name="Aubry", first_name="Élodie"), lot=lot, company=holder
    )
    caron = AssignmentFactory(
        participant=ParticipantFactory(last_name="Caron", first_name="Sandrine"), lot=lot, company=holder
    )
    HoursEntryFactory(assignment=aubry, month=JUNE, hours=D(100), draft=True)
    url = f"{live_server.url}/heures/saisie/?mois=2025-06&lot={lot.pk}"
    pages, contexts = {}, []
    for name, first, last in [("claire", "Claire", "Martin"), ("sophie", "Sophie", "Deschodt")]:
        user = UserFactory(username=name, first_name=first, last_name=last, facilitator=True)
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/connexion/")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page).not_to_have_url(re.compile("/connexion/"))
        page.goto(url)
        expect(page.get_by_role("heading", name="Saisie des heures — Juin 2025")).to_be_visible()
        pages[name] = page
    yield {**pages, "aubry": aubry, "caron": caron}
    for context in contexts:
        context.close()


def june(assignment):
    entry = HoursEntry.objects.filter(assignment=assignment, month=JUNE).first()
    return None if entry is None else (entry.hours, entry.training_hours)


def save(page):
    page.get_by_role("button", name="Enregistrer", exact=True).click()


def test_a_cell_filled_by_a_colleague_survives_an_older_page(two_browsers):
    claire, sophie = two_browsers["claire"], two_browsers["sophie"]
    # Both pages are open. Sophie fills Caron's empty cell with 20 h and saves.
    sophie.get_by_label("Heures travaillées — CARON Sandrine").fill("20")
    save(sophie)
    expect(sophie.get_by_role("alert").filter(has_text="enregistrées")).to_contain_text("1 ligne créée")
    # Claire, on her older page (Caron's cell still empty there), changes Aubry's hours with the keyboard.
    aubry = claire.get_by_label("Heures travaillées — AUBRY Élodie")
    expect(aubry).to_be_focused()
    claire.keyboard.type("98,5")
    claire.keyboard.press("Enter")
    expect(claire.get_by_label("Heures travaillées — CARON Sandrine")).to_be_focused()
    save(claire)
    expect(claire.get_by_role("alert").filter(has_text="enregistrées")).to_contain_text(
        "0 ligne créée, 1 modifiée, 0 effacée"
    )
    assert june(two_browsers["aubry"]) == (D("98.50"), D(0))
    assert june(two_browsers["caron"]) == (D(20), D(0))  # Sophie's 20 h kept
    expect(claire.get_by_label("Heures travaillées — CARON Sandrine")).to_have_value("20,00")


def test_the_same_cell_changed_by_both_is_shown_for_the_second_to_choose(two_browsers):
    claire, sophie = two_browsers["claire"], two_browsers["sophie"]
    sophie.get_by_label("Heures travaillées — AUBRY Élodie").fill("44")
    save(sophie)
    expect(sophie.get_by_role("alert").filter(has_text="enregistrées")).to_contain_text("1 modifiée")
    at = timezone.localtime(
        HoursEntry.history.filter(assignment_id=two_browsers["aubry"].pk).latest("history_id").history_date
    )
    expected = f"modifiée par Sophie Deschodt à {at.hour} h {at.minute:02d} : 44,00"

    claire.get_by_label("Heures travaillées — AUBRY Élodie").fill("120")
    claire.get_by_label("Heures travaillées — CARON Sandrine").fill("35")
    save(claire)
    alert = claire.get_by_role("alert").filter(has_text="Rien n'a été enregistré")
    expect(alert).to_contain_text(
        "Rien n'a été enregistré : 1 cellule a été modifiée entre-temps par quelqu'un d'autre."
    )
    expect(alert).to_contain_text(f"AUBRY Élodie — heures travaillées : {expected}")
    aubry = claire.get_by_label("Heures travaillées — AUBRY Élodie")
    expect(aubry).to_have_value("120,00")  # her value, kept (shown as the totals are)
    expect(aubry).to_be_focused()  # the conflicting cell has the focus
    expect(aubry).to_have_accessible_description(re.compile(re.escape(expected)))
    expect(claire.get_by_label("Heures travaillées — CARON Sandrine")).to_have_value("35,00")
    assert june(two_browsers["aubry"]) == (D(44), D(0))  # nothing of Claire's save written
    assert june(two_browsers["caron"]) is None

    # She decides: keep her value (the keyboard as usual: Enter moves down, never submits), save again.
    claire.keyboard.press("Enter")
    expect(claire.get_by_label("Heures travaillées — CARON Sandrine")).to_be_focused()
    save(claire)
    expect(claire.get_by_role("alert").filter(has_text="enregistrées")).to_contain_text(
        "1 ligne créée, 1 modifiée, 0 effacée"
    )
    assert june(two_browsers["aubry"]) == (D(120), D(0))
    assert june(two_browsers["caron"]) == (D(35), D(0))


def test_the_colleagues_value_can_be_taken_back_with_one_click(two_browsers):
    claire, sophie = two_browsers["claire"], two_browsers["sophie"]
    sophie.get_by_label("Heures travaillées — AUBRY Élodie").fill("44")
    save(sophie)
    expect(sophie.get_by_role("alert").filter(has_text="enregistrées")).to_be_visible()
    claire.get_by_label("Heures travaillées — AUBRY Élodie").fill("120")
    claire.get_by_label("Heures travaillées — CARON Sandrine").fill("35")
    save(claire)
    expect(claire.get_by_role("alert").filter(has_text="Rien n'a été enregistré")).to_be_visible()
    claire.get_by_role("button", name="reprendre cette valeur").click()
    aubry = claire.get_by_label("Heures travaillées — AUBRY Élodie")
    expect(aubry).to_have_value("44,00")
    expect(aubry).to_be_focused()
    expect(claire.get_by_test_id("total-hours")).to_have_text("79,00")  # 44 + 35, live
    save(claire)
    expect(claire.get_by_role("alert").filter(has_text="enregistrées")).to_contain_text(
        "1 ligne créée, 0 modifiée, 0 effacée"
    )
    assert june(two_browsers["aubry"]) == (D(44), D(0))
    assert june(two_browsers["caron"]) == (D(35), D(0))
