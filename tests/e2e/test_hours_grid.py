"""Browser journeys of issue 4 (second half): the search box, the monthly hours grid typed with the
keyboard only, and the export of a filtered participants list."""

import datetime
import io
import re
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect

from hours.models import HoursEntry
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

D = Decimal


def test_a_company_is_found_by_the_search_box(login, live_server, transactional_db):
    CompanyFactory(name="Bâtiments du Littoral", commune="Gravelines")
    CompanyFactory(name="Nettoyage Flandre", commune="Dunkerque")
    page = login(UserFactory(username="lecteur", reader=True))
    box = page.get_by_role("searchbox", name="Rechercher un marché, une entreprise")
    box.fill("batiments litt")  # no accent, lower case
    live = page.get_by_role("region", name="Résultats de la recherche")
    expect(live.get_by_role("link", name=re.compile("Bâtiments du Littoral"))).to_be_visible()
    expect(live).not_to_contain_text("Nettoyage Flandre")
    box.press("Enter")  # the results page
    expect(page.get_by_role("heading", name="Recherche")).to_be_visible()
    page.get_by_role("link", name="Bâtiments du Littoral").click()
    expect(page.get_by_role("heading", name=re.compile("Bâtiments du Littoral"))).to_be_visible()


def test_a_month_of_hours_typed_with_the_keyboard_only(login, live_server, transactional_db):
    """The manager opens a lot's grid for June 2025, types three people's hours with Tab and Enter (one
    cell wrong, then corrected), saves and validates, and sees the lot's progress move."""
    manager = UserFactory(username="nadia", first_name="Nadia", manager=True)
    market = MarketFactory(reference="CUD-2025-014", title="Groupe scolaire Jean-Bart", facilitator=manager)
    lot = ClauseFactory(lot__market=market, lot__number="2", stated_hours=D(1000)).lot
    holder = CompanyFactory(name="Bâti Flandre")
    AwardFactory(lot=lot, company=holder)
    people = [ParticipantFactory(last_name=n, first_name="Élodie") for n in ("Aubry", "Benali", "Caron")]
    for person in people:
        a = AssignmentFactory(participant=person, lot=lot, company=holder)
        HoursEntryFactory(assignment=a, month=datetime.date(2025, 5, 1), hours=D(100))  # 300 h validated

    page = login(manager)
    page.goto(f"{live_server.url}/heures/saisie/?mois=2025-06")
    page.get_by_role("link", name=re.compile("^CUD-2025-014")).click()  # in the list of lots
    expect(page.get_by_role("heading", name="Saisie des heures — Juin 2025")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_contain_text("300,00 h réalisées sur 1 000,00 h dues")

    # The first cell has the focus: type, Enter goes down the column.
    aubry = page.get_by_label("Heures travaillées — AUBRY Élodie")
    benali = page.get_by_label("Heures travaillées — BENALI Élodie")
    caron = page.get_by_label("Heures travaillées — CARON Élodie")
    expect(aubry).to_be_focused()
    page.keyboard.type("151,67")
    page.keyboard.press("Enter")
    expect(benali).to_be_focused()
    page.keyboard.type("8OO")  # letters O instead of zeros
    page.keyboard.press("Enter")
    expect(caron).to_be_focused()
    expect(benali).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_text("Saisissez un nombre (ex. 151,67).")).to_be_visible()
    page.keyboard.type("35")
    # The wrong cell is corrected with the keyboard: back up (Shift+Enter), type over it.
    page.keyboard.press("Shift+Enter")
    expect(benali).to_be_focused()
    page.keyboard.type("80")
    expect(benali).not_to_have_class(re.compile("is-invalid"))
    page.keyboard.press("Tab")  # the training cell of the same row
    expect(page.get_by_label("Heures de formation — BENALI Élodie")).to_be_focused()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Heures de formation — CARON Élodie")).to_be_focused()
    expect(page.get_by_test_id("total-hours")).to_have_text("266,67")  # 151,67 + 80 + 35, live
    expect(page.get_by_test_id("total-training")).to_have_text("7,00")
    assert HoursEntry.objects.filter(month=datetime.date(2025, 6, 1)).count() == 0  # Enter saved nothing

    # Save and validate: Tab from the last cell to the buttons, Enter on « Enregistrer et valider ».
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    validate = page.get_by_role("button", name="Enregistrer et valider le mois")
    expect(validate).to_be_focused()
    # Asked first (issue 12 item 9): « Annuler » in the browser's dialog writes nothing.
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.keyboard.press("Enter")
    expect(validate).to_be_focused()
    assert asked == [
        "Valider les heures de juin 2025 ? Une fois validées, les lignes ne se modifient plus sans "
        "réouverture (motif consigné dans l'historique)."
    ]
    assert "/heures/saisie/" in page.url and "mois=2025-06" in page.url  # still the grid
    assert HoursEntry.objects.filter(month=datetime.date(2025, 6, 1)).count() == 0
    page.once("dialog", lambda dialog: dialog.accept())  # « OK »: saved and validated
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Heures de juin 2025 enregistrées")).to_contain_text(
        "3 lignes créées"
    )
    june = HoursEntry.objects.filter(month=datetime.date(2025, 6, 1)).order_by(
        "assignment__participant__last_name"
    )
    assert [(e.hours, e.training_hours, e.status) for e in june] == [
        (D("151.67"), D(0), "validee"),
        (D(80), D(7), "validee"),
        (D(35), D(0), "validee"),
    ]
    expect(page.get_by_test_id("progress")).to_contain_text("566,67 h réalisées sur 1 000,00 h dues")
    # Every row validated: no save buttons left, a word on how to correct a row.
    expect(page.locator("#grid-save")).to_have_count(0)
    expect(page.locator("#grid-validate")).to_have_count(0)
    expect(page.locator("#grid-locked")).to_contain_text("Toutes les lignes de juin 2025 sont validées.")

    # The lot's page shows the same progress.
    page.get_by_role("link", name=re.compile("CUD-2025-014 — Lot 2")).click()
    lot_progress = page.get_by_role("region", name="Avancement").get_by_test_id("progress")
    expect(lot_progress).to_contain_text("566,67 h réalisées sur 1 000,00 h dues")


def test_the_filtered_participants_list_is_exported(login, live_server, transactional_db, page):
    ParticipantFactory(last_name="Lefèvre", first_name="Élodie", commune="Grande-Synthe", criteria=["DELD"])
    ParticipantFactory(last_name="Benali", first_name="Karim", commune="Dunkerque", sex="H", criteria=["RSA"])
    ParticipantFactory(
        last_name="Deschodt", first_name="Sandrine", commune="Dunkerque", criteria=["DELD", "RSA"]
    )
    login(UserFactory(username="claire", facilitator=True))
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Participants"
    ).click()
    page.get_by_label("Commune").select_option("Dunkerque")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("result-count")).to_have_text("2 résultats")
    assert "commune=Dunkerque" in page.url  # the filters are in the URL
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == "participants.xlsx"
    with open(download.path(), "rb") as stream:  # the temporary file has no .xlsx suffix
        sheet = load_workbook(io.BytesIO(stream.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [(r[0], r[1], r[3], r[4], r[7]) for r in rows[1:]] == [
        ("Benali", "Karim", "Homme", "Dunkerque", "RSA"),
        ("Deschodt", "Sandrine", "Femme", "Dunkerque", "DELD, RSA"),
    ]
