"""Export of the tracking sheet: the import format exactly, and export → import changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from hours.models import ContractType, HoursEntry, Modality
from hours.suivi import COLUMNS, run_import, write_suivi
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.hours.suivi import sample_path
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def export(**filters):
    buffer = io.BytesIO()
    write_suivi(buffer, **filters)
    return buffer.getvalue()


def sheet_of(data):
    return load_workbook(io.BytesIO(data))["Heures"]


def dataset():
    """Two buyers; a lot whose clause hours come from the formula (833,33 h), a lot without clause;
    a person lent by an ETTI; a draft entry (not exported)."""
    cud = BuyerFactory(name="Communauté Urbaine de Dunkerque")
    market = MarketFactory(
        buyer=cud, reference="CUD-2025-014", operation=OperationFactory(buyer=cud, name="NPNRU")
    )
    lot1 = LotFactory(market=market, number="1", title="Gros œuvre")
    ClauseFactory(lot=lot1)  # 833,33 h by the formula
    lot2 = LotFactory(market=market, number="Unique", title="")
    holder = CompanyFactory(name="BATI NORD SAS", siret="52601815590833")
    etti = CompanyFactory(name="INTERM'AIDE", siret="", etti=True)
    elodie = ParticipantFactory(
        last_name="Dupont", first_name="Élodie", criteria=["RSA", "DELD"], qpv=None, level="", prescriber=""
    )
    karim = ParticipantFactory(
        last_name="Benali", first_name="Karim", sex="H", birth_date=datetime.date(2001, 1, 2)
    )
    a1 = AssignmentFactory(participant=elodie, lot=lot1, company=holder, employer=holder, job="-Manœuvre")
    a2 = AssignmentFactory(
        participant=karim,
        lot=lot2,
        company=holder,
        employer=etti,
        modality=Modality.ETTI,
        contract_type=ContractType.TEMP,
        ends_on=None,
    )
    HoursEntryFactory(
        assignment=a1, month=datetime.date(2025, 3, 1), hours=Decimal("151.67"), training_hours=7
    )
    HoursEntryFactory(assignment=a1, month=datetime.date(2025, 4, 1), hours=Decimal("100"))
    HoursEntryFactory(assignment=a2, month=datetime.date(2025, 4, 1), hours=Decimal("35.5"))
    HoursEntryFactory(assignment=a2, month=datetime.date(2025, 5, 1), hours=Decimal("12"), draft=True)
    other = BuyerFactory(name="Flandre Opale Habitat")
    lot3 = LotFactory(market=MarketFactory(buyer=other, reference="FOH-1"), number="2")
    ClauseFactory(lot=lot3, stated=True)
    for lot in (lot1, lot2, lot3):  # the company credited holds each lot (else the import adds the award)
        AwardFactory(lot=lot, company=holder)
    HoursEntryFactory(
        assignment=AssignmentFactory(participant=karim, lot=lot3, company=holder, employer=holder),
        month=datetime.date(2025, 6, 1),
        hours=Decimal("20"),
    )
    return cud, other


def test_same_titles_in_the_same_order_typed_cells_frozen_header_filters_and_widths():
    dataset()
    sheet = sheet_of(export())
    assert [c.value for c in sheet[1]] == [c.title for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:AA{sheet.max_row}"
    assert sheet.column_dimensions["A"].width == 32
    assert sheet.max_row == 1 + 4  # the draft is not exported
    titles = [c.title for c in COLUMNS]
    first = dict(zip(titles, sheet[2], strict=True))
    assert first["Date de naissance"].value == datetime.datetime(1987, 3, 12)
    assert first["Date de naissance"].number_format == "DD/MM/YYYY"
    assert first["Début contrat"].is_date and first["Fin contrat"].value == datetime.datetime(2025, 12, 31)
    assert first["Mois"].value == datetime.datetime(2025, 3, 1) and first["Mois"].number_format == "MM/YYYY"
    assert first["Heures"].value == 151.67 and first["Heures"].number_format == "#,##0.00"
    assert first["Heures formation"].value == 7
    assert first["Heures prévues"].value == 833.33
    assert first["Modalité"].value == "Embauche directe" and first["Type de contrat"].value == "CDD"
    assert first["Employeur"].value is None  # the company employs the person itself
    assert first["Publics"].value == "DELD; RSA"
    assert first["QPV"].value is None and first["Opération"].value == "NPNRU"
    assert first["Poste"].value == "'-Manœuvre"  # neutralised (formula injection)
    lent = {t: c.value for t, c in zip(titles, sheet[4], strict=True)}
    assert lent["Employeur"] == "INTERM'AIDE" and lent["Modalité"] == "Mise à disposition ETTI"
    assert lent["Type de contrat"] == "Intérim" and lent["Fin contrat"] is None
    assert lent["Lot"] == "Unique" and lent["Heures prévues"] is None and lent["QPV"] == "oui"


def test_filters_by_buyer_and_period():
    cud, other = dataset()
    assert sheet_of(export(buyer=other)).max_row == 2
    assert sheet_of(export(buyer=cud)).max_row == 4
    april = sheet_of(export(start=datetime.date(2025, 4, 1), end=datetime.date(2025, 4, 30)))
    assert april.max_row == 3
    assert sheet_of(export(start=datetime.date(2025, 4, 15))).max_row == 4  # from April's month on


def test_export_then_import_changes_nothing():
    dataset()
    before = list(
        HoursEntry.objects.order_by("pk").values_list("pk", "hours", "training_hours", "updated_at")
    )
    report = run_import(io.BytesIO(export()), file_name="export.xlsx")
    assert report.imported and not report.errors, report.lines()
    assert report.changes == 0, report.counts
    assert report.counts["entries"].unchanged == 4
    assert report.counts["participants"].unchanged == 2 and report.counts["companies"].unchanged == 2
    assert (
        list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "training_hours", "updated_at"))
        == before
    )


def test_sample_round_trip():
    assert run_import(sample_path()).imported
    report = run_import(io.BytesIO(export()), file_name="export.xlsx")
    assert report.imported and report.changes == 0
    assert report.rows_read == 58 and report.counts["entries"].unchanged == 58


def test_command(tmp_path, capsys):
    dataset()
    out = tmp_path / "suivi.xlsx"
    call_command(
        "export_suivi",
        "--buyer",
        "communaute urbaine de dunkerque",
        "--from",
        "2025-04-01",
        "--to",
        "2025-04",
        "--output",
        str(out),
    )
    assert "suivi.xlsx" in capsys.readouterr().out
    sheet = load_workbook(out)["Heures"]
    assert sheet.max_row == 3
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Donneur d'ordre inconnu"):
        call_command("export_suivi", "--buyer", "Nulle part", "--output", str(out))


def test_the_fast_writer_gives_the_workbook_openpyxl_gives():
    """write_xlsx_stream (used for speed) and write_xlsx (openpyxl write-only) agree cell by cell."""
    from clauses_site.exports import write_xlsx
    from hours.suivi.export import suivi_columns, suivi_rows

    dataset()
    fast, slow = io.BytesIO(), io.BytesIO()
    write_suivi(fast)
    write_xlsx(slow, suivi_columns(), suivi_rows(), sheet_title="Heures")
    a, b = sheet_of(fast.getvalue()), sheet_of(slow.getvalue())
    assert a.max_row == b.max_row == 5 and a.max_column == b.max_column == len(COLUMNS)
    for row_a, row_b in zip(a.iter_rows(), b.iter_rows(), strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            assert x.value == y.value, x.coordinate
            if x.value is not None:  # openpyxl also styles empty cells
                assert (x.number_format, x.font.b) == (y.number_format, y.font.b), x.coordinate
    assert (a.freeze_panes, a.auto_filter.ref) == (b.freeze_panes, b.auto_filter.ref)
    assert [a.column_dimensions[c].width for c in "ABZ"] == [b.column_dimensions[c].width for c in "ABZ"]
