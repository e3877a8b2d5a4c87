"""Anonymisation of a participant's identity (right to erasure where the obligation to keep figures
allows it), with the figures of every past bilan left exactly as they were.

    privacy.anonymise_identity(person, reference_dates, user=None, reason="demande")

What a bilan reads of a person (reporting/indicators.py) and what the anonymised record keeps:
- sex, qualification level, QPV, commune of residence, prescriber: kept as they are (counted
  categories), and so are the eligibility criteria (the person's links to the Criterion rows);
- the age band (<26, 26-49, 50+), computed on the start date of the person's earliest assignment
  counted in the period — always one of the start dates of the person's assignments. The birth date is
  replaced by a stand-in (`stand_in_birth_date`) that gives the same band on every one of these dates.
  The stand-in depends only on these dates and on the bands found there, never on the birth date
  itself: it tells nothing more than the bands the bilans already count;
- names, birth date, path referent, entry date, notes (the person's and their outcomes'): replaced or
  emptied; the search keys follow.
The record is then frozen (Participant.clean refuses any edit) so that its categories stay those of
the past periods. Every history row of the person (django-simple-history) gets the same replacement.

This module is domain code of `participants`: it imports none of our other apps; the caller passes the
assignments' start dates (reporting/personal_data.py, which also clears what other apps hold).
"""

import datetime
import re
import secrets

from django.db import transaction
from django.utils import timezone

from participants.models import AccessLog, Participant, identity_key

#: The bands of reporting/indicators.py (AGE_BANDS) and their limits as differences of YYYYMMDD integers:
#: age in whole years = (ymd(on) − ymd(birth)) // 10000, as the bilans compute it in SQL.
AGE_BANDS = ("<26", "26-49", "50+")
LIMIT_26 = 26 * 10000
LIMIT_50 = 50 * 10000

ANONYMOUS_LAST_NAME = "Anonyme"
#: The birth date of an anonymised person who never worked (counted in no bilan).
NO_REFERENCE_BIRTH_DATE = datetime.date(1900, 1, 1)

REQUEST = "demande"
RETENTION = "conservation"

#: The fields emptied (the names and the birth date are replaced).
CLEARED = {"referent": "", "entered_on": None, "notes": ""}


class AlreadyAnonymised(Exception):
    pass


def ymd(day):
    return day.year * 10000 + day.month * 100 + day.day


def age_band(birth_date, on):
    """The bilans' age band of a person born on `birth_date`, on the date `on`."""
    years_x10000 = ymd(on) - ymd(birth_date)
    if years_x10000 < LIMIT_26:
        return AGE_BANDS[0]
    if years_x10000 < LIMIT_50:
        return AGE_BANDS[1]
    return AGE_BANDS[2]


def _from_ymd(value):
    """The latest valid date whose YYYYMMDD is ≤ value (19990231 → 1999-02-28)."""
    year, month, day = value // 10000, (value // 100) % 100, value % 100
    while day > 0:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            day -= 1
    raise ValueError(value)


def band_bounds(birth_date, reference_dates):
    """(low, high): a birth date d keeps the band of `birth_date` on every reference date exactly when
    low < ymd(d) ≤ high (None: no bound on that side)."""
    low = high = None
    for on in set(reference_dates):
        v = ymd(on)
        band = age_band(birth_date, on)
        if band == AGE_BANDS[0]:  # v − y < 26 years
            lows, highs = [v - LIMIT_26], []
        elif band == AGE_BANDS[1]:  # 26 years ≤ v − y < 50 years
            lows, highs = [v - LIMIT_50], [v - LIMIT_26]
        else:  # v − y ≥ 50 years
            lows, highs = [], [v - LIMIT_50]
        for bound in lows:
            low = bound if low is None else max(low, bound)
        for bound in highs:
            high = bound if high is None else min(high, bound)
    return low, high


def stand_in_birth_date(birth_date, reference_dates):
    """A birth date giving the same age band as `birth_date` on each reference date, chosen from the
    bounds alone: the latest 1 January allowed, else the latest first of a month, else the latest day
    allowed (when the assignments start days apart across a birthday); with no upper bound (the
    person was under 26 on every date), the earliest 1 January allowed."""
    low, high = band_bounds(birth_date, reference_dates)
    if low is None and high is None:
        return NO_REFERENCE_BIRTH_DATE
    if high is None:
        return datetime.date(low // 10000 + 1, 1, 1)
    january_first = (high // 10000) * 10000 + 101
    first_of_month = high - high % 100 + 1
    for candidate in (january_first, first_of_month):
        if low is None or candidate > low:
            return _from_ymd(candidate)
    return _from_ymd(high)  # ≥ the true birth date, which lies above low


def name_pattern(last_name, first_name):
    """A regex finding the person's name in free text: « Dupont Jean », « Jean Dupont », « DUPONT J. »
    forms with the full first name, in any case and spacing (accents as written)."""
    last = r"[\s-]+".join(re.escape(w) for w in last_name.split())
    first = r"[\s-]+".join(re.escape(w) for w in first_name.split())
    return re.compile(rf"\b(?:{last}[\s,]+{first}|{first}\s+{last})\b", re.IGNORECASE)


def redact(text, pattern, replacement):
    """`text` with every match of `pattern` replaced (None and empty text pass through)."""
    return pattern.sub(replacement, text) if text else text


def _pseudonym():
    """A stand-in first name no other record uses: « n° 3F9A1C » (random, not the database id)."""
    while True:
        code = f"n° {secrets.token_hex(3).upper()}"
        if not Participant.objects.filter(last_name=ANONYMOUS_LAST_NAME, first_name=code).exists():
            return code


@transaction.atomic
def anonymise_identity(person, reference_dates, user=None, reason=REQUEST, now=None):
    """Replace the identity of `person` (and of every history row of them), keep what the bilans
    count, freeze the record and write the anonymisation to the access log. `reference_dates`: the
    start dates of the person's assignments (the dates the bilans take ages on)."""
    person = Participant.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise AlreadyAnonymised(person.pk)
    now = now or timezone.now()
    pattern = name_pattern(person.last_name, person.first_name)
    identity = {
        "last_name": ANONYMOUS_LAST_NAME,
        "first_name": _pseudonym(),
        "birth_date": stand_in_birth_date(person.birth_date, reference_dates),
        **CLEARED,
    }
    for name, value in identity.items():
        setattr(person, name, value)
    person.anonymised_at = now
    person.anonymised_by = user if user is not None and user.is_authenticated else None
    person.anonymised_reason = reason
    person._change_reason = "Anonymisation"
    person._history_user = person.anonymised_by
    person.save()
    person.compute_keys()
    person.history.update(
        **identity,
        identity_key=identity_key(identity["last_name"], identity["first_name"], identity["birth_date"]),
        search_text=person.search_text,
    )
    stand_in = str(person)
    for row in person.history.exclude(history_change_reason__isnull=True).exclude(history_change_reason=""):
        reason = redact(row.history_change_reason, pattern, stand_in)
        if reason != row.history_change_reason:
            type(row).objects.filter(pk=row.pk).update(history_change_reason=reason)
    person.outcomes.update(notes="")
    AccessLog.record(user, person, AccessLog.Action.ANONYMISATION)
    return person
