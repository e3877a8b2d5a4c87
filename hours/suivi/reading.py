"""Reading an uploaded tracking spreadsheet without letting it take the server down.

A workbook is a zip of XML parts; a hostile one can be small on disk and still ask for gigabytes or run
forever (a zip bomb, billion laughs, a row numbered 10¹², a cell in column ZZZZZZ, a flood of empty rows,
a huge shared-strings table). Everything is checked before it is parsed, and refused with a French
message naming the limit (UnreadableFile):

1. sniff: the first bytes (empty file, .xls, encrypted, CSV, not a zip);
2. check_archive: the zip's central directory (at most MAX_PARTS parts, no encrypted part, no unknown
   compression), the declared uncompressed size (CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB in all, MAX_XML_PART
   for an XML part parsed whole), the compression ratio (MAX_RATIO), the parts that must exist
   ([Content_Types].xml, the workbook and its relationships), no macros (.xlsm renamed .xlsx), and no
   DOCTYPE in any XML part (billion laughs, XXE): a spreadsheet never has one;
3. the shared strings, read by a bounded reader (MAX_SHARED_STRINGS strings, MAX_SHARED_CHARS
   characters), and the sheet's XML (hours/suivi/scan.py: rows, columns, the size of the table);
4. then python-calamine (Rust) parses the workbook and the sheet: ten times faster than openpyxl's
   read-only mode. Its values are those openpyxl gave (tests/hours/test_suivi_readers.py says where
   they differ: a date cell is a date, not a datetime at midnight; a whole number a float; an
   « _x000D_ » escape the character it stands for); error cells get their text back from the scan.

openpyxl still writes the exports and reads the annotated copy of a refused workbook (annotate.py),
after the same checks (check_workbook). A damaged file gets a French message, never a Python class name
(the exception is logged)."""

import logging
import zipfile
from pathlib import Path

from clauses_site.text import match_key
from hours.suivi.archive import (
    DAMAGED,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    RESAVE,
    UnreadableFile,
    check_archive,
    check_directory,
    doctype_refusal,
    int_text,
    parse_small_xml,
    read_head,
    read_tail,
    sniff,
)
from hours.suivi.scan import diagnose, scan_sheet

logger = logging.getLogger(__name__)
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = f"{RELATIONSHIPS_NS}/worksheet"


# --------------------------------------------------------------------------------------------------
# The parts of the workbook


def _parse_error(exc, part):
    """The French message of an exception raised while parsing `part` (never a class name)."""
    from defusedxml import DefusedXmlException

    if isinstance(exc, DefusedXmlException):
        return doctype_refusal(part)
    position = getattr(exc, "position", None)
    where = f" (ligne {position[0]}, colonne {position[1]})" if position else ""
    return f"le fichier est endommagé : la partie « {part} » n'est pas du XML valide{where}."


def read_shared_strings(source, part="xl/sharedStrings.xml"):
    """The shared strings, as openpyxl reads them (plain text of <t> and of rich-text runs, not of
    phonetic runs), at most MAX_SHARED_STRINGS strings and MAX_SHARED_CHARS characters. Parsed by expat
    with callbacks (no element tree: twice as fast as openpyxl's reader), any DTD refused."""
    from xml.parsers import expat

    from openpyxl.xml.constants import SHEET_MAIN_NS

    ns = f"{SHEET_MAIN_NS} "
    si_tag, t_tag, phonetic_tag = f"{ns}si", f"{ns}t", f"{ns}rPh"
    strings, text = [], []
    too_many = (
        f"la table des chaînes partagées du classeur dépasse {int_text(MAX_SHARED_STRINGS)} textes "
        f"ou {int_text(MAX_SHARED_CHARS)} caractères : fichier refusé."
    )
    in_text = False  # inside a <t> that is not a phonetic run's
    phonetic = 0
    elements = chars = 0

    def first(_name, attrs):
        announced = str(attrs.get("uniqueCount", "0"))  # the table's own count
        if announced.isdigit() and int(announced) > MAX_SHARED_STRINGS:
            raise UnreadableFile(too_many)
        parser.StartElementHandler = start

    def start(name, _attrs):
        nonlocal in_text, phonetic, elements
        elements += 1
        if name == t_tag:
            in_text = not phonetic
        elif name == phonetic_tag:
            phonetic += 1
        if elements > MAX_ROW_ELEMENTS:
            raise UnreadableFile(f"la table des chaînes partagées (« {part} ») est anormale.")

    def end(name):
        nonlocal in_text, phonetic, elements, chars
        if name == t_tag:
            in_text = False
        elif name == si_tag:
            value = "".join(text).replace("x005F_", "")
            text.clear()
            elements = 0
            chars += len(value)
            strings.append(value)
            if len(strings) > MAX_SHARED_STRINGS or chars > MAX_SHARED_CHARS:
                raise UnreadableFile(too_many)
        elif name == phonetic_tag:
            phonetic -= 1

    def characters(data):
        if in_text:
            text.append(data)

    def forbidden(*_args):
        raise UnreadableFile(doctype_refusal(part))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler, parser.EndElementHandler = first, end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = forbidden
    parser.ExternalEntityRefHandler = forbidden
    try:
        parser.ParseFile(source)
    except UnreadableFile:
        raise
    except expat.ExpatError as exc:
        logger.warning("shared strings unreadable", exc_info=True)
        exc.position = (exc.lineno, exc.offset)
        raise UnreadableFile(_parse_error(exc, part)) from exc
    return strings


def worksheets(archive, workbook_part):
    """[(sheet name, part)] of the workbook's worksheets, in the workbook's order (chart sheets apart)."""
    folder = workbook_part.rpartition("/")[0]
    rels_part = f"{folder}/_rels/{workbook_part.rpartition('/')[2]}.rels".lstrip("/")
    targets = {}
    for rel in parse_small_xml(archive, rels_part):
        if rel.get("Type") == WORKSHEET_TYPE and rel.get("Id"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}".lstrip("/")
            targets[rel.get("Id")] = target
    names = archive.namelist()
    found = []
    for node in parse_small_xml(archive, workbook_part).iter():
        if node.tag.rpartition("}")[2] != "sheet":
            continue
        part = targets.get(node.get(f"{{{RELATIONSHIPS_NS}}}id"))
        if part in names:
            found.append((node.get("name", ""), part))
    return found


def choose_sheet(names):
    if not names:
        raise UnreadableFile("le classeur ne contient aucune feuille.")
    chosen = next((n for n in names if n == "Heures"), None)
    return chosen or next((n for n in names if match_key(n) == "heures"), names[0])


def _shared_strings_part(archive):
    from defusedxml import ElementTree

    shared = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    types = ElementTree.fromstring(archive.read("[Content_Types].xml"), forbid_dtd=True)
    for node in types:
        if node.get("ContentType") == shared and node.get("PartName"):
            return node.get("PartName").lstrip("/")
    return None


def check_workbook(source, every_sheet=False):
    """Check a workbook before a parser opens it: first bytes, archive, shared strings and the XML of the
    sheet the import reads (of every worksheet with every_sheet: the annotated copy reads them all).
    Returns (that sheet's name, {worksheet name: SheetScan})."""
    head, size = read_head(source)
    sniff(head, size)
    check_directory(read_tail(source, size))
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise UnreadableFile(DAMAGED) from exc
    try:
        parts = dict(worksheets(archive, check_archive(archive)))
        chosen = choose_sheet(list(parts))
        shared = _shared_strings_part(archive)
        if shared in archive.namelist():
            with archive.open(shared) as part:
                read_shared_strings(part, shared)
        wanted = parts if every_sheet else [chosen]
        scans = {name: scan_sheet(archive, parts[name], name) for name in wanted}
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise UnreadableFile(DAMAGED) from exc
    finally:
        archive.close()
        if not isinstance(source, (str, Path)):
            source.seek(0)
    return chosen, scans


# --------------------------------------------------------------------------------------------------
# The sheet's rows


class Sheet:
    """The sheet the import reads, parsed by calamine: (row number, values) of its rows that hold a
    value, in order; values[i] is column i + 1 (None or "" when empty), cut at `width` columns once the
    titles are known. announced: the rows the sheet spans (for the progress bar)."""

    def __init__(self, workbook, calamine_sheet, title, scan):
        self.workbook = workbook
        self.sheet = calamine_sheet
        self.title = title
        self.scan = scan
        self.width = None
        end = calamine_sheet.end
        self.announced = end[0] + 1 if end else 0

    def close(self):
        """Close the workbook and let calamine's table go (the import plans and writes without it)."""
        self.workbook.close()
        self.sheet = None

    def numbered_rows(self):
        """(row number, values) of every row of calamine's table, empty ones included, each value in its
        column and error cells holding their text (read_rows: the values as calamine gives them when no
        cell needs moving)."""
        start = self.sheet.start
        pad = (None,) * (start[1] if start else 0)  # calamine starts a row at the first column used
        errors = {}  # row number -> [(column, text of the error cell)]
        for (row, column), text in self.scan.errors.items():
            errors.setdefault(row, []).append((column, text))
        rows = enumerate(self.sheet.iter_rows(), start=1)
        return _placed(rows, pad, errors) if pad or errors else rows

    def __iter__(self):
        """(row number, values) of the rows that hold a value, cut at `width` columns once it is set."""
        for number, values in self.numbered_rows():
            if self.width is not None:
                values = values[: self.width]
            for value in values:
                if value is not None and value != "":
                    break
            else:
                continue
            yield number, values


def _placed(rows, pad, errors):
    for number, values in rows:
        if pad:
            values = pad + tuple(values)
        if number in errors:
            values = _with_errors(values, errors[number])
        yield number, values


def _with_errors(values, found):
    values = list(values) + [None] * max(0, max(c for c, _ in found) - len(values))
    for column, text in found:
        values[column - 1] = text
    return values


def _calamine_error(exc, title):
    """The French message of an error calamine raised on a checked workbook (or of a Rust panic: pyo3's
    PanicException derives from BaseException, so that `except Exception` would let it through)."""
    import python_calamine

    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc

    logger.warning("workbook unreadable by calamine", exc_info=True)
    if isinstance(exc, python_calamine.PasswordError):
        return "le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe."
    if isinstance(exc, python_calamine.ZipError):
        return DAMAGED
    if isinstance(exc, python_calamine.XmlError):
        return f"le fichier est endommagé : la feuille « {title} » n'est pas du XML valide."
    return (
        "le classeur n'a pas pu être lu : il est endommagé ou n'a pas été enregistré par un tableur "
        f"(ouvrez-le et {RESAVE})."
    )


def open_workbook(source):
    """The checked sheet the import reads (Sheet), parsed by calamine (cached values of formulas)."""
    import python_calamine

    title, scans = check_workbook(source)
    scan = scans[title]
    try:
        if isinstance(source, (str, Path)):
            workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            workbook = python_calamine.CalamineWorkbook.from_filelike(source)
    except BaseException as exc:
        raise UnreadableFile(_calamine_error(exc, title)) from exc
    try:
        sheet = workbook.get_sheet_by_name(title)
    except BaseException as exc:
        workbook.close()
        message = _calamine_error(exc, title)
        _diagnose(source, scan.part)
        raise UnreadableFile(message) from exc
    return Sheet(workbook, sheet, title, scan)


def _diagnose(source, part):
    """Where the XML of a sheet calamine refused breaks, in French (UnreadableFile), if expat finds it."""
    if not isinstance(source, (str, Path)):
        source.seek(0)
    with zipfile.ZipFile(source) as archive:
        diagnose(archive, part, _parse_error)
