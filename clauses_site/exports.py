"""The one exporter shape: columns that read values off rows, written as xlsx (openpyxl write-only,
streaming: memory stays flat) or as `;`-separated CSV. A text cell starting with = + - @ (or a tab / CR)
is neutralised with a leading apostrophe so that no spreadsheet runs it as a formula."""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]  # row -> value
    kind: str = "text"  # text | int | hours | money | date | month | rate
    width: int = 18


NUMBER_FORMATS = {
    "hours": "#,##0.00",
    "money": "#,##0.00",
    "int": "0",
    "date": "DD/MM/YYYY",
    "month": "MM/YYYY",  # a date cell (the first of the month) shown as its month
    "rate": "0.0%",
}


def _cell_value(column, row):
    value = column.value(row)
    if value is None:
        return None
    if column.kind in ("hours", "money") and not isinstance(value, Decimal):
        value = Decimal(str(value))
    if column.kind in ("hours", "money"):
        return value.quantize(Decimal("0.01"))
    return neutralise(value) if isinstance(value, str) else value


def write_xlsx(stream, columns, rows, sheet_title="Export", freeze=True, autofilter=True, extra_sheets=()):
    """Write rows to an xlsx in write-only mode. extra_sheets: (title, columns, rows) triples."""
    workbook = Workbook(write_only=True)
    for title, cols, sheet_rows in ((sheet_title, columns, rows), *extra_sheets):
        sheet = workbook.create_sheet(title=title[:31])
        for index, column in enumerate(cols, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        if freeze:
            sheet.freeze_panes = "A2"
        header = []
        for column in cols:
            cell = WriteOnlyCell(sheet, value=column.title)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        count = 0
        for row in sheet_rows:
            cells = []
            for column in cols:
                cell = WriteOnlyCell(sheet, value=_cell_value(column, row))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                cells.append(cell)
            sheet.append(cells)
            count += 1
        if autofilter and cols:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{count + 1}"
    workbook.save(stream)


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(stream, columns, rows):
    """`;`-separated CSV with a BOM, for Excel in French."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([_csv_text(_cell_value(c, row)) for c in columns])


def xlsx_response(filename, columns, rows, **kwargs):
    buffer = io.BytesIO()
    write_xlsx(buffer, columns, rows, **kwargs)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, columns, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, columns, rows)
    return response
