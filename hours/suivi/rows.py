"""The rows of the tracking sheet: the title row mapped to the format's columns (any order, unknown titles
ignored), then each data row turned into a normalised Row by the columns' cell parsers
(hours/suivi/cells.py), its errors reported by row and column."""

import datetime
import operator
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(slots=True)
class Row:
    """One valid spreadsheet row, normalised."""

    number: int
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
    month: datetime.date
    hours: Decimal
    training_hours: Decimal


ROW_KEYS = [f for f in Row.__dataclass_fields__ if f != "number"]
#: A row's values but its month and hours: the same for every month of one contract.
same_contract = operator.attrgetter(*(k for k in ROW_KEYS if k not in ("month", "hours", "training_hours")))


_EMPTY = (None, None)  # a cell the parser found empty (None, "" or blanks), cached like a value


class RowParser:
    """Turns raw rows into Row objects, caching each column's distinct values (sheets repeat them)."""

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

    def title(self, key):
        index = self.positions.get(key)
        return self.titles.get(index, TITLES[key]) if index is not None else TITLES[key]

    def col(self, key):
        index = self.positions.get(key)
        return index + 1 if index is not None else None

    def parse(self, number, values):
        out = []
        ok = True
        width = len(values)
        for key, index, parser, required, empty_value, cache in self.plan:
            raw = values[index] if 0 <= index < width else None
            if raw is None:
                cached = _EMPTY
            else:
                # a text is its own key; other values with their type (1, 1.0 and True are equal)
                hashable = raw if type(raw) is str else (type(raw), raw)
                cached = cache.get(hashable)
                if cached is None:
                    if is_empty(raw):
                        cached = _EMPTY
                    else:
                        try:
                            cached = (True, parser(raw))
                        except CellError as exc:
                            cached = (False, str(exc))
                    if len(cache) < 100_000:
                        cache[hashable] = cached
            if cached is _EMPTY:
                if required:
                    self.report.add_error(number, self.title(key), "", "valeur obligatoire", self.col(key))
                    ok = False
                else:
                    out.append(empty_value)
            elif cached[0]:
                out.append(cached[1])
            else:
                self.report.add_error(number, self.title(key), raw, cached[1], self.col(key))
                ok = False
        if not ok:
            return None
        row = Row(number, *out)
        if row.end is not None and row.end < row.start:
            self.report.add_error(
                number,
                self.title("end"),
                values[self.positions["end"]],
                "la fin du contrat précède son début",
                self.col("end"),
            )
            return None
        return row


def read_rows(sheet, report, progress=None):
    """(parser, valid rows) of a reading.Sheet; errors of invalid rows go to the report."""
    announced = sheet.announced
    rows_iter = iter(sheet)
    number, header = next(rows_iter, (None, None))
    if number != 1 or all(is_empty(v) for v in header):
        raise UnreadableFile(
            f"la ligne 1 de la feuille « {sheet.title} » est vide : elle doit porter les titres des colonnes."
        )
    positions, titles = map_header(header, report)
    sheet.width = max(positions.values()) + 1  # cells right of the last known title: never read
    parser = RowParser(positions, titles, report)
    rows = []
    for count, (number, values) in enumerate(rows_iter, start=1):
        if progress is not None and count % 2000 == 0:
            progress("lecture", number, announced)
        for value in values:
            if value is not None and (not isinstance(value, str) or value.strip()):
                break
        else:
            continue  # an empty row
        report.rows_read += 1
        row = parser.parse(number, values)
        if row is not None:
            rows.append(row)
    if progress is not None:
        progress("lecture", announced or 0, announced)
    return parser, rows
