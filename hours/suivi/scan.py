"""The limits of a worksheet's XML, checked before python-calamine parses it: calamine builds the sheet as
one dense table from the first to the last cell holding a value, so a single cell numbered 10¹² or in
column ZZZZZZ would ask for terabytes and abort the process (not an exception: the server's worker dies).

The check reads the inflated XML once, in blocks, with a byte count and a regular expression that
finds nothing in a sane sheet (C speed, no Python work per cell):
- at most CLAUSES_IMPORT_MAX_ROWS + 1 <row> elements, empty ones included;
- no cell holding a value below that row, nor beyond column XFD (Excel's last);
- the table calamine builds at most max_cells() cells (rows × columns from A1 to the farthest value).
A sheet with cells written without their reference first (r="B7"), prefixed tags (<x:c>) or values
beyond column FAST_COLUMNS is checked cell by cell instead (slower, the same limits). A sheet whose XML
calamine cannot read gets expat's position of the error (diagnose), only then: calamine is lenient
where expat is strict, and a second full parse of every sheet would cost as much as calamine's.

Error cells (#N/A, #DIV/0!…) are found here too: calamine reads them as empty, openpyxl as their text,
which the import shows in its errors (« #N/A » : nombre attendu)."""

import re

from hours.suivi.archive import MAX_COLUMN, UnreadableFile, int_text, max_rows

BLOCK = 8 * 1024 * 1024
OVERLAP = 4096  # bytes kept from one block to the next, so that no tag is cut (a tag is far shorter)
FAST_COLUMNS = 32  # AF: a sheet whose values stand left of it needs no cell-by-cell check
MAX_CELLS_PER_ROW = FAST_COLUMNS  # the table's cells, per row allowed (rows × 32 cells: 6,4 M by default)

ROW_OPEN = b"<row "  # (a <row> without attributes has no number: nothing to fear from it)
PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")  # calamine reads <x:c> as <c>
ERROR_CELL = re.compile(rb'<c\s(?=[^>]*\bt="e")[^>]*\br="([A-Za-z]+)([0-9]+)"[^>]*(?<!/)>(.*?)</c>', re.S)
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


def _greater_than(text, low, high, first):
    """A regular expression of the words of characters low…high that come after `text` when words are
    ordered by length, then character by character: longer ones (their first character in `first`), or
    as long with a greater character at some place (the ones before it the same)."""
    options = [f"{first}[{low}-{high}]{{{len(text)},}}"]
    for i, char in enumerate(text):
        if char != high:
            options.append(f"{text[:i]}[{chr(ord(char) + 1)}-{high}][{low}-{high}]{{{len(text) - i - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _above(number):
    """A regular expression of the decimal numbers greater than `number` (leading zeros allowed)."""
    return "0*" + _greater_than(str(number), "0", "9", "[1-9]")


def _letters_above(index):
    """A regular expression of the column letters after column `index` (upper case, as Excel writes)."""
    return _greater_than(column_letters(index), "A", "Z", "[A-Z]")


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


def _anomalies(limit):
    """What a sane sheet never holds (Excel, LibreOffice, openpyxl and the export write r="" first):
    a cell tag without its reference first (1), a reference beyond column FAST_COLUMNS (2), a row
    number of as many digits as the limit (3: compared with it)."""
    digits = len(str(limit)) - 1
    return re.compile(
        rb'<c(?:( (?!r=")|>|/>)| r="(?:('
        + _letters_above(FAST_COLUMNS).encode()
        + rb")|[A-Z]{1,2}0*([1-9][0-9]{"
        + str(digits).encode()
        + rb',})"))'
    )


def _letters_up_to(index):
    """A regular expression of the column letters up to column `index` (one or two letters)."""
    letters = column_letters(index)
    if len(letters) == 1:
        return f"[A-{letters}]"
    first, second = letters
    options = ["[A-Z]"]
    if first > "A":
        options.append(f"[A-{chr(ord(first) - 1)}][A-Z]")
    options.append(f"{first}[A-{second}]")
    return "(?:" + "|".join(options) + ")"


def _candidates(limit):
    """The cell tags that are not written the sane way, r="" first, a column up to FAST_COLUMNS and a row
    number of fewer digits than the limit: every tag _anomalies finds, and a few more (the sane way
    checked by one look-ahead costs half what _anomalies costs at each tag; its matches are few)."""
    digits = len(str(limit)) - 1
    if digits < 1:  # a limit under 10: no row number is short enough to pass unchecked
        return re.compile(rb"<c[\s/>]")
    sane = f' r="{_letters_up_to(FAST_COLUMNS)}[0-9]{{1,{digits}}}"'
    return re.compile(rb"<c(?!" + sane.encode() + rb")[\s/>]")


PREFIX_MARK = re.compile(rb":c")  # (a regular expression: faster than bytes.find for these two)
ERROR_MARK = re.compile(rb't="e"')


def scan_sheet(archive, part, title):
    """Check the worksheet `part` of a checked archive (UnreadableFile otherwise); returns a SheetScan."""
    limit = max_rows() + 1
    scan = SheetScan(title, part)
    anomalies = _anomalies(limit)
    candidates = _candidates(limit)
    rows = 0
    slow = False
    with archive.open(part) as source:
        for block, end in _blocks(source):
            rows += block.count(ROW_OPEN, 0, end + len(ROW_OPEN) - 1)
            if rows > limit:
                scan.refuse_rows(limit)
            for candidate in candidates.finditer(block, 0, end + 32):
                if candidate.start() >= end:
                    break
                m = anomalies.match(block, candidate.start(), end + 32)
                if m is None:
                    continue
                if m[3] is None:
                    slow = True  # measured cell by cell below
                elif int(m[3]) > limit and _holds_value(block, m.end()):
                    scan.refuse_row(int(m[3]), limit)
            if not slow and PREFIX_MARK.search(block, 0, end + 2) and PREFIXED.search(block):
                slow = True
            if ERROR_MARK.search(block, 0, end + 4):
                for m in ERROR_CELL.finditer(block):
                    if m.start() < end and (value := VALUE.search(m[3])):
                        scan.errors[(int(m[2]), column_index(m[1].decode()))] = value[1].decode()
    scan.row_elements = rows
    if slow:
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


def diagnose(archive, part, parse_error):
    """calamine could not read the sheet: expat says where its XML breaks (UnreadableFile); None when the
    XML is well formed."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        with archive.open(part) as source:
            parser.ParseFile(source)
    except expat.ExpatError as exc:
        exc.position = (exc.lineno, exc.offset)
        raise UnreadableFile(parse_error(exc, part)) from exc


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
