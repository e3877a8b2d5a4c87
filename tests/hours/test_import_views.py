"""The import pages: upload → preview → confirm → report; refused files and their annotated workbook;
unreadable files; the list of imports; the export download."""

import datetime
import io
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hours.models import HoursEntry, ImportBatch
from hours.suivi.archive import OLE_MAGIC
from markets.models import Market
from tests.hours.suivi import TITLES, line, months, sample_path, workbook
from tests.markets.factories import BuyerFactory, ClauseFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(client, facilitator):
    client.force_login(facilitator)
    return client


def upload(client, data, name="suivi.xlsx"):
    return client.post(
        reverse("hours:import_upload"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)}
    )


def test_upload_preview_confirm_report(editor, facilitator, django_capture_on_commit_callbacks):
    response = upload(editor, sample_path().read_bytes(), "suivi-exemple.xlsx")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("hours:import_detail", args=[batch.pk])
    assert (
        batch.status == ImportBatch.Status.PENDING and batch.rows_read == 58 and batch.entries_created == 58
    )
    assert batch.uploaded_by == facilitator and batch.file and len(batch.sha256) == 64
    assert HoursEntry.objects.count() == 0  # nothing written before the confirmation

    page = editor.get(response.url).content.decode()
    assert "Aperçu de l'import" in page and "Rien n'est encore enregistré" in page
    assert "Entreprise inconnue « BATI NORD SAS »" in page  # a warning
    assert "À créer" in page and "HOCHART Loïc" in page  # first rows of each kind
    assert "Confirmer l'import" in page

    kept = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.imported_at
    assert not batch.file and not os.path.exists(kept)  # personal data not kept once imported
    assert HoursEntry.objects.count() == 58
    assert set(HoursEntry.objects.values_list("import_batch", flat=True)) == {batch.pk}
    assert set(HoursEntry.objects.values_list("source_file", flat=True)) == {"suivi-exemple.xlsx"}
    page = editor.get(response.url).content.decode()
    assert "Rapport d'import" in page and "Import terminé" in page

    # a second confirmation does nothing
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    assert HoursEntry.objects.count() == 58

    # the same file again: said so, and all unchanged
    upload(editor, sample_path().read_bytes(), "suivi-exemple.xlsx")
    again = ImportBatch.objects.latest("pk")
    assert again.entries_unchanged == 58 and again.entries_created == 0
    assert "déjà été importé" in editor.get(reverse("hours:import_detail", args=[again.pk])).content.decode()


def test_refused_file_lists_errors_and_gives_the_annotated_workbook_back(editor):
    rows = [line(), line(month="04/2025", hours=800), line(month="05/2025", siret="52601815590834")]
    data = workbook(rows, after=["Notes"])
    response = upload(editor, data)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED and batch.error_count == 2
    page = editor.get(response.url).content.decode()
    assert "Fichier refusé" in page and "rien n'a été enregistré" in page
    assert "au plus 744 heures" in page and "formule de Luhn" in page
    assert "Confirmer l'import" not in page

    response = editor.get(reverse("hours:import_annotated", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "suivi-erreurs.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Heures", "Notes"]
    sheet = book["Heures"]
    hours = sheet.cell(row=3, column=TITLES.index("Heures") + 1)
    assert hours.value == 800
    assert hours.fill.fgColor.rgb == "00FFC7CE"
    assert hours.comment.text == "au plus 744 heures dans un mois (31 jours × 24 h)"
    siret = sheet.cell(row=4, column=TITLES.index("SIRET entreprise") + 1)
    assert siret.comment.text == "SIRET invalide : la clé de contrôle (formule de Luhn) est fausse"
    good = sheet.cell(row=2, column=TITLES.index("Heures") + 1)
    assert good.comment is None and good.fill.fgColor.rgb != "00FFC7CE"
    birth = sheet.cell(row=2, column=TITLES.index("Date de naissance") + 1)
    assert birth.value == datetime.datetime(1987, 3, 12)  # values and dates kept
    assert sheet.max_row == 4 and HoursEntry.objects.count() == 0

    # confirming a refused file is impossible
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    assert HoursEntry.objects.count() == 0


def test_annotated_workbook_only_for_refused_imports(editor):
    upload(editor, workbook([line()]))
    batch = ImportBatch.objects.get()
    assert editor.get(reverse("hours:import_annotated", args=[batch.pk])).status_code == 404


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("suivi.xlsx", b"", "est vide"),
        ("suivi.xlsx", b"Donneur d'ordre;Lot\nCUD;3\n", "CSV"),
        ("suivi.xlsx", OLE_MAGIC + bytes(600) + "EncryptedPackage".encode("utf-16-le"), "mot de passe"),
        ("suivi.xlsx", OLE_MAGIC + bytes(600) + "Workbook".encode("utf-16-le"), "97-2003"),
        ("suivi.xls", b"anything", "Seuls les classeurs .xlsx"),
        ("suivi.pdf", b"%PDF-1.4", "Seuls les classeurs Excel .xlsx"),
        ("suivi.xlsx", b"PK\x03\x04garbage", "endommagé"),
    ],
    ids=["vide", "csv", "chiffre", "xls", "extension-xls", "pdf", "corrompu"],
)
def test_unreadable_files_get_a_clear_message_never_a_500(editor, name, data, message):
    response = upload(editor, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_missing_columns_are_named(editor):
    data = workbook([line()], titles=[t for t in TITLES if t != "Mois"])
    response = upload(editor, data)
    assert response.status_code == 400
    assert "colonnes obligatoires absentes : « Mois »" in response.content.decode()


def test_size_limit(editor, settings):
    settings.CLAUSES_MAX_UPLOAD_MB = 0
    response = upload(editor, workbook([line()]))
    assert response.status_code == 400 and "trop gros" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_confirmation_validates_again(editor):
    upload(editor, workbook(months("03/2025", "04/2025")))
    batch = ImportBatch.objects.get()
    # meanwhile someone records the lot with other hours owed
    market = MarketFactory(
        buyer=BuyerFactory(name="Communauté Urbaine de Dunkerque"), reference="CUD-2025-014", title="Écoles"
    )
    ClauseFactory(lot=LotFactory(market=market, number="3"), stated_hours=Decimal(1000))
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REFUSED and batch.error_count == 2
    assert HoursEntry.objects.count() == 0 and Market.objects.count() == 1


def test_cancel_deletes_the_kept_file(editor, django_capture_on_commit_callbacks):
    upload(editor, workbook([line()]))
    batch = ImportBatch.objects.get()
    path = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("hours:import_cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and not batch.file
    assert not os.path.exists(path)
    assert HoursEntry.objects.count() == 0


def test_reader_cannot_upload(client, reader):
    client.force_login(reader)
    assert upload(client, workbook([line()])).status_code == 403
    assert not ImportBatch.objects.exists()


def test_list_of_imports(editor, django_assert_max_num_queries):
    for i in range(3):
        upload(editor, workbook([line(month=f"0{i + 3}/2025")]), f"suivi-{i}.xlsx")
    upload(editor, workbook([line(hours=900)]), "mauvais.xlsx")
    with django_assert_max_num_queries(10):
        page = editor.get(reverse("hours:import_list")).content.decode()
    for name in ("suivi-0.xlsx", "suivi-2.xlsx", "mauvais.xlsx"):
        assert name in page
    assert "Refusé" in page and "En attente de confirmation" in page


def test_export_download_with_filters(editor, settings):
    settings.CLAUSES_FACILITATORS_VALIDATE = True  # the export is of validated hours
    editor.post(
        reverse("hours:import_upload"), {"file": SimpleUploadedFile("s.xlsx", sample_path().read_bytes())}
    )
    editor.post(reverse("hours:import_confirm", args=[ImportBatch.objects.get().pk]))
    response = editor.get(
        reverse("hours:export_suivi"), {"donneur": "Flandre Opale Habitat", "du": "2025-02"}
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "suivi-heures-flandreopalehabitat-du-2025-02-01.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Heures"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and {r[0] for r in rows} == {"Flandre Opale Habitat"}
    assert min(r[TITLES.index("Mois")] for r in rows) >= datetime.datetime(2025, 2, 1)
    assert editor.get(reverse("hours:export_suivi"), {"donneur": "Inconnu"}).status_code == 404
    # the hours list's own parameter names
    from markets.models import Buyer

    cud = Buyer.objects.get(name="Communauté Urbaine de Dunkerque")
    params = {"buyer": cud.pk, "period_du": "2025-03-01", "period_au": "2025-03-31"}
    response = editor.get(reverse("hours:export_suivi"), params)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Heures"]
    months = {r[TITLES.index("Mois")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert months == {datetime.datetime(2025, 3, 1)} and sheet.max_row == 1 + 4
