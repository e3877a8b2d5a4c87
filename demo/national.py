"""The « national » scale: beside Dunkerque (the demo territory, built in full by demo.seed), other
territories whose people, assignments and monthly hours are written in bulk — about 80 000 people,
300 000 assignments and 2,5 million hour entries in a few minutes on PostgreSQL.

Each other territory gets its buyers, companies, markets, lots, clauses and awards from the demo's own
builder (demo.territory, without its people steps), then:
- assignments from the builder's own rules (modalities, contracts, dates: Territory.assignment_for),
  sized on the lots' hours owed, and on one lot `busiest` people at work in the same month (the
  monthly grid's worst case);
- people from the builder's own rules (names, birth dates, criteria), who work one contract after
  another (a heap of who is free first);
- people, their criteria and assignments written with COPY (psycopg's cursor.copy()) on PostgreSQL,
  bulk_create elsewhere, with primary keys chosen here (the sequences are set after);
- the monthly hours by one INSERT … SELECT that joins each assignment's span of months to a table of
  months: hours around the lot's mean (so that lots are late or ahead as in the demo), gaps, the last
  two months partly in draft, validation dates; the variation comes from a hash of (the assignment's
  rank in its territory, month), so that the rows are the same on every run, after --reset too
  (deterministic, as the rest: one seed per territory);
- outcomes and SIAE purchases by the builder's own steps; then ANALYZE (demo.seed).

No history rows are written for the bulk people, assignments and entries (the demo territory keeps its
own): django-simple-history's pages show no past versions for them, and every figure, list and grid
reads the records themselves. Same SQL on SQLite (for tests at tiny sizes) and PostgreSQL.
"""

import datetime
import heapq
import random
import time
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from clauses_site.months import from_month_index, last_of_month, month_index
from demo.common import FIRST_MONTH, NATIONAL_TERRITORIES, VOLUMES, aware
from demo.territory import Territory, timed
from hours.models import Assignment, HoursEntry, Modality
from participants.models import Participant


@dataclass(frozen=True)
class NationalSize:
    """What `seed_demo --scale national` builds beside Dunkerque (tests use tiny sizes)."""

    territories: int = NATIONAL_TERRITORIES  # Dunkerque included
    people: int = 78_000  # in all the other territories
    assignments: int = 300_000  # idem (~8,6 monthly entries each: ~2,5 million entries)
    busiest: int = 1_100  # people at work on one lot in one month (in the first other territory)


def seed_territories(seed, today, users, registry, sectors, criteria, size, log=None):
    """Territories 1 … size.territories - 1, each in its own transaction; returns their names."""
    others = max(size.territories - 1, 1)
    names = []
    for index in range(1, size.territories):
        started = time.perf_counter()
        rng = random.Random(seed * 1000 + index)
        volumes = {**VOLUMES, "assignments": size.assignments // others}
        with transaction.atomic():
            territory = Territory(index, rng, today, users, registry, sectors, criteria, volumes)
            territory.run(log, people=False)
            Bulk(territory, size.people // others, size.busiest if index == 1 else 0, log).run()
        names.append(territory.name)
        if log:
            log(f"{territory.name} : {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Participant, Assignment]):
            cursor.execute(sql)
    return names


class Bulk:
    """The people, assignments and hours of one territory, written in bulk."""

    def __init__(self, territory, people, busiest, log=None):
        self.t = territory
        self.people_count = people
        self.busiest = busiest
        self.log = log

    def run(self):
        for step in (self.assignments, self.people, self.write, self.hours):
            timed(step, self.log)
        timed(self.t.make_outcomes, self.log)
        timed(self.t.make_siae_purchases, self.log)

    def assignments(self):
        t = self.t
        t.make_assignments()
        if self.busiest:
            # The lot with the most hours owed gets people who all start with the site: `busiest` at
            # work together in its first month, with those already there.
            current = month_index(t.today)
            plans = [p for p in t.plans if p.assignments and month_index(p.lot.starts_on) <= current - 3]
            plan = max(plans, key=lambda p: (p.clause.hours_required, -p.lot.pk))
            first = max(month_index(plan.lot.starts_on), month_index(FIRST_MONTH))
            there = sum(
                month_index(a.starts_on) <= first <= month_index(a.ends_on or plan.lot.ends_on)
                for a in plan.assignments
            )
            for _ in range(max(self.busiest - there, 0)):
                a = t.assignment_for(plan, first=True)
                a._plan = plan
                plan.assignments.append(a)
                t.assignments.append(a)

    def people(self):
        """People from the builder's rules; each assignment goes to whoever is free first, or to someone
        new (a tenth of the people never works: they entered the path lately)."""
        t, rng = self.t, self.t.rng
        first_pk = (Participant.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        people = [t.new_person() for _ in range(self.people_count)]
        for pk, person in enumerate(people, first_pk):
            person.pk = person.id = pk
        fresh = people[: int(len(people) * 0.9)]
        rng.shuffle(fresh)
        free = []  # heap of (free from, order, person)
        seen = set()
        for order, a in enumerate(sorted(t.assignments, key=lambda a: (a.starts_on, a.lot.pk))):
            if free and free[0][0] <= a.starts_on and (not fresh or rng.random() >= 0.55):
                person = heapq.heappop(free)[2]
            elif fresh:
                person = fresh.pop()
            else:
                person = heapq.heappop(free)[2]
            key = (person.pk, a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            while key in seen:  # the same contract twice: start a day later
                a.starts_on += datetime.timedelta(days=1)
                if a.ends_on and a.ends_on < a.starts_on:
                    a.ends_on = a.starts_on
                key = (person.pk, a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            seen.add(key)
            a.participant = person
            heapq.heappush(free, (a.ends_on or a.lot.ends_on, order, person))
            if not hasattr(person, "_first_start") or a.starts_on < person._first_start:
                person._first_start = a.starts_on
        for p in people:
            p.entered_on = (getattr(p, "_first_start", None) or t.today) - datetime.timedelta(
                days=rng.randint(20, 400)
            )
            p.compute_keys()
        t.people = people

    def write(self):
        t = self.t
        write_rows(Participant, t.people)
        through = Participant.criteria.through
        code = {c.code: c.pk for c in t.criteria}
        links = [
            through(participant_id=p.pk, criterion_id=code[c]) for p in t.people for c in t.criteria_codes(p)
        ]
        write_rows(through, links)
        first_pk = (Assignment.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        for rank, (pk, a) in enumerate(enumerate(t.assignments, first_pk)):
            a.pk = a.id = pk
            a._ordinal = t.index * 10_000_000 + rank
            if not a.employer_id:
                a.employer_id = a.company_id
        write_rows(Assignment, t.assignments)

    def spans(self):
        """(assignment, ordinal, first month, last month, mean hours × 2, training, facilitator, prefix) of
        each assignment: the lot's mean makes its validated hours its hours owed × the share of its
        execution elapsed × its performance (as demo.territory_people.make_hours)."""
        t = self.t
        current = month_index(t.today)
        for plan in t.plans:
            if not plan.assignments:
                continue
            target = float(plan.clause.hours_required) * t.elapsed(plan.lot) * float(plan.performance)
            rows, months = [], 0
            for a in plan.assignments:
                first = month_index(a.starts_on)
                last = min(month_index(a.ends_on or plan.lot.ends_on), current - plan.lag)
                if last < first:
                    continue
                training = a.modality == Modality.TRAINING
                if not training:
                    months += max(min(last, current - 1) - first + 1, 0)
                rows.append((a.pk, a._ordinal, first, last, training))
            mean = min(max(target / max(months, 1), 14.0), 151.67)
            prefix = plan.market.reference.split("-")[0].lower()
            facilitator = plan.market.facilitator_id
            for pk, ordinal, first, last, training in rows:
                yield pk, ordinal, first, last, round(mean * 2), int(training), facilitator, prefix

    def months(self):
        """(index, month, « 2025-03 », validation date, % in draft, % kept) of every month with hours."""
        current = month_index(self.t.today)
        ops = connection.ops
        for index in range(month_index(FIRST_MONTH), current + 1):
            month = from_month_index(index)
            validated = aware(min(last_of_month(month) + datetime.timedelta(days=12), self.t.today), 11)
            draft = {current: 100, current - 1: 50, current - 2: 8}.get(index, 0)
            keep = 40 if index == current else 100
            yield (
                index,
                ops.adapt_datefield_value(month),
                f"{month:%Y-%m}",
                ops.adapt_datetimefield_value(validated),
                draft,
                keep,
            )

    def hours(self):
        with connection.cursor() as cursor:
            stamp = "timestamptz" if connection.vendor == "postgresql" else "datetime"
            cursor.execute(
                "CREATE TEMP TABLE demo_month (idx integer, month date, ym varchar(7), "
                f"validated_at {stamp}, draft_pct integer, keep_pct integer)"
            )
            cursor.execute(
                "CREATE TEMP TABLE demo_span (assignment_id bigint, ordinal bigint, first_idx integer, "
                "last_idx integer, mean_x2 integer, training integer, facilitator_id integer, "
                "prefix varchar(30))"
            )
            fill(cursor, "demo_month", 6, self.months())
            fill(cursor, "demo_span", 8, self.spans())
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(
                ENTRIES_SQL.format(table=HoursEntry._meta.db_table), [self.t.validator.pk, now, now]
            )
            cursor.execute("DROP TABLE demo_month")
            cursor.execute("DROP TABLE demo_span")


# h1 and h2: two hashes of (assignment's ordinal, month), read in slices of decimal digits for independent
# draws; the ordinal (territory, rank) rather than the primary key: the same rows after --reset.
ENTRIES_SQL = """
INSERT INTO {table} (assignment_id, month, hours, training_hours, status, validated_by_id, validated_at,
                     source, source_file, entered_by_id, import_batch_id, created_at, updated_at)
SELECT x.assignment_id, x.month,
       CASE WHEN x.training = 1 THEN 0
            WHEN x.mean_x2 > 280 AND (x.h1 / 1000000) %% 2 = 0 THEN 151.67
            WHEN x.mean_x2 * (70 + (x.h1 / 10000) %% 51) / 100 > 338 THEN 169
            ELSE x.mean_x2 * (70 + (x.h1 / 10000) %% 51) / 100 * 0.5 END,
       CASE WHEN x.training = 1 THEN 35 * (1 + (x.h2 / 10000) %% 4)
            WHEN x.idx = x.first_idx AND (x.h2 / 1000000) %% 5 = 0 THEN 7 * (1 + (x.h2 / 100000) %% 3)
            ELSE 0 END,
       CASE WHEN x.h2 %% 100 < x.draft_pct THEN 'brouillon' ELSE 'validee' END,
       CASE WHEN x.h2 %% 100 < x.draft_pct THEN NULL ELSE %s END,
       CASE WHEN x.h2 %% 100 < x.draft_pct THEN NULL ELSE x.validated_at END,
       CASE WHEN (x.h2 / 100) %% 100 < 50 THEN 'import' WHEN (x.h2 / 100) %% 100 < 85 THEN 'saisie'
            ELSE 'declaration' END,
       CASE WHEN (x.h2 / 100) %% 100 < 50 THEN 'suivi-' || x.prefix || '-' || x.ym || '.xlsx' ELSE '' END,
       x.facilitator_id, NULL, %s, %s
FROM (
    SELECT s.assignment_id, s.first_idx, s.last_idx, s.mean_x2, s.training, s.facilitator_id, s.prefix,
           m.idx, m.month, m.ym, m.validated_at, m.draft_pct, m.keep_pct,
           (s.ordinal * 2654435761 + m.idx * 40503) %% 2147483647 AS h1,
           (s.ordinal * 40503 + m.idx * 2654435761 + 12345) %% 2147483629 AS h2
    FROM demo_span s JOIN demo_month m ON m.idx BETWEEN s.first_idx AND s.last_idx
) x
WHERE NOT (x.h1 %% 100 < 3 AND x.last_idx - x.first_idx > 2) AND (x.h1 / 100) %% 100 < x.keep_pct
ORDER BY x.assignment_id, x.idx
"""


def fill(cursor, table, width, rows):
    """Rows into a table: COPY on PostgreSQL, executemany elsewhere."""
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * width)})", list(rows))


def write_rows(model, objects):
    """Unsaved objects into their table: COPY on PostgreSQL (every concrete field, the primary key
    included when set), bulk_create elsewhere. No signals, no history."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objects[0].pk is None)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
