"""Builds tracking-sheet workbooks (docs/formats/suivi-xlsx.md) in memory for the import tests."""

import datetime
import io
import re
import zipfile

from django.db.models import Sum
from openpyxl import Workbook

from companies.models import Company
from hours.models import Assignment, HoursEntry
from hours.suivi import COLUMNS, run_import
from markets.models import Buyer, Clause, Lot, Market, Operation
from participants.models import Participant

TITLES = [c.title for c in COLUMNS]


def sample_path():
    """The example file of the format, kept in the repository beside its description."""
    from pathlib import Path

    from django.conf import settings

    candidate = Path(settings.BASE_DIR) / "docs" / "formats" / "suivi-exemple.xlsx"
    if candidate.exists():
        return candidate
    raise FileNotFoundError("suivi-exemple.xlsx")


def line(**changes):
    """A valid row as {title: value}; keyword arguments use the format's keys (buyer, month, hours…)."""
    values = {
        "buyer": "Communauté Urbaine de Dunkerque",
        "operation": "NPNRU Banc-Vert",
        "market_ref": "CUD-2025-014",
        "market_title": "Réhabilitation du groupe scolaire Lamartine",
        "lot": "3",
        "lot_title": "Peinture intérieure",
        "planned_hours": 833,
        "company": "BATI NORD SAS",
        "siret": "52601815590833",
        "employer": None,
        "modality": "Embauche directe",
        "last_name": "Dupont",
        "first_name": "Élodie",
        "birth_date": datetime.date(1987, 3, 12),
        "sex": "F",
        "commune": "Grande-Synthe",
        "qpv": "oui",
        "level": "3",
        "publics": "DELD; RSA",
        "prescriber": "PLIE",
        "contract_type": "CDD",
        "job": "Maçon",
        "start": datetime.date(2025, 2, 3),
        "end": datetime.date(2025, 7, 31),
        "month": "03/2025",
        "hours": 151.67,
        "training_hours": 14,
    }
    unknown = set(changes) - set(values)
    assert not unknown, unknown
    values.update(changes)
    by_key = {c.key: c.title for c in COLUMNS}
    return {by_key[k]: v for k, v in values.items()}


def months(*labels, **changes):
    """One row per month label, otherwise identical."""
    return [line(month=m, **changes) for m in labels]


def workbook(rows, titles=None, sheet="Heures", before=(), after=(), blank_rows=()):
    """An xlsx (bytes) whose sheet `sheet` has the titles then the rows ({title: value} dicts, or lists).
    before/after: names of other sheets; blank_rows: 0-based data positions before which an empty row
    is left."""
    titles = list(titles or TITLES)
    book = Workbook()
    book.remove(book.active)
    for name in before:
        book.create_sheet(name).append(["autre chose"])
    ws = book.create_sheet(sheet)
    ws.append(titles)
    for index, row in enumerate(rows):
        if index in blank_rows:
            ws.append([])
        if isinstance(row, dict):
            ws.append([row.get(_canonical(t, row)) for t in titles])
        else:
            ws.append(list(row))
    for name in after:
        book.create_sheet(name).append(["autre chose"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _canonical(title, row):
    """The row's key for a (possibly re-spelled) title."""
    from hours.suivi.format import title_key

    if title in row:
        return title
    for key in row:
        if title_key(key) == title_key(title):
            return key
    return title


def as_file(data, name="suivi.xlsx"):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def with_cached_values(data, cached, sheet_path="xl/worksheets/sheet1.xml"):
    """Writes cached results next to formulas, as Excel does: {"Z2": "151.67", "L3": ("str", "Dupont"),
    "M3": ("e", "#N/A")}.
    openpyxl writes formulas without a cached value; this fills <v> in the sheet XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == sheet_path:
                xml = content.decode()
                for ref, value in cached.items():
                    kind, text = value if isinstance(value, tuple) else ("n", value)
                    pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>\s*</c>')
                    attrs = f' t="{kind}"' if kind != "n" else ""  # "str" (text), "e" (an error)
                    xml, n = pattern.subn(
                        lambda m, attrs=attrs, text=text, ref=ref: (
                            f'<c r="{ref}"{m[1]}{attrs}><f>{m[2]}</f><v>{text}</v></c>'
                        ),
                        xml,
                    )
                    assert n == 1, f"no formula cell {ref}"
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


# --- running an import in tests ---------------------------------------------------------------------

IMPORTED_MODELS = (Buyer, Operation, Market, Lot, Clause, Company, Participant, Assignment, HoursEntry)


def snapshot():
    """Row counts of every table the import writes, and the hours."""
    counts = {m.__name__: m.objects.count() for m in IMPORTED_MODELS}
    counts["hours"] = HoursEntry.objects.aggregate(s=Sum("hours"))["s"]
    counts["criteria"] = Participant.criteria.through.objects.count()
    return counts


def run(data, **kwargs):
    kwargs.setdefault("file_name", "suivi.xlsx")
    return run_import(as_file(data), **kwargs)


def errors(report):
    return [(e.row, e.column, e.reason) for e in report.errors]


def assert_refused(data, before=None, **kwargs):
    """The file is refused, nothing is written, and every error names a row and a column."""
    before = before or snapshot()
    report = run(data, **kwargs)
    assert report.refused and not report.imported
    assert report.error_count >= 1
    for e in report.errors:
        assert e.row >= 2 and e.column and e.reason
    assert snapshot() == before
    return report
