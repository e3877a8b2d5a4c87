"""The tracking-sheet import (docs/formats/suivi-xlsx.md), continued: unreadable files, matching of existing
records, and the management command's exit statuses."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from hours.models import Assignment, HoursEntry
from hours.suivi import run_import
from hours.suivi.archive import OLE_MAGIC
from markets.models import Lot
from participants.models import Participant
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.hours.suivi import assert_refused, errors, line, months, run, snapshot, workbook
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------------
# Unreadable files


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"", "le fichier est vide (0 octet)."),
        (OLE_MAGIC + b"\x00" * 600 + "Workbook".encode("utf-16-le"), "Excel 97-2003 (.xls)"),
        (
            OLE_MAGIC
            + b"\x00" * 600
            + "EncryptionInfo".encode("utf-16-le")
            + "EncryptedPackage".encode("utf-16-le"),
            "protégé par un mot de passe",
        ),
        ("Donneur d'ordre;Réf. marché;Lot\nCUD;M-1;3\n".encode(), "fichier texte (CSV ?)"),
        ("Donneur d'ordre,Réf. marché\nCUD,M-1\n".encode("latin-1"), "fichier texte (CSV ?)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "n'est pas un classeur Excel .xlsx"),
        (_zip({"word/document.xml": "<w/>"}), "n'est pas un classeur Excel .xlsx lisible"),
        (
            _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
            "OpenDocument (.ods)",
        ),
    ],
    ids=["vide", "xls", "chiffre", "csv", "csv-latin1", "png", "zip", "ods"],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, expected):
    before = snapshot()
    report = run(data)
    assert report.fatal and expected in report.fatal, report.fatal
    assert snapshot() == before


def test_truncated_xlsx_is_unreadable():
    data = workbook([line()])
    report = run(data[: len(data) // 2])
    assert report.fatal and ("endommagé" in report.fatal or "n'a pas pu être lu" in report.fatal)


def test_real_xls_file_renamed(tmp_path):
    """A genuine Excel 97-2003 header (OLE compound document, BIFF8 "Workbook" stream name)."""
    path = tmp_path / "suivi.xlsx"
    path.write_bytes(
        OLE_MAGIC + bytes(504) + "Root Entry".encode("utf-16-le") + "Workbook".encode("utf-16-le")
    )
    report = run_import(path)
    assert "97-2003" in report.fatal


# --------------------------------------------------------------------------------------------------
# Matching existing records


def test_existing_company_matched_by_name_ignoring_legal_form_gets_its_siret():
    company = CompanyFactory(name="Bâti-Nord", siret="")
    report = run(workbook([line(company="BATI NORD SAS", siret="52601815590833")]))
    assert report.imported
    company.refresh_from_db()
    assert company.siret == "52601815590833" and Company.objects.count() == 1
    assert report.counts["companies"].updated == 1


def test_existing_company_matched_by_siret_first():
    company = CompanyFactory(name="Bâtiments du Nord", siret="52601815590833")
    report = run(workbook([line(company="BATI NORD SAS")]))
    assert report.imported and Company.objects.count() == 1
    assert Assignment.objects.get().company == company
    assert any("52601815590833" in w and "Bâtiments du Nord" in w for w in report.warnings)


def test_company_without_siret_in_the_file_matches_by_name():
    company = CompanyFactory(name="BATI NORD", siret="52601815590833")
    report = run(workbook([line(company="Bati Nord SARL", siret=None)]))
    assert report.imported and Assignment.objects.get().company == company


def test_existing_person_matched_ignoring_case_accents_spaces_and_hyphens():
    person = ParticipantFactory(
        last_name="Ben Saïd", first_name="Jean-François", birth_date=datetime.date(1980, 3, 24), commune=""
    )
    rows = [
        line(last_name="BEN-SAID", first_name="jean françois", birth_date="24/03/1980", commune="Téteghem")
    ]
    report = run(workbook(rows))
    assert report.imported and Participant.objects.count() == 1
    person.refresh_from_db()
    assert person.commune == "Téteghem"  # filled when empty
    assert report.counts["participants"].updated == 1


def test_existing_person_data_is_not_overwritten_but_a_difference_is_warned():
    ParticipantFactory(
        last_name="Dupont", first_name="Élodie", birth_date=datetime.date(1987, 3, 12), commune="Dunkerque"
    )
    report = run(workbook([line(commune="Grande-Synthe")]))
    assert report.imported
    assert Participant.objects.get().commune == "Dunkerque"
    assert any("commune « Grande-Synthe » différent" in w for w in report.warnings)


def test_reimport_replaces_the_hours_of_a_month_and_validates_drafts():
    assert run(workbook(months("03/2025", "04/2025", "05/2025"))).imported
    entry = HoursEntry.objects.get(month__month=4)
    entry.reopen()
    entry.save()
    rows = [line(month="03/2025", hours=100), line(month="04/2025"), line(month="05/2025")]
    report = run(workbook(rows), file_name="suivi-v2.xlsx")
    assert report.imported
    assert (report.counts["entries"].updated, report.counts["entries"].unchanged) == (2, 1)
    march = HoursEntry.objects.get(month__month=3)
    assert march.hours == Decimal("100.00") and march.source_file == "suivi-v2.xlsx"
    assert HoursEntry.objects.validated().count() == 3
    assert march.history.count() == 2  # created, then replaced: both in the history


def test_contract_end_comes_from_the_file_but_not_before_recorded_hours():
    assert run(workbook(months("03/2025", "06/2025"))).imported
    report = assert_refused(workbook([line(month="03/2025", end=datetime.date(2025, 4, 30))]))
    assert errors(report) == [
        (2, "Fin contrat", "des heures sont déjà enregistrées en 06/2025, après cette fin de contrat")
    ]
    report = run(workbook([line(month="09/2025", end=datetime.date(2025, 12, 31))]))
    assert report.imported and report.counts["assignments"].updated == 1
    assert Assignment.objects.get().ends_on == datetime.date(2025, 12, 31)


def test_rows_of_one_assignment_must_agree():
    rows = [
        line(),
        line(month="04/2025", end=datetime.date(2025, 9, 30)),
        line(month="05/2025", modality="Formation"),
    ]
    report = assert_refused(workbook(rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "Fin contrat"), (4, "Modalité")]


def test_lot_spellings_name_one_lot():
    rows = [line(lot="3"), line(month="04/2025", lot="Lot 3"), line(month="05/2025", lot="lot n°3")]
    report = run(workbook(rows))
    assert report.imported and Lot.objects.get().number == "3"


def test_existing_assignment_and_entry_are_reused():
    lot = LotFactory(market=MarketFactory(buyer=BuyerFactory(name="CUD"), reference="M-1"), number="2")
    ClauseFactory(lot=lot, stated_hours=Decimal(500))
    company = CompanyFactory(name="BATI NORD SAS", siret="52601815590833")
    AwardFactory(lot=lot, company=company)  # without it, the import creates the award
    person = ParticipantFactory(
        last_name="Dupont", first_name="Élodie", birth_date=datetime.date(1987, 3, 12)
    )
    a = AssignmentFactory(
        participant=person,
        lot=lot,
        company=company,
        starts_on=datetime.date(2025, 2, 3),
        ends_on=None,
        job="",
    )
    HoursEntryFactory(
        assignment=a, month=datetime.date(2025, 3, 1), hours=Decimal("151.67"), training_hours=14
    )
    row = line(buyer="CUD", market_ref="M-1", lot="2", planned_hours=500, end=None, job=None, operation=None)
    report = run(workbook([row | {"Publics": None}]))
    assert report.imported, report.lines()
    assert report.counts["entries"].unchanged == 1 and report.counts["assignments"].unchanged == 1
    assert report.changes == 0


def test_queries_do_not_grow_with_the_number_of_rows():
    def queries(n_people):
        rows = [
            line(last_name=f"Nom{i}", month=f"{m:02d}/2025", buyer=f"Acheteur {n_people}")
            for i in range(n_people)
            for m in (3, 4, 5)
        ]
        data = workbook(rows)
        with CaptureQueriesContext(connection) as ctx:
            report = run(data)
        assert report.imported
        return len(ctx.captured_queries)

    small, large = queries(3), queries(60)
    assert large <= small + 10, (small, large)


# --------------------------------------------------------------------------------------------------
# The command


def test_command_exit_statuses(tmp_path, capsys):
    good = tmp_path / "bon.xlsx"
    good.write_bytes(workbook([line()]))
    bad = tmp_path / "mauvais.xlsx"
    bad.write_bytes(workbook([line(hours=800)]))
    csv = tmp_path / "export.xlsx"
    csv.write_text("a;b\n1;2\n")
    UserFactory(username="camille", facilitator=True)

    call_command("import_suivi", str(good), "--dry-run")
    assert "essai à blanc" in capsys.readouterr().out and HoursEntry.objects.count() == 0

    with pytest.raises(SystemExit) as exit_:
        call_command("import_suivi", str(bad))
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert (
        "ligne 2, colonne « Heures » « 800 » : au plus 744 heures" in out and "rien n'a été enregistré" in out
    )

    with pytest.raises(SystemExit) as exit_:
        call_command("import_suivi", str(csv))
    assert exit_.value.code == 2
    assert "CSV" in capsys.readouterr().err

    call_command("import_suivi", str(good), "--user", "camille")
    assert HoursEntry.objects.get().entered_by.username == "camille"
    assert "Heures du mois" in capsys.readouterr().out


def test_progress_bar_on_a_terminal_only(tmp_path):
    from hours.management.commands.import_suivi import Progress

    stream = io.StringIO()
    bar = Progress(stream)
    bar("lecture", 25_000, 50_000)
    bar("écriture", "heures", None)
    bar.close()
    text = stream.getvalue()
    assert "lecture   [" in text and " 50% " in text and "25\u202f000 / 50\u202f000 lignes" in text
    assert "écriture  heures…" in text

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = tmp_path / "suivi.xlsx"
    path.write_bytes(workbook([line()]))
    plain, terminal = io.StringIO(), Terminal()
    call_command("import_suivi", str(path), "--dry-run", stdout=plain)
    call_command("import_suivi", str(path), "--dry-run", stdout=terminal)
    assert "\r" not in plain.getvalue()
    assert "écriture" not in terminal.getvalue()  # a dry run writes nothing
    assert "\r\033[K" in terminal.getvalue()
