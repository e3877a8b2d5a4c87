"""Export of validated hours as the team's tracking spreadsheet, in the import format
(docs/formats/suivi-xlsx.md; its columns and their kinds: hours/suivi/format.py): the same titles in the
same order, so that exporting then importing into the same database changes nothing.

Rows are read with .values() and .iterator(chunk_size=…) (no model instances, memory stays flat) and
written by clauses_site.exports.write_xlsx_stream: the same workbook as openpyxl's write-only mode
(write_xlsx) would give, written as XML text because openpyxl's cell objects are too slow for the
200,000-row target (measured in bench/bench_import.py)."""

import datetime

from django.db import connection, transaction
from django.db.models import F

from clauses_site.exports import Column, write_xlsx_stream
from clauses_site.text import match_key
from clauses_site.vocabulary import CRITERIA_CODES
from hours.models import ContractType, HoursEntry, Modality
from hours.suivi.format import COLUMNS
from participants.models import Participant

CHUNK = 5000
MODALITY_LABELS = {m.value: str(m.label) for m in Modality}
CONTRACT_LABELS = {c.value: str(c.label) for c in ContractType}
QPV_TEXT = {True: "oui", False: "non", None: None}

A = "assignment__"
FIELDS = {
    "buyer": f"{A}lot__market__buyer__name",
    "operation": f"{A}lot__market__operation__name",
    "market_ref": f"{A}lot__market__reference",
    "market_title": f"{A}lot__market__title",
    "lot": f"{A}lot__number",
    "lot_title": f"{A}lot__title",
    "planned_hours": f"{A}lot__clause__hours_required",
    "company": f"{A}company__name",
    "siret": f"{A}company__siret",
    "company_id": f"{A}company_id",
    "employer_id": f"{A}employer_id",
    "employer": f"{A}employer__name",
    "modality": f"{A}modality",
    "participant_id": f"{A}participant_id",
    "last_name": f"{A}participant__last_name",
    "first_name": f"{A}participant__first_name",
    "birth_date": f"{A}participant__birth_date",
    "sex": f"{A}participant__sex",
    "commune": f"{A}participant__commune",
    "qpv": f"{A}participant__qpv",
    "level": f"{A}participant__level",
    "prescriber": f"{A}participant__prescriber",
    "contract_type": f"{A}contract_type",
    "job": f"{A}job",
    "start": f"{A}starts_on",
    "end": f"{A}ends_on",
    "month": "month",
    "hours": "hours",
    "training_hours": "training_hours",
}
ORDER = (
    f"{A}lot__market__buyer__name_key",
    f"{A}lot__market__reference",
    f"{A}lot__number_key",
    f"{A}participant__last_name",
    f"{A}participant__first_name",
    f"{A}participant__birth_date",
    f"{A}starts_on",
    f"{A}id",
    "month",
)


def entries_to_export(buyer=None, start=None, end=None):
    """Validated entries (what counts; a draft would be validated by re-importing it), optionally of
    one buyer and of the months between start and end."""
    entries = HoursEntry.objects.validated()
    if buyer is not None:
        entries = entries.filter(assignment__lot__market__buyer=buyer)
    if start is not None:
        entries = entries.filter(month__gte=start.replace(day=1))
    if end is not None:
        entries = entries.filter(month__lte=end)
    return entries


def publics_by_participant(entries):
    """{participant id: "DELD; RSA"} for the participants of the entries, in the vocabulary's order."""
    order = {code: i for i, code in enumerate(CRITERIA_CODES)}
    through = Participant.criteria.through
    people = entries.order_by().values("assignment__participant_id")
    codes = {}
    pairs = through.objects.filter(participant_id__in=people).values_list("participant_id", "criterion__code")
    for pid, code in pairs.iterator(chunk_size=CHUNK):
        codes.setdefault(pid, []).append(code)
    return {pid: "; ".join(sorted(found, key=lambda c: order.get(c, 99))) for pid, found in codes.items()}


def _row(values, publics):
    employer = values["employer"] if values["employer_id"] != values["company_id"] else None
    values["employer"] = employer
    values["modality"] = MODALITY_LABELS.get(values["modality"], values["modality"])
    values["contract_type"] = CONTRACT_LABELS.get(values["contract_type"], values["contract_type"])
    values["qpv"] = QPV_TEXT[values["qpv"]]
    values["publics"] = publics.get(values["participant_id"])
    values["siret"] = values["siret"] or None
    return values


def suivi_rows(buyer=None, start=None, end=None):
    """The rows of the sheet, as dicts keyed by the format's keys."""
    entries = entries_to_export(buyer, start, end)
    renamed = {k: F(v) for k, v in FIELDS.items() if k != v}
    query = entries.order_by(*ORDER).values(*(k for k, v in FIELDS.items() if k == v), **renamed)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A server-side cursor is planned for its first rows (cursor_tuple_fraction = 0.1): nested
            # loops that took 60 s for 200,000 entries, against 3 s when planned for all of them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        publics = publics_by_participant(entries)
        for values in query.iterator(chunk_size=CHUNK):
            yield _row(values, publics)


def _reader(key):
    return lambda row: row[key]


def suivi_columns():
    """The format's columns, in its order, as exporter columns."""
    return [Column(c.title, _reader(c.key), c.kind, c.width) for c in COLUMNS]


def write_suivi(stream, buyer=None, start=None, end=None):
    """Write the tracking sheet to a binary stream (a file, a temporary file); returns the row count."""
    return write_xlsx_stream(stream, suivi_columns(), suivi_rows(buyer, start, end), sheet_title="Heures")


def export_filename(buyer=None, start=None, end=None):
    parts = ["suivi-heures"]
    if buyer is not None:
        parts.append(match_key(buyer.name)[:40] or "donneur")
    if start is not None:
        parts.append(f"du-{start:%Y-%m-%d}")
    if end is not None:
        parts.append(f"au-{end:%Y-%m-%d}")
    if len(parts) == 1:
        parts.append(f"{datetime.date.today():%Y-%m-%d}")
    return "-".join(parts) + ".xlsx"
