"""The refused workbook given back annotated: the uploader's workbook, faulty cells in red with a comment
saying what is wrong; formulas never live."""

import io
from collections import defaultdict

from clauses_site.exports import neutralise
from hours.suivi.archive import max_rows
from hours.suivi.reading import check_workbook

ERROR_FILL = "FFC7CE"  # Excel's "bad" light red
ERROR_FONT = "9C0006"


def _field(error, name):
    return error.get(name) if isinstance(error, dict) else getattr(error, name)


def _safe_value(value):
    """A cell value as the annotated copy writes it: formulas as neutralised text, never live."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if isinstance(value, ArrayFormula):
        value = value.text if str(value.text or "").startswith("=") else f"={value.text or ''}"
    elif isinstance(value, DataTableFormula):
        value = "=TABLE()"
    return neutralise(value) if isinstance(value, str) else value


def annotated_workbook(source, errors, sheet_title=None):
    """The same workbook (every sheet, values, formulas as text, number formats), with each faulty cell
    of the read sheet filled in red and carrying a comment that says what is wrong. Formulas come back
    as text (neutralised as the exports do: « '=SOMME(A1:A3) »), never as live formulas. Every sheet is
    read within the import's limits. Streams (read-only in, write-only out). Returns bytes."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    notes = defaultdict(list)
    for e in errors:
        row, col, column, reason = (_field(e, k) for k in ("row", "col", "column", "reason"))
        if row < 2:
            continue
        if col:
            notes[(row, col)].append(reason)
        else:
            notes[(row, 1)].append(f"Colonne « {column} » : {reason}")
    last_noted = {}
    for r, c in notes:
        last_noted[r] = max(last_noted.get(r, 0), c)
    fill = PatternFill("solid", fgColor=ERROR_FILL)
    font = Font(color=ERROR_FONT)
    limit = max_rows() + 1
    check_workbook(source, every_sheet=True)  # the import's limits, on every sheet openpyxl reads below
    source_book = load_workbook(source, read_only=True, data_only=False, keep_links=False)
    try:
        names = [sheet.title for sheet in source_book.worksheets]  # chart sheets apart
        sheet_title = sheet_title if sheet_title in names else names[0]
        out = Workbook(write_only=True)
        for name in names:
            source_sheet = source_book[name]
            if hasattr(source_sheet, "reset_dimensions"):
                source_sheet.reset_dimensions()
            target = out.create_sheet(name)
            annotate = name == sheet_title
            if annotate:
                target.freeze_panes = "A2"
            widths = {}
            for row_number, row in enumerate(source_sheet.iter_rows(), start=1):
                if row_number > limit:
                    break  # only empty rows lie beyond (checked above)
                cells = []
                wanted = last_noted.get(row_number, 0) if annotate else 0
                for col_number in range(1, max(len(row), wanted) + 1):
                    cell = row[col_number - 1] if col_number <= len(row) else None
                    value = _safe_value(getattr(cell, "value", None))
                    number_format = getattr(cell, "number_format", None) or "General"
                    reasons = notes.get((row_number, col_number)) if annotate else None
                    if annotate and row_number == 1 and value is not None:
                        widths[col_number] = min(max(len(str(value)) + 4, 10), 45)
                    if reasons is None and number_format == "General":
                        cells.append(value)
                        continue
                    out_cell = WriteOnlyCell(target, value=value)
                    if number_format != "General":
                        out_cell.number_format = number_format
                    if reasons:
                        out_cell.fill = fill
                        out_cell.font = font
                        comment = Comment("\n".join(reasons), "Clauses")
                        comment.width, comment.height = 300, 40 + 20 * len(reasons)
                        out_cell.comment = comment
                    cells.append(out_cell)
                if annotate and row_number == 1:
                    for col_number, width in widths.items():
                        target.column_dimensions[get_column_letter(col_number)].width = width
                target.append(cells)
    finally:
        source_book.close()
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
