"""The check of a sheet's XML before python-calamine parses it (hours/suivi/scan.py): calamine builds one
dense table from A1 to the farthest value, and aborts the process when it cannot allocate it (a row
numbered 10¹² asked for 3 TB). What the fast path lets through and what it hands to the cell-by-cell
check, each refused with the limit named."""

import io
import re

import pytest

from hours.suivi import run_import
from hours.suivi.scan import (
    _above,
    _anomalies,
    _candidates,
    _letters_above,
    column_index,
    column_letters,
    max_cells,
)
from tests.hours import hostile

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.CLAUSES_IMPORT_MAX_ROWS = 1000


def fatal(extra_rows, data=None):
    return run_import(io.BytesIO(hostile.with_rows(extra_rows, data)), dry_run=True).fatal


def test_the_regular_expressions_of_numbers_and_columns_above_a_bound():
    above = re.compile(_above(1001))
    assert [
        n for n in (999, 1001, 1002, 1010, 1100, 2000, 9999, 10000, 123456) if above.fullmatch(str(n))
    ] == [
        1002,
        1010,
        1100,
        2000,
        9999,
        10000,
        123456,
    ]
    assert above.fullmatch("0001002") and not above.fullmatch("0001001")
    letters = re.compile(_letters_above(32))
    assert [c for c in ("A", "Z", "AF", "AG", "AZ", "BA", "ZZ", "AAA") if letters.fullmatch(c)] == [
        "AG",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    assert column_index("AF") == 32 and column_letters(32) == "AF" and column_letters(16384) == "XFD"


def test_a_value_below_the_row_limit_with_leading_zeros_is_refused():
    """calamine reads « A0001002 » as row 1 002: the fast path sees through the zeros."""
    assert fatal('<row r="3"><c r="A0001002" t="inlineStr"><is><t>x</t></is></c></row>') == (
        f"le fichier déclare la ligne 1{NNBSP}002 : 1{NNBSP}000 lignes au plus."
    )


def test_a_formatted_cell_without_value_below_the_limit_costs_nothing():
    """calamine leaves a cell without value out of its table: no refusal, as with openpyxl."""
    assert fatal('<row r="5000"><c r="A5000" s="1"/></row>') == ""


def test_cells_written_without_their_reference_are_counted_one_by_one():
    """No r="…": calamine places the cells one after the other; so does the cell-by-cell check, which
    finds the one beyond XFD."""
    cells = "<c><v>1</v></c>" * 16385
    assert fatal(f'<row r="3">{cells}</row>') == (
        f"le fichier déclare la colonne XFE (cellule XFE3) : 16{NNBSP}384 colonnes au plus (XFD, la "
        "dernière d'Excel) ; le tableau de suivi en compte 27."
    )


def test_prefixed_tags_are_checked_cell_by_cell():
    """calamine reads <x:c> as <c>: a prefixed cell numbered beyond the limit is refused too."""
    xml = hostile.sheet_xml().replace("<worksheet ", f'<worksheet xmlns:x="{hostile.NS}" ', 1)
    xml = xml.replace(
        "</sheetData>",
        '<x:row r="3"><x:c r="A5000" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row></sheetData>',
    )
    data = hostile.rewrite(hostile.base(), {hostile.SHEET: xml})
    assert run_import(io.BytesIO(data), dry_run=True).fatal == (
        f"le fichier déclare la ligne 5{NNBSP}000 : 1{NNBSP}000 lignes au plus."
    )


def test_a_table_too_big_for_calamine_is_refused_before_it_is_built():
    """A value far right (column ZZ, 702) under 60 rows: 42 120 cells, more than (1 000 + 1) × 32."""
    assert max_cells() == 1001 * 32
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(3, 60))
    far = '<row r="60"><c r="ZZ60"><v>1</v></c></row>'
    assert fatal(rows + far) == (
        f"la feuille « Heures » s'étend sur 60 lignes et 702 colonnes (jusqu'à la cellule ZZ60) : "
        f"32{NNBSP}032 cellules au plus ; supprimez les lignes et les colonnes inutiles."
    )
    # the same value on row 40: 28 080 cells, within the limit; the file is read (its rows are invalid)
    assert fatal('<row r="40"><c r="ZZ40"><v>1</v></c></row>') == ""


def test_a_sheet_calamine_cannot_read_gets_the_position_of_its_error():
    assert re.fullmatch(
        r"le fichier est endommagé : la partie « xl/worksheets/sheet1\.xml » n'est pas du XML valide "
        r"\(ligne 1, colonne \d+\)\.",
        fatal('<row r="3"><c r="A3"><v>1</v></row>'),
    )


@pytest.mark.parametrize("limit", [4, 10, 1001, 200_001])
def test_the_quick_look_ahead_finds_every_tag_the_check_must_see(limit):
    """scan_sheet first finds the cell tags not written the sane way (one look-ahead), then checks each
    with _anomalies: a tag _anomalies would find must be among them, whatever the limit."""
    tags = [
        '<c r="A1">',
        '<c r="AF999">',
        '<c r="AG2">',
        '<c r="ZZ9">',
        '<c r="AAA9">',
        '<c r="B0009">',
        '<c r="C123456">',
        '<c r="A1000000000000">',
        '<c r="A">',
        '<c s="2">',
        "<c>",
        "<c/>",
        '<c\tr="A1">',
        "<cols>",
    ]
    sheet = "".join(tags).encode()
    found = {m.start() for m in _anomalies(limit).finditer(sheet)}
    quick = {m.start() for m in _candidates(limit).finditer(sheet)}
    assert found and found <= quick
    if limit >= 10:  # (under 10, every row number is checked)
        assert 0 not in quick  # the sane way passes
