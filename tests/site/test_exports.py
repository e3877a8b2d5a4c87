import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from clauses_site.exports import Column, write_csv, write_xlsx

COLUMNS = [
    Column("Nom", lambda r: r["name"]),
    Column("Heures", lambda r: r["hours"], "hours"),
    Column("Début", lambda r: r["start"], "date"),
]
ROWS = [
    {"name": '=HYPERLINK("http://x")', "hours": Decimal("151.666"), "start": datetime.date(2025, 2, 3)},
    {"name": "Élodie", "hours": Decimal("7"), "start": None},
]


def test_xlsx_has_typed_cells_frozen_header_and_neutralised_formulas():
    buffer = io.BytesIO()
    write_xlsx(buffer, COLUMNS, ROWS, sheet_title="Heures")
    buffer.seek(0)
    sheet = load_workbook(buffer)["Heures"]
    assert [c.value for c in sheet[1]] == ["Nom", "Heures", "Début"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B2"].value == 151.67 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == datetime.datetime(2025, 2, 3)
    assert sheet["A3"].value == "Élodie" and sheet["C3"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"


def test_csv_is_semicolon_separated_with_french_decimals():
    out = io.StringIO()
    write_csv(out, COLUMNS, ROWS)
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0] == "Nom;Heures;Début"
    assert lines[1] == '"\'=HYPERLINK(""http://x"")";151,67;03/02/2025'
    assert lines[2] == "Élodie;7,00;"
