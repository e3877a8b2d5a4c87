"""python-calamine reads imported workbooks (hours/suivi/reading.py), openpyxl read them before: the same
cells give the same values to the import, and where the raw values differ the import's reading of them
(hours/suivi/cells.py) does not. The differences, each tested: a date cell is a date (openpyxl: a datetime
at midnight); a whole number is a float (3.0; openpyxl: 3); an empty cell is "" (openpyxl: None); an
« _x000D_ » escape is the character it stands for (openpyxl keeps the six characters); an error cell
(#N/A) is read as empty by calamine, so the scan gives its text back."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter

from hours.suivi import run_import
from hours.suivi.cells import PARSERS, CellError, date_of, decimal_of, month_of, text_of
from hours.suivi.reading import open_workbook
from tests.hours.suivi import TITLES, line, with_cached_values, workbook

pytestmark = pytest.mark.django_db


def build(fill, cached=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Heures"
    fill(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    return with_cached_values(data, cached) if cached else data


def calamine_rows(data):
    """{row number: values} as the import reads them (None and "" both mean empty)."""
    sheet = open_workbook(io.BytesIO(data))
    try:
        return {number: tuple(values) for number, values in sheet}
    finally:
        sheet.close()


def openpyxl_rows(data):
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = {}
    for number, values in enumerate(book["Heures"].iter_rows(values_only=True), start=1):
        if any(v is not None for v in values):
            rows[number] = values
    book.close()
    return rows


def same(calamine, openpyxl):
    """Equal but for the documented differences of representation."""
    if calamine == "" and openpyxl is None:
        return True
    if isinstance(openpyxl, datetime.datetime) and type(calamine) is datetime.date:
        return openpyxl == datetime.datetime.combine(calamine, datetime.time(0))
    if type(openpyxl) is int and type(calamine) is float:
        return calamine == openpyxl
    return type(calamine) is type(openpyxl) and calamine == openpyxl


def parsed(parser, value):
    try:
        return parser(value)
    except CellError as exc:
        return f"erreur : {exc}"


def fill_every_kind(sheet):
    sheet.append(["texte", "  espaces  ", 3, 2.5, True, datetime.date(2025, 3, 1)])
    sheet.append([datetime.datetime(2025, 3, 1, 8, 30), Decimal("151.67"), -4, "151,67", "03/2025", None])
    sheet.append([])  # an empty row: absent from both readings
    sheet["A4"] = "=1+2"
    sheet["B4"] = "=A1"
    sheet["C4"] = CellRichText([TextBlock(InlineFont(b=True), "Du"), "pont"])
    sheet["D4"] = 45717  # a serial number formatted as a date: 1 March 2025
    sheet["D4"].number_format = "DD/MM/YYYY"
    sheet["E4"] = 1234.5
    sheet["E4"].number_format = '#,##0.00\\ "€"'
    sheet["F4"] = 0.25
    sheet["F4"].number_format = "0%"
    sheet["A5"] = datetime.date(2025, 4, 1)
    sheet["A5"].number_format = "mmm-yy"
    sheet["B5"] = datetime.time(8, 30)
    sheet["C5"] = 151.666
    sheet["C5"].number_format = "0.00"
    sheet["A6"] = "fusionnée"
    sheet.merge_cells("A6:C7")  # only the top-left cell of a merged range holds the value
    sheet["E7"] = "après la fusion"
    sheet["B9"] = "après des lignes absentes"


def test_calamine_reads_what_openpyxl_read_but_for_representation():
    data = build(fill_every_kind, cached={"A4": "3", "B4": ("str", "texte")})
    new, old = calamine_rows(data), openpyxl_rows(data)
    assert sorted(new) == sorted(old) == [1, 2, 4, 5, 6, 7, 9]
    for number, values in old.items():
        width = max(len(values), len(new[number]))
        padded_new = tuple(new[number]) + (None,) * (width - len(new[number]))
        padded_old = tuple(values) + (None,) * (width - len(values))
        for col, (a, b) in enumerate(zip(padded_new, padded_old, strict=True), start=1):
            assert same(a, b), (number, col, a, b)
    assert new[4][:3] == (3.0, "texte", "Dupont")  # formulas: their cached values; rich text: its text
    assert new[4][3] == datetime.date(2025, 3, 1)
    assert new[6][:3] == ("fusionnée", "", "") and old[6][:3] == ("fusionnée", None, None)
    assert new[7][4] == "après la fusion"


def test_every_column_reads_both_readings_alike():
    """Each column's parser gives the same value (or the same error) for both readers' raw values."""
    data = build(fill_every_kind, cached={"A4": "3", "B4": ("str", "texte")})
    new, old = calamine_rows(data), openpyxl_rows(data)
    compared = 0
    for number, values in old.items():
        for col, raw_old in enumerate(values):
            raw_new = new[number][col] if col < len(new[number]) else None
            if raw_old is None:
                continue
            for key, parser in PARSERS.items():
                assert parsed(parser, raw_new) == parsed(parser, raw_old), (
                    key,
                    number,
                    col,
                    raw_new,
                    raw_old,
                )
                compared += 1
    assert compared > 300
    # and the readings themselves, on the kinds that differ
    assert (
        date_of(datetime.date(2025, 3, 1))
        == date_of(datetime.datetime(2025, 3, 1))
        == datetime.date(2025, 3, 1)
    )
    assert decimal_of(3.0) == decimal_of(3) == Decimal("3.00")
    assert text_of(3.0) == text_of(3) == "3"
    assert (
        month_of(datetime.date(2025, 4, 1))
        == month_of(datetime.datetime(2025, 4, 1))
        == datetime.date(2025, 4, 1)
    )


def test_a_sheet_starting_at_c3_keeps_its_row_and_column_numbers():
    """calamine starts its table at the first cell used: the reader puts every value back in place."""

    def fill(sheet):
        sheet["C3"] = "x"
        sheet["D4"] = 1

    assert calamine_rows(build(fill)) == {3: (None, None, "x", ""), 4: (None, None, "", 1.0)}


def test_an_error_cell_reads_as_its_text_as_before():
    """calamine reads #N/A as an empty cell: the import would take « Heures formation » = #N/A for 0 h.
    The scan gives its text back, and the row is refused as it was with openpyxl."""

    def fill(sheet):
        sheet.append(TITLES)
        row = line()
        sheet.append([row[t] for t in TITLES])
        sheet.cell(row=2, column=TITLES.index("Heures formation") + 1, value="=NA()")

    ref = f"{get_column_letter(TITLES.index('Heures formation') + 1)}2"
    data = build(fill, cached={ref: ("e", "#N/A")})
    assert openpyxl_rows(data)[2][TITLES.index("Heures formation")] == "#N/A"
    assert calamine_rows(data)[2][TITLES.index("Heures formation")] == "#N/A"
    report = run_import(io.BytesIO(data), dry_run=True)
    assert [(e.row, e.column, e.value) for e in report.errors] == [(2, "Heures formation", "#N/A")]
    assert report.errors[0].reason.startswith("nombre attendu")


def test_an_escaped_character_is_the_character_it_stands_for():
    """« _x000D_ » is how Excel writes a carriage return in a text: calamine reads the character,
    openpyxl read the six characters. In a name the import reads the same text once spaces are tidied."""

    def fill(sheet):
        sheet["A1"] = "Dupont_x000D_"

    assert calamine_rows(build(fill))[1] == ("Dupont\r",)
    assert openpyxl_rows(build(fill))[1] == ("Dupont_x000D_",)
    assert text_of("Dupont\r") == "Dupont"


def test_merged_and_formatted_cells_import_as_before():
    """A file whose dates are formatted serial numbers, whose hours carry a number format and whose
    buyer is merged over two rows: the second row has no buyer (a merged range holds one value), as
    with openpyxl."""
    rows = [line(), line(month="04/2025", hours=120)]
    book = load_workbook(io.BytesIO(workbook(rows)))
    sheet = book["Heures"]
    col = {t: i + 1 for i, t in enumerate(TITLES)}
    birth = sheet.cell(row=2, column=col["Date de naissance"])
    birth.value, birth.number_format = 31848, "DD/MM/YYYY"  # 12/03/1987
    sheet.cell(row=3, column=col["Heures"]).number_format = "0.00"
    sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(io.BytesIO(buffer.getvalue()), dry_run=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "Donneur d'ordre", "valeur obligatoire")
    ]
    sheet.unmerge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    sheet.cell(row=3, column=1, value=sheet.cell(row=2, column=1).value)
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(io.BytesIO(buffer.getvalue()))
    assert report.imported, report.lines()
    assert report.counts["entries"].created == 2
    from hours.models import HoursEntry
    from participants.models import Participant

    assert Participant.objects.get().birth_date == datetime.date(1987, 3, 12)
    assert sorted(HoursEntry.objects.values_list("hours", flat=True)) == [
        Decimal("120.00"),
        Decimal("151.67"),
    ]
