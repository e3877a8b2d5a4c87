"""The limits of a worksheet's XML, checked before python-calamine parses it: calamine builds the sheet as
one dense table from the first to the last cell holding a value, so a single cell numbered 10¹² or in
column ZZZZZZ would ask for terabytes and abort the process (not an exception: the server's worker dies).

The check reads the inflated XML once, in blocks, with byte counts and regular expressions that find
nothing in a sane sheet (C speed, no Python work per cell):
- at most CLAUSES_IMPORT_MAX_ROWS + 1 <row> elements, empty ones included;
- no cell holding a value below that row, nor beyond column XFD (Excel's last);
- the table calamine builds at most MAX_CELLS cells (rows × columns from A1 to the farthest value);
- the row, cell and value tags balance (a sheet whose XML is broken gets expat's position of the error).
A sheet that writes cells without their reference (r="B7"), prefixed tags (<x:c>) or cells beyond
column FAST_COLUMNS is checked cell by cell instead (slower, the same limits); so is the slow path of
every sheet the annotated workbook copies.

Error cells (#N/A, #DIV/0!…) are found here too: calamine reads them as empty, openpyxl as their text,
which the import shows in its errors (« #N/A » : nombre attendu)."""

import re

from hours.suivi.archive import MAX_COLUMN, UnreadableFile, int_text, max_rows

BLOCK = 8 * 1024 * 1024
OVERLAP = 4096  # bytes kept from one block to the next, so that no tag is cut (a tag is far shorter)
FAST_COLUMNS = 32  # AF: a sheet whose values stand left of it needs no cell-by-cell check
MAX_CELLS_PER_ROW = FAST_COLUMNS  # the table's cells, per row allowed (rows × 32 cells: 6,4 M by default)

ROW_OPEN = (b"<row ", b"<row>")
CELL_OPEN = (b"<c ", b"<c>")
PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row|v|is)[\s/>]")
SELF_CLOSED_ROW = re.compile(rb"<row(?:\s[^>]*)?/>")
SELF_CLOSED_CELL = re.compile(rb"<c(?:\s[^>]*)?/>")
ERROR_CELL = re.compile(rb'<c\s(?=[^>]*\bt="e")[^>]*\br="([A-Za-z]+)([0-9]+)"[^>]*>(.*?)</c>', re.S)
VALUE = re.compile(rb"<v>([^<]*)</v>")
TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c|v|is)(\s[^>]*?)?(/?)>")
REF = re.compile(rb'\br="([^"]*)"')
CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def max_cells():
    return (max_rows() + 1) * MAX_CELLS_PER_ROW


def column_index(letters):
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def column_letters(index):
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _above(number):
    """A regular expression of the decimal numbers greater than `number` (leading zeros allowed)."""
    digits = str(number)
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for i, digit in enumerate(digits):
        if digit != "9":
            options.append(f"{digits[:i]}[{int(digit) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return f"0*(?:{'|'.join(options)})"


def _letters_above(index):
    """A regular expression of the column letters after column `index` (upper case, as Excel writes)."""
    letters = column_letters(index)
    options = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, char in enumerate(letters):
        if char != "Z":
            options.append(f"{letters[:i]}[{chr(ord(char) + 1)}-Z][A-Z]{{{len(letters) - i - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _blocks(part):
    """(block, end): blocks of the inflated part overlapping by OVERLAP bytes; only what starts before
    `end` belongs to the block (the rest is read again with the next one)."""
    carry = b""
    while True:
        data = part.read(BLOCK)
        block = carry + data
        if not data:
            if block:
                yield block, len(block)
            return
        end = max(len(block) - OVERLAP, 0)
        yield block, end
        carry = block[end:]


class SheetScan:
    """What the check found: rows announced, error cells {(row, column): text}."""

    def __init__(self, title, part):
        self.title = title
        self.part = part
        self.row_elements = 0
        self.errors = {}
        self.last_row = 0  # the last row holding a value (slow path) or the limit (fast path)

    # -- refusals, in the words of the streaming reader this check replaces
    def refuse_rows(self, limit):
        raise UnreadableFile(
            f"la feuille « {self.title} » compte plus de {int_text(limit)} lignes, vides "
            f"comprises : {int_text(limit - 1)} lignes au plus."
        )

    def refuse_row(self, index, limit):
        raise UnreadableFile(
            f"le fichier déclare la ligne {int_text(index)} : {int_text(limit - 1)} lignes au plus."
        )

    def refuse_column(self, ref):
        letters = ref.rstrip("0123456789")
        raise UnreadableFile(
            f"le fichier déclare la colonne {letters[:12]}{'…' if len(letters) > 12 else ''} "
            f"(cellule {ref[:20]}) : {int_text(MAX_COLUMN)} colonnes au plus (XFD, la dernière d'Excel) ; "
            "le tableau de suivi en compte 27."
        )

    def refuse_area(self, rows, columns):
        raise UnreadableFile(
            f"la feuille « {self.title} » s'étend sur {int_text(rows)} lignes et {int_text(columns)} "
            f"colonnes (jusqu'à la cellule {column_letters(columns)}{rows}) : {int_text(max_cells())} "
            "cellules au plus ; supprimez les lignes et les colonnes inutiles."
        )


def scan_sheet(archive, part, title, parse_error):
    """Check the worksheet `part` of a checked archive (UnreadableFile otherwise); returns a SheetScan.
    parse_error(exc, part) gives the French message of an XML error."""
    limit = max_rows() + 1
    scan = SheetScan(title, part)
    counts = dict.fromkeys(("row", "/row", "c", "/c", "v", "/v", "self_row", "self_cell", "ref"), 0)
    far_cell = re.compile(
        rb'<c r="(?:('
        + _letters_above(FAST_COLUMNS).encode()
        + rb")[0-9]|[A-Za-z]+("
        + _above(limit).encode()
        + rb')")'
    )
    slow = False
    with archive.open(part) as source:
        for block, end in _blocks(source):
            window = end + 8  # a match starting before `end` ends within 8 more bytes of its literal
            counts["row"] += sum(block.count(tag, 0, end + len(tag) - 1) for tag in ROW_OPEN)
            if counts["row"] > limit:
                scan.refuse_rows(limit)
            counts["/row"] += block.count(b"</row>", 0, end + 5)
            counts["c"] += sum(block.count(tag, 0, end + len(tag) - 1) for tag in CELL_OPEN)
            counts["/c"] += block.count(b"</c>", 0, end + 3)
            counts["v"] += block.count(b"<v>", 0, end + 2)
            counts["/v"] += block.count(b"</v>", 0, end + 3)
            counts["ref"] += block.count(b'<c r="', 0, end + 5)
            counts["self_row"] += sum(1 for m in SELF_CLOSED_ROW.finditer(block) if m.start() < end)
            counts["self_cell"] += sum(1 for m in SELF_CLOSED_CELL.finditer(block) if m.start() < end)
            if not slow and any(m.start() < end for m in PREFIXED.finditer(block, 0, window + 64)):
                slow = True
            for m in far_cell.finditer(block):
                if m.start() >= end:
                    break
                if m[1]:
                    slow = True  # a value beyond column AF: the table's width is measured cell by cell
                elif _holds_value(block, m.end()):
                    scan.refuse_row(int(m[2]), limit)
            if block.count(b't="e"', 0, end + 4):
                for m in ERROR_CELL.finditer(block):
                    if m.start() < end and (value := VALUE.search(m[3])):
                        scan.errors[(int(m[2]), column_index(m[1].decode()))] = value[1].decode()
    scan.row_elements = counts["row"]
    balanced = (
        counts["row"] == counts["/row"] + counts["self_row"]
        and counts["c"] == counts["/c"] + counts["self_cell"]
        and counts["v"] == counts["/v"]
    )
    if not balanced:
        _diagnose(archive, part, parse_error)
    if slow or counts["ref"] != counts["c"]:
        _scan_cells(archive, part, scan, limit)
    else:
        scan.last_row = limit
    return scan


def _holds_value(block, at):
    """Whether the cell whose tag's reference ends at `at` holds a value (not <c r="A9" s="1"/>)."""
    close = block.find(b">", at)
    if close < 0 or block[close - 1 : close] == b"/":
        return False
    return not block.startswith(b"</c>", close + 1)


def _diagnose(archive, part, parse_error):
    """The tags do not balance: expat says where the XML breaks (or, if it does not, the sheet is damaged)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        with archive.open(part) as source:
            parser.ParseFile(source)
    except expat.ExpatError as exc:
        exc.position = (exc.lineno, exc.offset)
        raise UnreadableFile(parse_error(exc, part)) from exc
    raise UnreadableFile(f"le fichier est endommagé : la partie « {part} » est incohérente.")


def _scan_cells(archive, part, scan, limit):
    """The slow path: every row and cell tag, positions as calamine computes them (a cell's reference,
    else the one after the previous cell; a row's number, else the one after the previous row)."""
    last_row = last_column = 0
    row = column = 0
    with archive.open(part) as source:
        for block, end in _blocks(source):
            for m in TAG.finditer(block):
                if m.start() >= end:
                    break
                closing, name, attributes, self_closed = m.groups()
                if closing or name in (b"v", b"is"):
                    continue
                ref = REF.search(attributes or b"")
                if name == b"row":
                    row = _row_number(ref[1].decode() if ref else "", row)
                    column = 0
                    continue
                if ref:
                    text = ref[1].decode()
                    cell = CELL_REF.fullmatch(text)
                    if cell is None:
                        if re.fullmatch(r"[A-Za-z]+[0-9]*", text):
                            scan.refuse_column(text)
                        raise UnreadableFile(
                            f"le fichier est endommagé : référence de cellule invalide « {text[:20]} »."
                        )
                    column, row = column_index(cell[1]), int(cell[2])
                else:
                    column += 1
                if column > MAX_COLUMN:
                    scan.refuse_column(f"{column_letters(column) if column < 10**6 else '…'}{row}")
                if self_closed or block.startswith(b"</c>", m.end()):
                    continue  # no value: not in calamine's table
                if row > limit:
                    scan.refuse_row(row, limit)
                last_row, last_column = max(last_row, row), max(last_column, column)
    if last_row * last_column > max_cells():
        scan.refuse_area(last_row, last_column)
    scan.last_row = last_row


def _row_number(text, previous):
    if not text:
        return previous + 1
    try:
        number = int(float(text))
    except (ValueError, OverflowError):
        number = 0
    if number < 1:
        raise UnreadableFile(f"le fichier est endommagé : numéro de ligne invalide « {text[:20]} ».")
    return number
