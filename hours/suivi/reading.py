"""Reading an uploaded tracking spreadsheet without letting it take the server down.

A workbook is a zip of XML parts; a hostile one can be small on disk and still ask for gigabytes or run
forever (a zip bomb, billion laughs, a row numbered 10¹², a cell in column ZZZZZZ, a flood of empty rows,
a huge shared-strings table). Everything is checked before or while it is parsed, and refused with a
French message naming the limit (UnreadableFile):

1. sniff: the first bytes (empty file, .xls, encrypted, CSV, not a zip);
2. check_archive: the zip's central directory (at most MAX_PARTS parts, no encrypted part, no unknown
   compression), the declared uncompressed size (CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB in all, MAX_XML_PART
   for an XML part parsed whole), the compression ratio (MAX_RATIO), the parts that must exist
   ([Content_Types].xml, the workbook and its relationships), no macros (.xlsm renamed .xlsx), and no
   DOCTYPE in any XML part (billion laughs, XXE): a spreadsheet never has one;
3. open_workbook: openpyxl in read-only mode, with the shared strings read by a bounded reader
   (MAX_SHARED_STRINGS strings, MAX_SHARED_CHARS characters); openpyxl parses XML with defusedxml;
4. SheetRows: the sheet's cells, streamed with defusedxml's iterparse: at most CLAUSES_IMPORT_MAX_ROWS
   rows, no cell beyond column XFD (Excel's last), no more than MAX_ROW_ELEMENTS elements in a row; rows
   absent from the XML are never materialised, nor cells beyond the last titled column.

A damaged file gets a French message, never a Python class name (the exception is logged)."""

import logging
import re
import zipfile

from clauses_site.text import match_key
from hours.suivi.archive import (
    DAMAGED,
    MAX_COLUMN,
    MAX_HEAD_ELEMENTS,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    RESAVE,
    UnreadableFile,
    check_archive,
    check_directory,
    doctype_refusal,
    int_text,
    max_rows,
    read_head,
    read_tail,
    sniff,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------------
# Opening the workbook


def _iterparse(source):
    from defusedxml.ElementTree import iterparse

    return iterparse(source, forbid_dtd=True)


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


def iterparse_events(source):
    from defusedxml.ElementTree import iterparse

    return iterparse(source, events=("start", "end"), forbid_dtd=True)


def _reader_class():
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class SafeReader(ExcelReader):
        """openpyxl's reader on an archive already checked, with the bounded shared-strings reader."""

        def __init__(self, archive, data_only):
            self.archive = archive
            self.valid_files = archive.namelist()
            self.read_only = True
            self.keep_vba = False
            self.data_only = data_only
            self.keep_links = False
            self.rich_text = False
            self.shared_strings = []

        def read_strings(self):
            ct = self.package.find(SHARED_STRINGS)
            if ct is not None:
                name = ct.PartName[1:]
                with self.archive.open(name) as src:
                    self.shared_strings = read_shared_strings(src, name)

        def read_worksheets(self):
            """Worksheets only (chart sheets are not read), sized from their head alone."""
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = BoundedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    class BoundedSheet(ReadOnlyWorksheet):
        def _get_size(self):
            """The <dimension> of the sheet's head, if any: openpyxl's own search reads the whole sheet
            when there is none."""
            from openpyxl.xml.constants import SHEET_MAIN_NS

            dimension, data = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"
            with self._get_source() as src:
                for count, (_event, element) in enumerate(iterparse_events(src)):
                    if element.tag == data or count > MAX_HEAD_ELEMENTS:
                        return
                    if element.tag == dimension:
                        last = _REF.fullmatch((element.get("ref") or "").rpartition(":")[2])
                        if last:
                            self._max_row = int(last[2])
                        return

    return SafeReader


def load_checked_workbook(source, data_only=True):
    """An openpyxl read-only workbook of a checked archive (sniffed, sizes, parts, no DTD)."""
    head, size = read_head(source)
    sniff(head, size)
    check_directory(read_tail(source, size))
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise UnreadableFile(DAMAGED) from exc
    try:
        check_archive(archive)
        reader = _reader_class()(archive, data_only)
        reader.read()
    except UnreadableFile:
        archive.close()
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        archive.close()
        raise UnreadableFile(DAMAGED) from exc
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        archive.close()
        logger.warning("workbook unreadable", exc_info=True)
        raise UnreadableFile(
            "le classeur n'a pas pu être lu : il est endommagé ou n'a pas été enregistré par un tableur "
            f"(ouvrez-le et {RESAVE})."
        ) from exc
    return reader.wb


def choose_sheet(workbook):
    names = workbook.sheetnames
    if not names:
        raise UnreadableFile("le classeur ne contient aucune feuille.")
    chosen = next((n for n in names if n == "Heures"), None)
    return chosen or next((n for n in names if match_key(n) == "heures"), names[0])


def open_workbook(source):
    """(workbook, sheet, rows announced by the sheet or None): read-only, cached values of formulas."""
    workbook = load_checked_workbook(source, data_only=True)
    try:
        sheet = workbook[choose_sheet(workbook)]
        announced = getattr(sheet, "max_row", None)
    except UnreadableFile:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        logger.warning("sheet unreadable", exc_info=True)
        raise UnreadableFile("le classeur n'a pas pu être lu : sa feuille est endommagée.") from exc
    if not isinstance(announced, int) or announced > max_rows() + 1:
        announced = None
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some writers leave a wrong <dimension>: read every row
    return workbook, sheet, announced


# --------------------------------------------------------------------------------------------------
# The sheet's rows

_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def column_index(letters):
    index = 0
    for char in letters:
        index = index * 26 + ord(char.upper()) - 64
    return index


class SheetRows:
    """(row number, values) of the sheet's rows that hold a value, in order; values[i] is column i + 1,
    cut at `width` columns (set it once the titles are known: cells beyond are never materialised).
    The cached values of formulas are read; the limits are checked as the XML streams."""

    def __init__(self, sheet, width=MAX_COLUMN):
        self.sheet = sheet
        self.width = width
        self.title = getattr(sheet, "title", "")

    def __iter__(self):
        sheet = self.sheet
        try:
            context = (
                sheet._get_source(),
                sheet._shared_strings,
                sheet.parent.epoch,
                sheet.parent._date_formats,
                sheet.parent._timedelta_formats,
            )
        except UnreadableFile:
            raise
        except Exception as exc:
            logger.warning("sheet %s unreadable", self.title, exc_info=True)
            raise UnreadableFile(
                f"le fichier est endommagé : la feuille « {self.title} » est illisible."
            ) from exc
        return self._rows(*context)

    def _refuse_column(self, ref):
        letters = ref.rstrip("0123456789")
        raise UnreadableFile(
            f"le fichier déclare la colonne {letters[:12]}{'…' if len(letters) > 12 else ''} "
            f"(cellule {ref[:20]}) : {int_text(MAX_COLUMN)} colonnes au plus (XFD, la dernière d'Excel) ; "
            "le tableau de suivi en compte 27."
        )

    def _rows(self, source, shared_strings, epoch, date_formats, timedelta_formats):
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.xml.constants import SHEET_MAIN_NS

        ns = f"{{{SHEET_MAIN_NS}}}"
        row_tag, cell_tag, value_tag, data_tag = f"{ns}row", f"{ns}c", f"{ns}v", f"{ns}sheetData"
        inline_tag, text_tag, run_tag = f"{ns}is", f"{ns}t", f"{ns}r"
        limit = max_rows() + 1
        columns = {}
        part = getattr(self.sheet, "_worksheet_path", "la feuille")

        def cell_value(cell, data_type, ref):
            if data_type == "inlineStr":
                child = cell.find(inline_tag)
                if child is None:
                    return None
                parts = [child.findtext(text_tag) or ""]
                parts.extend(run.findtext(text_tag) or "" for run in child.iterfind(run_tag))
                return "".join(parts)
            text = cell.findtext(value_tag)
            if not text:
                return None
            if data_type == "n":
                try:
                    value = int(text)
                except ValueError:
                    try:
                        value = float(text)
                    except ValueError:
                        return text
                style = cell.get("s")
                if style and style.isdigit() and int(style) in date_formats:
                    try:
                        return from_excel(value, epoch, timedelta=int(style) in timedelta_formats)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return value
            if data_type == "s":
                try:
                    return shared_strings[int(text)]
                except (ValueError, IndexError) as exc:
                    raise UnreadableFile(
                        f"le fichier est endommagé : la cellule {ref or ''} renvoie au texte partagé "
                        f"n° {text[:20]}, absent du classeur."
                    ) from exc
            if data_type == "b":
                return bool(int(text)) if text.isdigit() else text
            if data_type == "d":
                try:
                    return from_ISO8601(text)
                except ValueError:
                    return text
            return text  # str (the text result of a formula), e (an error)

        expected = 0  # the last row number seen
        rows_seen = 0
        elements = 0  # elements of the current row (or of the sheet's head before the rows)
        cells = []
        column = 0
        in_rows = False
        with source:
            try:
                for _event, element in _iterparse(source):
                    tag = element.tag
                    elements += 1
                    if tag == cell_tag:
                        ref = element.get("r")
                        if ref:
                            column = columns.get(ref.rstrip("0123456789"))
                            if column is None:
                                match = _REF.fullmatch(ref)
                                if match is None:
                                    self._refuse_column(ref)
                                column = column_index(match[1])
                                if column > MAX_COLUMN:
                                    self._refuse_column(ref)
                                columns[match[1]] = column
                        else:
                            column += 1
                            if column > MAX_COLUMN:
                                self._refuse_column(f"n° {int_text(column)}")
                        if column <= self.width:
                            value = cell_value(element, element.get("t", "n"), ref)
                            if value is not None:
                                cells.append((column, value))
                        element.clear()
                    elif tag == row_tag:
                        in_rows = True
                        rows_seen += 1
                        if rows_seen > limit:
                            raise UnreadableFile(
                                f"la feuille « {self.title} » compte plus de {int_text(limit)} lignes, vides "
                                f"comprises : {int_text(limit - 1)} lignes au plus."
                            )
                        number = element.get("r")
                        index = self._row_number(number) if number else expected + 1
                        element.clear()
                        found, cells, column, elements = cells, [], 0, 0
                        if index <= expected:
                            continue
                        expected = index
                        if not found:
                            continue
                        if index > limit:
                            raise UnreadableFile(
                                f"le fichier déclare la ligne {int_text(index)} : "
                                f"{int_text(limit - 1)} lignes au plus."
                            )
                        values = [None] * max(c for c, _ in found)
                        for c, value in found:
                            values[c - 1] = value
                        yield index, tuple(values)
                    elif tag == data_tag:
                        break  # what follows the rows (merged cells, formatting…) is not read
                    if elements > (MAX_ROW_ELEMENTS if in_rows else MAX_HEAD_ELEMENTS):
                        where = f"la ligne {int_text(expected + 1)}" if in_rows else "l'en-tête de la feuille"
                        raise UnreadableFile(
                            f"{where} « {self.title} » contient plus de {int_text(MAX_ROW_ELEMENTS)} "
                            "éléments XML : fichier refusé."
                        )
            except UnreadableFile:
                raise
            except Exception as exc:
                logger.warning("sheet %s unreadable", self.title, exc_info=True)
                raise UnreadableFile(_parse_error(exc, part)) from exc

    @staticmethod
    def _row_number(text):
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = int(float(text))
        except (ValueError, OverflowError):
            number = 0
        if number < 1:
            raise UnreadableFile(f"le fichier est endommagé : numéro de ligne invalide « {text[:20]} ».")
        return number


def iter_rows(sheet, fast=True):
    """Rows of values (tuples), the header first; row i of the iteration is row i of the sheet (absent
    rows as empty tuples). The lean reader (SheetRows) when openpyxl's internals are the expected ones
    (3.1), else openpyxl's own iteration; both give the same values (tests/hours/test_import_suivi.py)."""
    if not fast:
        return sheet.iter_rows(values_only=True)
    return _with_gaps(SheetRows(sheet))


def _with_gaps(rows):
    expected = 0
    for number, values in rows:
        while expected + 1 < number:
            expected += 1
            yield ()
        expected = number
        yield values
