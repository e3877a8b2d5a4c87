"""The one exporter shape: columns that read values off rows, written as xlsx (openpyxl write-only,
streaming: memory stays flat) or as `;`-separated CSV. A text cell starting with = + - @ (or a tab / CR)
is neutralised with a leading apostrophe so that no spreadsheet runs it as a formula."""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from clauses_site.formatting import rounded

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

#: Decimal places of the stored value of a numeric kind: exactly what its number format shows (a rate
#: is a fraction shown with one decimal of percent), so that the cell holds the figure the page shows,
#: rounded half up as on the page (clauses_site.formatting.rounded), and a spreadsheet has nothing left
#: to round its own way.
CELL_PLACES = {"hours": 2, "money": 2, "rate": 3}


def _cell_value(column, row):
    value = column.value(row)
    if value is None:
        return None
    if column.kind in ("hours", "money") or (column.kind == "rate" and not isinstance(value, str)):
        return rounded(value, CELL_PLACES[column.kind])
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
    if isinstance(value, Decimal):  # a rate keeps its 3 places (_cell_value): 0,780
        places = min(max(2, -value.as_tuple().exponent), 4) if value.is_finite() else 2
        return f"{value:.{places}f}".replace(".", ",")
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


# --------------------------------------------------------------------------------------------------
# A faster writer for large single-sheet exports


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.date(1899, 12, 30)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BUILTIN_FORMATS = {"0": 1}


def _xml_text(value):
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text


def _serial(value):
    if isinstance(value, datetime.datetime):
        delta = value - datetime.datetime(1899, 12, 30)
        return repr(delta.days + delta.seconds / 86400)
    return str((value - _EPOCH).days)


def _styles(kinds):
    """styles.xml for the column kinds, and {kind: cellXfs index} (0: default, 1: bold header)."""
    formats, xfs = {}, {}
    for kind in kinds:
        code = NUMBER_FORMATS.get(kind)
        if code and kind not in xfs:
            if code not in formats:
                formats[code] = _BUILTIN_FORMATS.get(
                    code, 164 + sum(1 for c in formats if c not in _BUILTIN_FORMATS)
                )
            xfs[kind] = 2 + len(xfs)
    custom = "".join(
        f'<numFmt numFmtId="{fid}" formatCode="{_xml_text(code)}"/>'
        for code, fid in formats.items()
        if code not in _BUILTIN_FORMATS
    )
    cell_xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    cell_xfs.append('<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>')
    for kind in sorted(xfs, key=xfs.get):
        fid = formats[NUMBER_FORMATS[kind]]
        cell_xfs.append(
            f'<xf numFmtId="{fid}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        )
    xml = (
        f"{_HEAD}<styleSheet {_NS}>"
        + (f'<numFmts count="{custom.count("<numFmt ")}">{custom}</numFmts>' if custom else "")
        + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(cell_xfs)}">{"".join(cell_xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return xml, xfs


def write_xlsx_stream(stream, columns, rows, sheet_title="Export", freeze=True, autofilter=True):
    """The same single-sheet workbook as write_xlsx (typed cells and number formats, column widths, bold
    frozen header, filters, neutralised formulas), written as XML text rather than through openpyxl's
    cell objects: several times faster, for exports of hundreds of thousands of rows. The rows go to a
    temporary file first, so that the sheet can state its dimension; memory stays flat."""
    import shutil
    import tempfile
    import zipfile

    title = sheet_title[:31]
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    styles_xml, xfs = _styles([c.kind for c in columns])
    style_attr = [f' s="{xfs[c.kind]}"' if c.kind in xfs else "" for c in columns]
    plan = list(zip(columns, letters, style_attr, strict=True))
    count = 0
    with tempfile.TemporaryFile() as body:
        header = "".join(
            f'<c r="{letter}1" s="1" t="inlineStr"><is><t>{_xml_text(c.title)}</t></is></c>'
            for c, letter, _ in plan
        )
        chunk = [f'<row r="1">{header}</row>']
        for row in rows:
            count += 1
            r = count + 1
            cells = []
            for column, letter, s in plan:
                value = _cell_value(column, row)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    cells.append(
                        f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">'
                        f"{_xml_text(value)}</t></is></c>"
                    )
                elif isinstance(value, bool):
                    cells.append(f'<c r="{letter}{r}"{s} t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, datetime.date):
                    cells.append(f'<c r="{letter}{r}"{s}><v>{_serial(value)}</v></c>')
                elif isinstance(value, (int, float, Decimal)):
                    cells.append(f'<c r="{letter}{r}"{s}><v>{value}</v></c>')
                else:
                    cells.append(
                        f'<c r="{letter}{r}"{s} t="inlineStr"><is><t>{_xml_text(str(value))}</t></is></c>'
                    )
            chunk.append(f'<row r="{r}">{"".join(cells)}</row>')
            if len(chunk) >= 2000:
                body.write("".join(chunk).encode())
                chunk.clear()
        body.write("".join(chunk).encode())
        last = get_column_letter(max(len(columns), 1))
        ref = f"A1:{last}{count + 1}"
        view = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if freeze
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
            for i, c in enumerate(columns, start=1)
        )
        sheet_head = (
            f'{_HEAD}<worksheet {_NS} {_NS_R}><dimension ref="{ref}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{view}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'
        )
        sheet_tail = (
            "</sheetData>"
            + (f'<autoFilter ref="{ref}"/>' if autofilter and columns else "")
            + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            + "</worksheet>"
        )
        quoted = title.replace("'", "''")
        defined = (
            f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"'{_xml_text(quoted)}'!$A$1:${last}${count + 1}</definedName></definedNames>"
            if autofilter and columns
            else ""
        )
        parts = {
            "[Content_Types].xml": (
                f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="xl/workbook.xml" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f"{_HEAD}<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews>"
                f'<sheets><sheet name="{_xml_text(title)}" sheetId="1" r:id="rId1"/></sheets>'
                f"{defined}</workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                '<Relationship Id="rId2" Target="styles.xml" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
                "</Relationships>"
            ),
            "xl/styles.xml": styles_xml,
        }
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in parts.items():
                archive.writestr(name, content)
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(sheet_head.encode())
                body.seek(0)
                shutil.copyfileobj(body, sheet, 1 << 20)
                sheet.write(sheet_tail.encode())
    return count
