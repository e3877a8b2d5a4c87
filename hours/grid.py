"""The monthly hours grid: the lots left to enter in a month, which assignments a month shows for a lot or
a company, the cells as typed, and saving a whole grid at once (bulk queries, history kept) without losing
a colleague's changes: a save writes only the cells its user changed, compared with the values the page
was rendered with (`merge_cells`), and a cell changed meanwhile by someone else is a conflict
(`Conflict`), never overwritten.

Pure domain code: no forms, no requests. The screens (hours/forms.py, hours/views_grid.py) call it.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.utils import bulk_create_with_history

from clauses_site import formatting
from clauses_site.formatting import hours as french_hours
from clauses_site.history import record_stored
from clauses_site.months import add_months, first_of_month, month_label
from hours import summary
from hours.models import MAX_MONTH_HOURS, Assignment, HoursEntry
from markets.models import Lot

REFERENCE_MONTHS = 3  # previous months shown for reference
TWO_PLACES = Decimal("0.01")

# --- months ---------------------------------------------------------------------------------------------


def month_short(month):
    """« 03/2025 »"""
    return f"{month:%m/%Y}"


def collected_month(today=None):
    """The month the grid opens on: the one whose hours are being collected, the previous month (a month's
    hours reach the team during the following month: November on 02/12/2026)."""
    today = today or timezone.localdate()
    return add_months(first_of_month(today), -1)


def future_month_error(month, today=None):
    """The French message refusing hours of a month after the current one, or None. The current month is
    allowed (hours of a month may be entered as it runs, e.g. on its last days)."""
    today = today or timezone.localdate()
    if first_of_month(month) > first_of_month(today):
        return (
            f"{capfirst(month_label(month))} n'a pas encore commencé : "
            "les heures d'un mois se saisissent à partir de ce mois."
        )
    return None


def check_month_started(month, today=None):
    """Raise ValidationError (code « future_month ») for a month after the current one."""
    if message := future_month_error(month, today):
        raise ValidationError(message, code="future_month")


# --- which rows -----------------------------------------------------------------------------------------


def grid_assignments(month, lot=None, company=None):
    """The assignments a grid shows: those active in the month on the lot (or for the company, credited or
    employer), and any that already has an entry that month (so that nothing entered is hidden)."""
    month = first_of_month(month)
    has_entry = Exists(HoursEntry.objects.filter(assignment=OuterRef("pk"), month=month))
    assignments = Assignment.objects.active_in(month) | Assignment.objects.filter(has_entry)
    if lot is not None:
        assignments = assignments.filter(lot=lot)
    if company is not None:
        assignments = assignments.filter(Q(company=company) | Q(employer=company))
    # Of the related objects, only what a row shows (their names, the lot's number and market reference):
    # a lot-month of 1 230 rows built 0,3 s faster than with every field of five models.
    shown = [f.name for f in Assignment._meta.concrete_fields] + [
        "participant__last_name",
        "participant__first_name",
        "employer__name",
        "company__name",
        "lot__number",
        "lot__title",
        "lot__market__reference",
    ]
    return (
        assignments.select_related("participant", "employer", "company", "lot", "lot__market")
        .only(*shown)
        .order_by("participant__last_name", "participant__first_name", "participant_id", "starts_on", "pk")
    )


def lots_to_enter(month, facilitator=None):
    """The lots with people at work in the month (those of the markets `facilitator` is in charge of, when
    given), with how many rows are entered and validated (`active`, `entered`, `validated`); what is left
    to do first: rows to enter, then to validate, then the lots done; within each, by market reference and
    lot number (4 queries, a list).

    Counted by grouped queries, never per lot: the assignments active in the month by lot; the validated
    entries of the month from the lot × month summary (its `entries`); the drafts of the month by lot
    (few: the drafts index). Entered = validated + drafts."""
    month = first_of_month(month)
    assignments = Assignment.objects.active_in(month)
    if facilitator is not None:
        assignments = assignments.filter(lot__market__facilitator=facilitator)
    active = dict(assignments.order_by().values("lot").annotate(n=Count("pk")).values_list("lot", "n"))
    if not active:
        return []
    validated = summary.validated_entries_by_lot(month)  # a lot-month has a row per job
    drafts = dict(
        HoursEntry.objects.pending()  # drafts and declarations: entered, to validate
        .filter(month=month)
        .order_by()
        .values("assignment__lot")
        .annotate(n=Count("pk"))
        .values_list("assignment__lot", "n")
    )
    lots = list(
        Lot.objects.filter(pk__in=list(active))
        .select_related("market", "market__buyer", "market__facilitator")
        .order_by("market__reference", "number_key")
    )
    for lot in lots:
        lot.active, lot.validated = active[lot.pk], validated.get(lot.pk, 0)
        lot.entered = lot.validated + drafts.get(lot.pk, 0)

    def todo(lot):
        return 0 if lot.entered < lot.active else 1 if lot.validated < lot.entered else 2

    return sorted(lots, key=todo)  # stable: the database's order within each


def next_lot_to_enter(lots):
    """The first of `lots` (as `lots_to_enter` orders them: what is left to do first) with rows left to
    enter; None when every row of every lot is entered."""
    return next((lot for lot in lots if lot.entered < lot.active), None)


def last_lot_entered(user):
    """The lot of the entry `user` last entered or changed in a grid (1 query), or None."""
    return (
        Lot.objects.filter(
            pk__in=HoursEntry.objects.filter(entered_by=user)
            .order_by("-updated_at")[:1]
            .values("assignment__lot")
        )
        .select_related("market")
        .first()
    )


class Reference(NamedTuple):
    """An entry of a reference month, as the grid shows it (its hours, in italics while a draft)."""

    hours: Decimal
    status: str

    @property
    def is_validated(self):
        return self.status == HoursEntry.Status.VALIDATED


@dataclass
class Row:
    assignment: Assignment
    entry: HoursEntry | None
    previous: list = field(default_factory=list)  # entries (or None) of the reference months, oldest first
    conflicts: dict = field(default_factory=dict)  # column ("h" or "t") -> Conflict, after a refused save

    @property
    def editable(self):
        return self.entry is None or not self.entry.is_validated

    @property
    def key(self):
        return self.assignment.pk


def build_rows(month, assignments, lock=False):
    """One Row per assignment, with its entry for the month and those of the reference months (3 queries;
    the reference months' entries as References: what the grid shows of them, hours and status).

    lock=True (a save, inside its transaction): the assignments (FOR NO KEY UPDATE) and their entries
    (FOR UPDATE) are locked until the end of the transaction, so that two saves of the same rows run one
    after the other and the second compares with what the first wrote. Rows are locked in the grid's
    order (the same for a lot's and a company's grid): no deadlock between two grids.
    """
    month = first_of_month(month)
    if lock and hasattr(assignments, "select_for_update"):
        assignments = assignments.select_for_update(of=("self",), no_key=True)
    assignments = list(assignments)
    months = [add_months(month, -n) for n in range(REFERENCE_MONTHS, 0, -1)]
    of_rows = HoursEntry.objects.filter(assignment_id__in=[a.pk for a in assignments])
    entries = of_rows.filter(month=month).select_related("validated_by")
    if lock:
        entries = entries.select_for_update(of=("self",))
    by_key = {(e.assignment_id, e.month): e for e in entries}
    references = of_rows.filter(month__gte=months[0], month__lt=month).order_by()
    by_key.update(
        ((assignment_id, when), Reference(hours, status))
        for assignment_id, when, hours, status in references.values_list(
            "assignment_id", "month", "hours", "status"
        )
    )
    return [
        Row(a, by_key.get((a.pk, month)), [by_key.get((a.pk, m)) for m in months]) for a in assignments
    ], months


# --- cells ----------------------------------------------------------------------------------------------

#: Why a cell is refused, by ValidationError code; the page gives them to static/js/grid.js (cell_rules).
CELL_MESSAGES = {
    "invalid": "Saisissez un nombre (ex. 151,67).",
    "min_value": "Pas d'heures négatives.",
    "max_value": f"Au plus {MAX_MONTH_HOURS} heures dans un mois.",
    "max_decimal_places": "Deux décimales au plus (ex. 151,67).",
}


def cell_rules():
    """What grid.js checks as one types, from the same constants as parse_hours (the page holds it in a
    json_script): the most hours of a month and the messages."""
    return {"max_hours": str(MAX_MONTH_HOURS), "messages": CELL_MESSAGES}


def _refused(code):
    return ValidationError(CELL_MESSAGES[code], code=code)


def parse_hours(text):
    """A cell as typed -> Decimal (two places) or None when empty. Accepts « 151,67 », « 151.67 »,
    « 1 234,5 » and « 35 h ». Raises ValidationError with a French message otherwise."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        value = text
    else:
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text)).lower().removesuffix("h").replace(",", ".")
        if cleaned == "":
            return None
        # [0-9], not \d: Decimal() would read « ١٥ » or full-width digits too
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", cleaned):
            raise _refused("invalid")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise _refused("invalid") from exc
    if value < 0:
        raise _refused("min_value")
    if value > MAX_MONTH_HOURS:
        raise _refused("max_value")
    if value != value.quantize(TWO_PLACES):
        raise _refused("max_decimal_places")
    return value.quantize(TWO_PLACES)


def format_hours(value):
    """Decimal -> « 151,67 », « 35,00 », « 7,50 » (for an input: two places, as the totals and the reference
    months show them; no thousands separator, so that the value reads back as typed)."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(TWO_PLACES):f}".replace(".", ",")


# --- what changed since the page was rendered -----------------------------------------------------------

COLUMNS = ("h", "t")  # hours worked, training hours


def stored_cells(entry):
    """(hours, training) as the grid shows them: None for an empty cell (no entry; no training hours)."""
    if entry is None:
        return None, None
    return entry.hours, entry.training_hours or None


@dataclass
class Conflict:
    """A cell the user changed that someone else changed (or validated) since the page was rendered."""

    row: Row
    column: str  # "h" or "t"
    typed: Decimal | None  # what the user typed (kept in the input on the re-display)
    current: Decimal | None  # what is stored now
    by: object = None  # the user of the last change (None: unknown)
    at: datetime.datetime | None = None
    deleted: bool = False  # the entry was deleted
    to_check: str = ""  # "changed", "unseen": not typed by the user, but she asked to validate the month
    to_reopen: str = "rouvrez la ligne pour la modifier"  # what to do about a validated cell

    @property
    def validated(self):
        return not self.row.editable

    @property
    def current_input(self):
        """The value stored now as typed in a cell (« 44 », « 7,5 », empty)."""
        return format_hours(self.current)

    @property
    def message(self):
        """« modifiée par Sophie Deschodt à 14 h 32 : 44,00 »"""
        who = formatting.person_name(self.by) or "quelqu'un"
        when = ""
        if self.at is not None:
            local = timezone.localtime(self.at)
            day = "" if local.date() == timezone.localdate() else f" le {local:%d/%m/%Y}"
            when = f"{day} à {local.hour} h {local.minute:02d}"
        if self.validated:
            return (
                f"validée par {who}{when} : {_cell_text(self.current)} ; votre saisie "
                f"({_cell_text(self.typed)}) n'est pas enregistrée : {self.to_reopen}"
            )
        text = f"effacée par {who}{when}" if self.current is None else f"modifiée par {who}{when} : "
        text += "" if self.current is None else _cell_text(self.current)
        if self.to_check == "unseen":
            text += " (ligne absente de votre page : vérifiez-la avant de valider)"
        elif self.to_check:
            text += " (à vérifier avant de valider)"
        return text


def _cell_text(value):
    return "vide" if value is None else french_hours(value)


def merge_cells(rows, submitted, validating=False):
    """Compare what a page posted with what is stored now, cell by cell.

    submitted maps the pk of each row the page showed to (original, typed): the (hours, training) the page
    was rendered with and those posted, Decimals or None. Returns (values, conflicts): values as save_rows
    takes them, only for rows with a cell to write (each cell: the typed value if the user changed it, the
    stored one otherwise); conflicts: the cells the user changed that were changed meanwhile (or whose entry
    was validated meanwhile), unless both typed the same value. Rows not submitted are not in values:
    never touched. A row whose two cells would add up to more than a month holds (each person changed one)
    is a conflict on the other person's cell.

    validating (« Enregistrer et valider le mois »): one validates only what one has seen, so every cell
    changed meanwhile is a conflict, typed or not, and so is every draft entry of a row the page did not
    show (added or re-opened meanwhile).
    """
    values, conflicts = {}, []
    for row in rows:
        current = stored_cells(row.entry)
        if row.key not in submitted:
            if validating and row.editable and row.entry is not None:
                conflicts.append(Conflict(row, "h", current[0], current[0], to_check="unseen"))
            continue
        original, typed = submitted[row.key]
        merged, changed, row_conflicts = list(current), False, []
        for i, column in enumerate(COLUMNS):
            if typed[i] == current[i]:
                continue  # unchanged, or the same value typed by both
            if typed[i] == original[i]:  # not typed: changed by someone else meanwhile
                if validating and row.editable:
                    row_conflicts.append(Conflict(row, column, typed[i], current[i], to_check="changed"))
                continue
            if not row.editable or current[i] != original[i]:
                row_conflicts.append(Conflict(row, column, typed[i], current[i]))
            else:
                merged[i], changed = typed[i], True
        if not row_conflicts and changed and sum(v or 0 for v in merged) > MAX_MONTH_HOURS:
            row_conflicts = [
                Conflict(row, column, typed[i], current[i])
                for i, column in enumerate(COLUMNS)
                if current[i] != original[i]
            ]
        if row_conflicts:
            conflicts.extend(row_conflicts)
        elif changed:
            values[row.key] = tuple(merged)
    return values, conflicts


def explain_conflicts(month, conflicts):
    """Who made the last change of each conflicting row and when, from the history (1 query)."""
    if not conflicts:
        return conflicts
    keys = {c.row.key for c in conflicts}
    last = {}
    records = (
        HoursEntry.history.filter(assignment_id__in=keys, month=first_of_month(month))
        .select_related("history_user")
        .order_by("-history_id")  # the last written (history_date may come from a clock set back)
    )
    for record in records:
        last.setdefault(record.assignment_id, record)
    for conflict in conflicts:
        record = last.get(conflict.row.key)
        if record is not None:
            conflict.by, conflict.at = record.history_user, record.history_date
            conflict.deleted = record.history_type == "-"
        conflict.row.conflicts[conflict.column] = conflict
    return conflicts


# --- saving ---------------------------------------------------------------------------------------------


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self):
        return self.created + self.updated + self.deleted

    def message(self, month, validated=None):
        """« Heures de juin 2025 enregistrées : 1 ligne créée, 0 modifiée, 0 effacée ; 2 lignes validées. »
        (validated: how many entries were validated, None when not asked); None when nothing was done."""

        def plural(count, singular, plural):
            return f"{count} {singular if count <= 1 else plural}"

        parts = []
        if self.changed:
            parts.append(
                f"{plural(self.created, 'ligne créée', 'lignes créées')}, "
                f"{plural(self.updated, 'modifiée', 'modifiées')}, "
                f"{plural(self.deleted, 'effacée', 'effacées')}"
            )
        if validated is not None:
            parts.append(plural(validated, "ligne validée", "lignes validées"))
        return f"Heures de {month_label(month)} enregistrées : {' ; '.join(parts)}." if parts else None


def save_rows(month, rows, values, user, declared=False):
    """Save a grid: values maps an assignment pk to (hours, training_hours), Decimals or None (cell empty).

    declared=True (a company's declaration in its space, issue 16): the entries written, created or
    changed, become « déclarées » (source « déclaration de l'entreprise »), counted nowhere until a
    facilitator validates them. Otherwise (the team's grid) new entries are drafts and a changed entry
    keeps its status (a declaration corrected by a facilitator stays declared until validated).

    - both empty: no entry (a draft entry is deleted);
    - training only: hours worked 0;
    - validated entries are never touched (re-open them first);
    - unchanged entries are not written (no history noise).
    A bounded number of queries whatever the number of rows: one bulk insert and one bulk update, each
    with its history rows in bulk (a cleared draft costs a query for its deletion record).
    Call inside a transaction (requests are atomic). A month after the current one: ValidationError
    (check_month_started), nothing written.
    """
    month = first_of_month(month)
    check_month_started(month)
    now = timezone.now()
    status, source = HoursEntry.Status.DRAFT, HoursEntry.Source.MANUAL
    if declared:
        status, source = HoursEntry.Status.DECLARED, HoursEntry.Source.DECLARATION
    result = SaveResult()
    to_create, to_update, to_delete = [], [], []  # to_create: (row, entry) pairs
    for row in rows:
        if not row.editable or row.key not in values:
            continue
        hours, training = values[row.key]
        entry = row.entry
        if hours is None and training is None:
            if entry is not None:
                to_delete.append(entry)
            continue
        hours = hours if hours is not None else Decimal(0)
        training = training if training is not None else Decimal(0)
        if entry is None:
            new = HoursEntry(
                assignment=row.assignment,
                month=month,
                hours=hours,
                training_hours=training,
                status=status,
                source=source,
                entered_by=user,
                created_at=now,
                updated_at=now,
            )
            to_create.append((row, new))
        elif entry.hours != hours or entry.training_hours != training:
            entry.hours, entry.training_hours = hours, training
            entry.entered_by, entry.updated_at = user, now
            if declared:
                entry.status, entry.source = status, source
            to_update.append(entry)
        else:
            result.unchanged += 1
    if to_create:
        bulk_create_with_history([e for _, e in to_create], HoursEntry, default_user=user, default_date=now)
        for row, entry in to_create:
            row.entry = entry
        result.created = len(to_create)
    if to_update:
        shared = {"entered_by": user, "updated_at": now}
        if declared:
            shared.update(status=status, source=source)
        _update_with_history(to_update, ["hours", "training_hours"], shared, user, now)
        result.updated = len(to_update)
    if to_delete:
        delete_with_history(to_delete)
        deleted_pks = {e.pk for e in to_delete}
        for row in rows:
            if row.entry is not None and row.entry.pk in deleted_pks:
                row.entry = None
        result.deleted = len(to_delete)
    return result


def delete_with_history(entries):
    """Delete entries in one query; simple-history's post_delete signal records each deletion (with the
    request's user, through its middleware)."""
    HoursEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()


def validate_entries(entries, user, reason="Validation"):
    """Validate draft entries (a list), in bulk with their history; returns how many were validated."""
    now = timezone.now()
    drafts = [e for e in entries if not e.is_validated]
    for entry in drafts:
        entry.validate(user)
        entry.validated_at = now
        entry.updated_at = now
    if drafts:
        shared = {
            "status": HoursEntry.Status.VALIDATED,
            "validated_by": user,
            "validated_at": now,
            "updated_at": now,
        }
        _update_with_history(drafts, [], shared, user, now, reason=reason)
    return len(drafts)


def _update_with_history(entries, per_row, shared, user, now, **history):
    """Write the `per_row` fields (each entry its own values) and the `shared` ones ({name: value}, the same
    for all), with the history rows of every entry (by `user`, at `now`, copied from the rows as written:
    clauses_site.history.record_stored). One UPDATE … FROM (VALUES …) a
    500 rows: Django's bulk_update writes a CASE a field and a row, which took seconds to build for a grid
    of 1 100 rows."""
    with transaction.atomic(savepoint=False):
        if not per_row:
            HoursEntry.objects.filter(pk__in=[e.pk for e in entries]).update(**shared)
        else:
            _update_from_values(entries, per_row, shared)
        record_stored(
            HoursEntry, [e.pk for e in entries], user=user, date=now, reason=history.get("reason", "")
        )


def _update_from_values(entries, per_row, shared, batch=500):
    meta, quote = HoursEntry._meta, connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    own = [meta.get_field(name) for name in per_row]
    same = [(meta.get_field(name), value) for name, value in shared.items()]
    sets = [f"{quote(f.column)} = v.column{i + 2}" for i, f in enumerate(own)]
    sets += [f"{quote(f.column)} = %s" for f, _ in same]
    same_params = [f.get_db_prep_save(getattr(value, "pk", value), connection) for f, value in same]
    with connection.cursor() as cursor:
        for start in range(0, len(entries), batch):
            chunk = entries[start : start + batch]
            row = "(" + ", ".join(["%s"] * (len(own) + 1)) + ")"
            params = [*same_params]
            for entry in chunk:
                params.append(entry.pk)
                params.extend(f.get_db_prep_save(getattr(entry, f.attname), connection) for f in own)
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {table}.{pk} = v.column1",
                params,
            )


REASON_PREFIX = "Réouverture : "
REASON_MAX = 100 - len(REASON_PREFIX)  # the history's change reason holds 100 characters


def reopen_entry(entry, user, reason):
    """Re-open a validated entry (back to draft), recording who, when and why in its history."""
    entry.reopen()
    entry._change_reason = (REASON_PREFIX + reason.strip())[:100]
    entry._history_user = user
    entry.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    return entry
