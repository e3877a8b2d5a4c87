"""The import journey in a browser: upload a tracking sheet, check the preview, confirm, read the report;
a refused file gives its annotated workbook back."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from hours.models import HoursEntry
from tests.factories import UserFactory
from tests.hours.suivi import line, sample_path, workbook


def test_upload_preview_confirm_then_a_refused_file(login, live_server, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = login(UserFactory(username="claire", first_name="Claire", facilitator=True))
    page.goto(f"{live_server.url}/heures/import/")
    page.get_by_label("Tableau de suivi (.xlsx)").set_input_files(str(sample_path()))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()
    expect(page.get_by_test_id("counts")).to_contain_text("Heures du mois")
    expect(page.get_by_test_id("warnings")).to_contain_text("BATI NORD SAS")
    assert HoursEntry.objects.count() == 0
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", name="Rapport d'import")).to_be_visible()
    assert HoursEntry.objects.count() == 58

    bad = tmp_path / "mauvais.xlsx"
    bad.write_bytes(
        workbook([line(planned_hours=1800), line(month="04/2025", hours=800, planned_hours=1800)])
    )
    page.goto(f"{live_server.url}/heures/import/")
    page.get_by_label("Tableau de suivi (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("refused")).to_contain_text("1 erreur")
    expect(page.get_by_test_id("errors")).to_contain_text("au plus 744 heures")
    with page.expect_download() as download:
        page.get_by_test_id("annotated").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Heures"]
    assert sheet["Z3"].comment.text.startswith("au plus 744 heures")
    assert HoursEntry.objects.count() == 58
