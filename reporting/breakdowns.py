"""The per-person side of a bilan from ONE aggregate of the scope's entries (reporting/indicators.py).

    rows = breakdowns.assignment_rows(entries_q, start, end)   # 1 query: the entries grouped by assignment
    people = breakdowns.people_figures(rows, assignments_q, start, end)   # + 3 small queries, no entries

assignment_rows() reads the validated entries of the scope up to the period's end once, grouped by
assignment (with its lot, company, modality, contract, start and the person's sex, level, QPV, birth
date, prescriber and commune): the counted hours of the period and up to its end, the training hours
and the number of entries in the period. Everything a bilan counts per person, contract, lot or company
is then counted here in Python over those rows, with the rules of hours/queries.py:
- people: distinct participants with validated entries in the period (rows with entries in it);
- contracts: distinct assignments with entries in the period;
- age: on the start of the person's earliest assignment counted in the period, in whole years
  ((YYYYMMDD of that start − YYYYMMDD of the birth date) // 10000), as the SQL of the earlier version;
- criteria and outcomes: read apart (criteria of the people, outcomes dated in the period) for the
  participants of the scope's assignments — the assignments table, never the entries —, kept for the
  people counted.
"""

from collections import Counter, defaultdict
from decimal import Decimal
from operator import itemgetter

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from clauses_site.months import first_of_month
from hours import queries
from hours.models import HOURS, Assignment
from participants.models import Criterion, Outcome, Participant

ZERO = Decimal(0)
SEXES = ("F", "H")
AGE_BANDS = ("<26", "26-49", "50+")
UNKNOWN_LEVEL = "inconnu"
LEVELS = (*Participant.Level.values, UNKNOWN_LEVEL)

#: The columns of one row of assignment_rows(), in order.
FIELDS = (
    "assignment",
    "assignment__lot",
    "assignment__company",
    "assignment__participant",
    "assignment__modality",
    "assignment__contract_type",
    "assignment__starts_on",
    "assignment__participant__birth_date",
    "assignment__participant__sex",
    "assignment__participant__level",
    "assignment__participant__qpv",
    "assignment__participant__prescriber",
    "assignment__participant__commune",
)
NAMES = (
    "assignment",
    "lot",
    "company",
    "participant",
    "modality",
    "contract_type",
    "starts_on",
    "birth_date",
    "sex",
    "level",
    "qpv",
    "prescriber",
    "commune",
    "entries",
    "hours_done",
    "hours_done_to_date",
    "training_hours",
)


class Row(tuple):
    """One assignment of the scope: FIELDS then entries (in the period), hours_done, hours_done_to_date,
    training_hours (attributes by NAMES). The national busiest buyer has ~17 000: the attributes are C item
    getters, and the loops below read the columns by index (COLUMN)."""

    __slots__ = ()


#: {name: index} of a Row's columns.
COLUMN = {name: i for i, name in enumerate(NAMES)}
for _name, _i in COLUMN.items():
    setattr(Row, _name, property(itemgetter(_i)))


class _AsReturned:
    """An aggregate read as the database driver returns it: psycopg gives a Decimal for a NUMERIC sum and
    an int for a count, SQLite's decimal converter (of the output field, kept) a Decimal — without Django's
    second Decimal() or int() of every value (4 per row, ~70 000 calls for a national buyer)."""

    @property
    def convert_value(self):
        return self._convert_value_noop


class _Total(_AsReturned, Coalesce):
    pass


class _Count(_AsReturned, Count):
    pass


def _sum(expression, where=None):
    return _Total(Sum(expression, filter=where, output_field=HOURS), Value(ZERO), output_field=HOURS)


def assignment_rows(entries_q, start, end):
    """The scope's validated entries up to `end` (entries_q: a Q on HoursEntry), grouped by assignment:
    [Row]. One query, the only one of a bilan that reads the entries table for people and contracts."""
    in_period = Q(month__gte=first_of_month(start))
    rows = (
        queries.counted_entries(end=end, to_date=True)
        .filter(entries_q)
        .order_by()
        .values_list(*FIELDS)
        .annotate(
            _n=_Count("pk", filter=in_period),
            _done=_sum(queries.COUNTED_HOURS, in_period),
            _to_date=_sum(queries.COUNTED_HOURS),
            _training=_sum("training_hours", in_period),
        )
    )
    return [Row(values) for values in rows]


def in_period(rows):
    """The rows with entries in the period (the people and contracts a bilan counts)."""
    entries = COLUMN["entries"]
    return [row for row in rows if row[entries]]


def totals_by(rows, name):
    """{row's `name` column (lot, company…): {hours_done, hours_done_to_date, training_hours, people}}
    (people: distinct participants with entries in the period) — hours.queries.period_totals_by over
    the same entries."""
    key, participant, entries = COLUMN[name], COLUMN["participant"], COLUMN["entries"]
    done, to_date, training = COLUMN["hours_done"], COLUMN["hours_done_to_date"], COLUMN["training_hours"]
    sums = {}
    for row in rows:
        found = sums.get(row[key])
        if found is None:
            found = sums[row[key]] = [ZERO, ZERO, ZERO, set()]
        found[0] += row[done]
        found[1] += row[to_date]
        found[2] += row[training]
        if row[entries]:
            found[3].add(row[participant])
    return {
        k: {"hours_done": d, "hours_done_to_date": t, "training_hours": tr, "people": len(p)}
        for k, (d, t, tr, p) in sums.items()
    }


def _ymd(date):
    return date.year * 10000 + date.month * 100 + date.day


def _age_band(years_x10000):
    if years_x10000 < 260000:
        return "<26"
    return "26-49" if years_x10000 < 500000 else "50+"


def people_figures(rows, assignments_q, start, end):
    """The breakdowns of the people and contracts of `rows` (assignment_rows()); assignments_q (a Q on
    Assignment, the scope) bounds the reads of criteria and outcomes. 3 queries."""
    counted = in_period(rows)
    participant, starts_on = COLUMN["participant"], COLUMN["starts_on"]
    people = {}  # participant id -> the row of its earliest assignment counted in the period
    for row in counted:
        first = people.get(row[participant])
        if first is None or row[starts_on] < first[starts_on]:
            people[row[participant]] = row
    persons = people.values()

    def count(name, of=persons):
        return Counter(map(itemgetter(COLUMN[name]), of))

    levels, sexes, qpv = count("level"), count("sex"), count("qpv")
    by_level = {v: levels.get(v, 0) for v in LEVELS[:-1]}
    by_level[UNKNOWN_LEVEL] = levels.get("", 0)
    birth_date = COLUMN["birth_date"]
    ages = Counter(_age_band(_ymd(p[starts_on]) - _ymd(p[birth_date])) for p in persons)
    modality, done = COLUMN["modality"], COLUMN["hours_done"]
    modality_hours = defaultdict(lambda: ZERO)
    for row in rows:
        modality_hours[row[modality]] += row[done]
    scope_people = Assignment.objects.filter(assignments_q).values("participant")
    found = {
        "people": len(people),
        "assignments": len(counted),
        "by_sex": {s: sexes.get(s, 0) for s in SEXES},
        "by_age_band": {band: ages.get(band, 0) for band in AGE_BANDS},
        "by_level": by_level,
        "qpv": sum(n for value, n in qpv.items() if value is True),
        "modality_hours": dict(modality_hours),
        "contracts": dict(count("contract_type", counted)),
        "prescribers": dict(count("prescriber")),
        "communes": dict(count("commune")),
    }
    found.update(_criteria(people, scope_people))  # 2 queries
    found["outcomes"] = outcomes(people, scope_people, start, end)  # 1 query
    return found


def _criteria(people, scope_people):
    """People per criterion (a person counts once under each criterion they meet); every criterion, in
    the list's order, and their labels."""
    through = Participant.criteria.through.objects.filter(participant__in=scope_people)
    counts = Counter(c for p, c in through.values_list("participant_id", "criterion_id") if p in people)
    criteria = Criterion.objects.order_by("order", "code").values_list("pk", "code", "label")
    return {
        "by_criterion": {code: counts.get(pk, 0) for pk, code, _ in criteria},
        "criteria_labels": {code: label for _, code, label in criteria},
    }


def outcomes(people, scope_people, start, end):
    """Outcomes of the people counted (ids), dated in the period: people per outcome (at the end of the
    contract, at 6 months) and the positive ones apart. One query."""
    dated = Outcome.objects.filter(participant__in=scope_people, date__gte=start, date__lte=end)
    found = defaultdict(set)  # (timing, kind) -> people
    for participant, timing, kind in dated.values_list("participant_id", "timing", "kind"):
        if participant in people:
            found[timing, kind].add(participant)
    positive = set(Outcome.Kind.positive())

    def people_of(timing, kinds=None):
        chosen = (p for (t, k), p in found.items() if t == timing and (kinds is None or k in kinds))
        return len(set().union(*chosen))

    end_, six = Outcome.Timing.END, Outcome.Timing.SIX_MONTHS
    return {
        "outcomes_at_end": {k.label: len(found.get((end_, k.value), ())) for k in Outcome.Kind},
        "outcomes_at_six_months": {k.label: len(found.get((six, k.value), ())) for k in Outcome.Kind},
        "people_with_outcome_at_end": people_of(end_),
        "positive_at_end": people_of(end_, positive),
        "people_with_outcome_at_six_months": people_of(six),
        "positive_at_six_months": people_of(six, positive),
    }
