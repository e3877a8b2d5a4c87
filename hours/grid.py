"""The monthly hours grid: which assignments a month shows for a lot or a company, the cells as typed,
and saving a whole grid at once (bulk queries, history kept).

Pure domain code: no forms, no requests. The screens (hours/forms.py, hours/views.py) call it.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clauses_site.months import add_months
from hours.models import MAX_MONTH_HOURS, Assignment, HoursEntry, first_of_month

REFERENCE_MONTHS = 3  # previous months shown for reference
TWO_PLACES = Decimal("0.01")

MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


# --- months ---------------------------------------------------------------------------------------------


def parse_month(text):
    """« 2025-03 », « 2025-03-01 », « 03/2025 » or « 3/2025 » -> date(2025, 3, 1); None if not a month."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if not match:
        return None
    a, b = match.groups()
    year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    return datetime.date(year, month, 1)


def month_label(month):
    """« mars 2025 »"""
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def month_short(month):
    """« 03/2025 »"""
    return f"{month:%m/%Y}"


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
    return assignments.select_related("participant", "employer", "company", "lot", "lot__market").order_by(
        "participant__last_name", "participant__first_name", "participant_id", "starts_on", "pk"
    )


@dataclass
class Row:
    assignment: Assignment
    entry: HoursEntry | None
    previous: list = field(default_factory=list)  # entries (or None) of the reference months, oldest first

    @property
    def editable(self):
        return self.entry is None or not self.entry.is_validated

    @property
    def key(self):
        return self.assignment.pk


def build_rows(month, assignments, lock=False):
    """One Row per assignment, with its entry for the month and those of the reference months (2 queries)."""
    month = first_of_month(month)
    assignments = list(assignments)
    months = [add_months(month, -n) for n in range(REFERENCE_MONTHS, 0, -1)]
    entries = HoursEntry.objects.filter(
        assignment_id__in=[a.pk for a in assignments], month__gte=months[0], month__lte=month
    )
    if lock:
        entries = entries.select_for_update(of=("self",))
    entries = entries.select_related("validated_by")
    by_key = {(e.assignment_id, e.month): e for e in entries}
    return [
        Row(a, by_key.get((a.pk, month)), [by_key.get((a.pk, m)) for m in months]) for a in assignments
    ], months


# --- cells ----------------------------------------------------------------------------------------------


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
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
            raise ValidationError("Saisissez un nombre (ex. 151,67).", code="invalid")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise ValidationError("Saisissez un nombre (ex. 151,67).", code="invalid") from exc
    if value < 0:
        raise ValidationError("Pas d'heures négatives.", code="min_value")
    if value > MAX_MONTH_HOURS:
        raise ValidationError(f"Au plus {MAX_MONTH_HOURS} heures dans un mois.", code="max_value")
    if value != value.quantize(TWO_PLACES):
        raise ValidationError("Deux décimales au plus (ex. 151,67).", code="max_decimal_places")
    return value.quantize(TWO_PLACES)


def format_hours(value):
    """Decimal -> « 151,67 », « 35 », « 7,5 » (for an input: no thousands separator, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(TWO_PLACES):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


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


def save_rows(month, rows, values, user):
    """Save a grid: values maps an assignment pk to (hours, training_hours), Decimals or None (cell empty).

    - both empty: no entry (a draft entry is deleted);
    - training only: hours worked 0;
    - validated entries are never touched (re-open them first);
    - unchanged entries are not written (no history noise).
    A bounded number of queries whatever the number of rows: one bulk insert and one bulk update, each
    with its history rows in bulk (a cleared draft costs a query for its deletion record).
    Call inside a transaction (requests are atomic).
    """
    month = first_of_month(month)
    now = timezone.now()
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
                status=HoursEntry.Status.DRAFT,
                source=HoursEntry.Source.MANUAL,
                entered_by=user,
                created_at=now,
                updated_at=now,
            )
            to_create.append((row, new))
        elif entry.hours != hours or entry.training_hours != training:
            entry.hours, entry.training_hours = hours, training
            entry.entered_by, entry.updated_at = user, now
            to_update.append(entry)
        else:
            result.unchanged += 1
    if to_create:
        bulk_create_with_history([e for _, e in to_create], HoursEntry, default_user=user, default_date=now)
        for row, entry in to_create:
            row.entry = entry
        result.created = len(to_create)
    if to_update:
        bulk_update_with_history(
            to_update,
            HoursEntry,
            ["hours", "training_hours", "entered_by", "updated_at"],
            default_user=user,
            default_date=now,
        )
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
        bulk_update_with_history(
            drafts,
            HoursEntry,
            ["status", "validated_by", "validated_at", "updated_at"],
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
    return len(drafts)


REASON_PREFIX = "Réouverture : "
REASON_MAX = 100 - len(REASON_PREFIX)  # the history's change reason holds 100 characters


def reopen_entry(entry, user, reason):
    """Re-open a validated entry (back to draft), recording who, when and why in its history."""
    entry.reopen()
    entry._change_reason = (REASON_PREFIX + reason.strip())[:100]
    entry._history_user = user
    entry.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    return entry
