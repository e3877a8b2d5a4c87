"""The rows of the tracking sheet: the title row mapped to the format's columns (any order, unknown titles
ignored), then each data row turned into a normalised Row by the columns' cell parsers
(hours/suivi/cells.py), its errors reported by row and column."""

import datetime
import operator
from decimal import Decimal
from typing import NamedTuple

from hours.suivi.archive import UnreadableFile, int_text
from hours.suivi.cells import EMPTY_VALUES, PARSERS, CellError, is_empty
from hours.suivi.format import COLUMN_BY_KEY, COLUMN_BY_TITLE_KEY, COLUMNS, TITLES, title_key

MAX_TITLES = 100  # titles in row 1: the format's 27 and others, ignored


def map_header(header_row, report):
    """{format key: 0-based index}, {index: title as written}; unknown titles go to ignored columns."""
    positions, titles = {}, {}
    written_titles = sum(1 for v in header_row or () if v is not None and str(v).strip() != "")
    if written_titles > MAX_TITLES:
        raise UnreadableFile(
            f"la ligne des titres compte {int_text(written_titles)} colonnes : le tableau de suivi en a "
            f"{len(COLUMNS)}, {MAX_TITLES} au plus avec les colonnes ignorées."
        )
    for index, value in enumerate(header_row or ()):
        if value is None or str(value).strip() == "":
            continue
        written = str(value).strip()
        column = COLUMN_BY_TITLE_KEY.get(title_key(written))
        if column is None:
            report.ignored_columns.append(written)
            continue
        if column.key in positions:
            raise UnreadableFile(f"la colonne « {column.title} » figure deux fois dans la ligne des titres.")
        positions[column.key] = index
        titles[index] = written
    if not positions:
        raise UnreadableFile(
            "la ligne 1 ne contient pas les titres des colonnes du tableau de suivi "
            "(« Donneur d'ordre », « Réf. marché », « Lot »…)."
        )
    missing = [c.title for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        names = ", ".join(f"« {m} »" for m in missing)
        raise UnreadableFile(f"colonnes obligatoires absentes : {names}.")
    return positions, titles


ROW_KEYS = [c.key for c in COLUMNS]
#: The values that change from one month of a contract to the next; the others are the contract's.
MONTHLY_KEYS = ("month", "hours", "training_hours")
CONTRACT_KEYS = tuple(k for k in ROW_KEYS if k not in MONTHLY_KEYS)


class Contract(NamedTuple):
    """A row's values but its month and hours, normalised: the same for every month of one contract."""

    buyer: str
    operation: str
    market_ref: str
    market_title: str
    lot: str
    lot_title: str
    planned_hours: Decimal | None
    company: str
    siret: str
    employer: str
    modality: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    sex: str
    commune: str
    qpv: bool | None
    level: str
    publics: tuple
    prescriber: str
    contract_type: str
    job: str
    start: datetime.date
    end: datetime.date | None


assert Contract._fields == CONTRACT_KEYS


class Row:
    """One valid spreadsheet row, normalised: its number, its month and hours, and its contract's values
    (row.buyer, row.start…), one Contract object shared by the rows that give the same ones."""

    __slots__ = ("number", "contract", "month", "hours", "training_hours")

    def __init__(self, number, contract, month, hours, training_hours):
        self.number = number
        self.contract = contract
        self.month = month
        self.hours = hours
        self.training_hours = training_hours

    def __getattr__(self, name):  # only called for what the slots do not hold: the contract's values
        if name == "contract":
            raise AttributeError(name)
        return getattr(self.contract, name)

    def __repr__(self):
        return f"Row({self.number}, {self.month}, {self.hours}, {self.training_hours}, {self.contract})"


_EMPTY = (None, None)  # a cell the parser found empty (None, "" or blanks), cached like a value
MAX_CACHED = 100_000  # distinct values (or contracts) remembered


class RowParser:
    """Turns raw rows into Row objects. Sheets repeat their values: each column's distinct values are parsed
    once, and so is each distinct contract (the raw values of the columns but the month and hours, with
    their types: 1, 1.0 and True are equal but read differently) — a row of a known contract only has its
    month and hours to parse."""

    def __init__(self, positions, titles, report):
        self.positions = positions
        self.titles = titles
        self.report = report
        self.cache = {key: {} for key in ROW_KEYS}
        self.plan = [
            (
                key,
                positions.get(key, -1),
                PARSERS[key],
                COLUMN_BY_KEY[key].required,
                EMPTY_VALUES.get(key, ""),
                self.cache[key],
            )
            for key in ROW_KEYS
        ]
        self.monthly_plan = [item for item in self.plan if item[0] in MONTHLY_KEYS]
        present = [positions[key] for key in CONTRACT_KEYS if key in positions]  # required ones at least
        getter = operator.itemgetter(*present)
        self.contract_cells = getter if len(present) > 1 else lambda values: (getter(values),)
        month, hours = positions["month"], positions["hours"]
        training = positions.get("training_hours")
        if training is None:
            self.monthly_cells = lambda values: (values[month], values[hours], None)
        else:
            self.monthly_cells = operator.itemgetter(month, hours, training)
        self.contracts = {}  # (raw values, their types) -> Contract of a valid contract
        self.interned = {}  # Contract -> itself: equal contracts are one object (Planner.resolve)

    def title(self, key):
        index = self.positions.get(key)
        return self.titles.get(index, TITLES[key]) if index is not None else TITLES[key]

    def col(self, key):
        index = self.positions.get(key)
        return index + 1 if index is not None else None

    @staticmethod
    def read(item, raw):
        """(True, value) or (False, reason) of one cell, or _EMPTY: read once per distinct value."""
        if raw is None:
            return _EMPTY
        # a text is its own key; other values with their type (1, 1.0 and True are equal)
        hashable = raw if type(raw) is str else (type(raw), raw)
        cache = item[5]
        cached = cache.get(hashable)
        if cached is None:
            if is_empty(raw):
                cached = _EMPTY
            else:
                try:
                    cached = (True, item[2](raw))
                except CellError as exc:
                    cached = (False, str(exc))
            if len(cache) < MAX_CACHED:
                cache[hashable] = cached
        return cached

    def parse(self, number, values):
        """The Row of a valid row; None after reporting the errors of an invalid one."""
        try:
            raw = self.contract_cells(values)
            monthly = self.monthly_cells(values)
        except IndexError:  # a row shorter than the titles: read cell by cell
            return self.parse_cells(number, values)
        key = (raw, tuple(map(type, raw)))
        contract = self.contracts.get(key)
        if contract is None:
            return self.parse_cells(number, values, key)
        out = []
        for raw, item in zip(monthly, self.monthly_plan, strict=True):
            if raw is None:
                cached = _EMPTY
            else:
                cached = item[5].get(raw if type(raw) is str else (type(raw), raw)) or self.read(item, raw)
            if cached[0]:
                out.append(cached[1])
            elif cached is _EMPTY and not item[3]:  # an optional cell left empty
                out.append(item[4])
            else:  # an error: the row is read again cell by cell, and its errors reported
                return self.parse_cells(number, values)
        return Row(number, contract, *out)

    def parse_cells(self, number, values, key=None):
        """Every cell of the row read through its column's cache, every error reported; the contract of a
        valid row is remembered under `key`."""
        out = []
        ok = True
        width = len(values)
        for item in self.plan:
            key_, index, _parser, required, empty_value, cache = item
            raw = values[index] if 0 <= index < width else None
            if raw is None:
                cached = _EMPTY
            else:  # (read() for a value not yet seen)
                cached = cache.get(raw if type(raw) is str else (type(raw), raw)) or self.read(item, raw)
            if cached is _EMPTY:
                if required:
                    self.report.add_error(number, self.title(key_), "", "valeur obligatoire", self.col(key_))
                    ok = False
                else:
                    out.append(empty_value)
            elif cached[0]:
                out.append(cached[1])
            else:
                self.report.add_error(number, self.title(key_), raw, cached[1], self.col(key_))
                ok = False
        if not ok:
            return None
        values_of = dict(zip(ROW_KEYS, out, strict=True))
        contract = Contract(*(values_of[k] for k in CONTRACT_KEYS))
        if contract.end is not None and contract.end < contract.start:
            self.report.add_error(
                number,
                self.title("end"),
                values[self.positions["end"]],
                "la fin du contrat précède son début",
                self.col("end"),
            )
            return None
        contract = self.interned.setdefault(contract, contract)
        if key is not None and len(self.contracts) < MAX_CACHED:
            self.contracts[key] = contract
        return Row(number, contract, *(values_of[k] for k in MONTHLY_KEYS))


def _blank(value):
    return value is None or (type(value) is str and not value.strip())


def read_rows(sheet, report, progress=None):
    """(parser, valid rows) of a reading.Sheet; errors of invalid rows go to the report. Rows without a
    value (blanks only) are skipped; right of the last known title nothing is read."""
    announced = sheet.announced
    rows_iter = sheet.numbered_rows()
    number, header = next(rows_iter, (None, None))
    if number != 1 or all(is_empty(v) for v in header):
        raise UnreadableFile(
            f"la ligne 1 de la feuille « {sheet.title} » est vide : elle doit porter les titres des colonnes."
        )
    positions, titles = map_header(header, report)
    width = sheet.width = max(positions.values()) + 1  # cells right of the last known title: never read
    probe = positions["buyer"]  # a required column: a row that names a buyer is not empty
    parser = RowParser(positions, titles, report)
    parse = parser.parse
    rows = []
    append = rows.append
    read = 0
    for number, values in rows_iter:
        if progress is not None and number % 2000 == 0:
            progress("lecture", number, announced)
        try:
            named = values[probe]
        except IndexError:
            named = None
        blank = type(named) is not str or not named or named.isspace()
        if blank and all(_blank(value) for value in values[:width]):
            continue  # an empty row
        read += 1
        row = parse(number, values)
        if row is not None:
            append(row)
    report.rows_read += read
    if progress is not None:
        progress("lecture", announced or 0, announced)
    return parser, rows
