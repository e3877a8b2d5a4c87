"""Planning an import: what the file names is matched against what the database holds (loaded once, in
chunks, into dicts keyed by the matching keys: no query per row) and planned for creation or update.
The matching of each kind of object is hours/suivi/matching.py; the writing, hours/suivi/apply.py."""

from collections import defaultdict

from django.db import connections

from clauses_site.roles import can_validate
from companies.models import Company
from hours.models import Assignment, HoursEntry
from hours.suivi.apply import Writing, chunks, validated_reason
from hours.suivi.matching import (
    Matching,
    cached_company_key,
    cached_identity_key,
    cached_match_key,
    cached_normalize,
)
from hours.suivi.report import FIELD_LABELS, MAX_WARNINGS, SAMPLE_LABELS, SAMPLES
from markets.models import Award, Buyer, Clause, Lot, Market, Operation
from participants.models import Criterion, Participant


def _converted_rows(queryset, caches):
    """The rows of a values_list() queryset, the database's values converted to Python's as Django does,
    each distinct value of a column once (Django converts every value: on SQLite, for 50 000 entries,
    100 000 decimals and 50 000 dates, most of what reading them costs). caches: {} kept from one chunk
    of the same query to the next."""
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows or not converters:
        return rows
    columns = [list(column) for column in zip(*rows, strict=True)]
    for index, (functions, expression) in converters.items():
        known = caches.setdefault(index, {})
        for value in set(columns[index]) - known.keys():
            converted = value
            for function in functions:
                converted = function(converted, expression, connection)
            known[value] = converted
        columns[index] = list(map(known.__getitem__, columns[index]))
    return list(zip(*columns, strict=True))


def _fetch(queryset, field_name, values):
    """queryset filtered on field_name__in=values, in chunks (no query when values is empty)."""
    for chunk in chunks(values):
        yield from queryset.filter(**{f"{field_name}__in": chunk})


class Planner(Matching, Writing):
    """Holds the objects the file names (existing ones loaded once, new ones unsaved) and what
    changes on them. Keys of child objects use id() of their parents' instances."""

    def __init__(self, report, parser, user, file_name):
        self.report = report
        self.parser = parser
        self.user = user
        # user None: the system (the command without --user), which validates as it always did
        self.may_validate = user is None or can_validate(user)
        self.file_name = file_name
        self.new = defaultdict(list)  # kind -> [unsaved instances], in creation order
        self.changed = defaultdict(dict)  # kind -> {id(instance): (instance, {field names})}
        self.first_row = {}  # id(instance) -> first row number naming it
        self.warned = set()
        self.errors_on = set()  # (row, key) already reported
        self.past = {}  # index of a kept warning -> its text once the import is done
        self.first_month = {}  # id(new market or lot) -> the first day of its earliest month

    # -- helpers
    def error(self, row, key, value, reason):
        if (row.number, key) in self.errors_on:
            return
        self.errors_on.add((row.number, key))
        self.report.add_error(row.number, self.parser.title(key), value, reason, self.parser.col(key))

    def warn_once(self, token, text):
        if token not in self.warned:
            self.warned.add(token)
            self.report.warn(text)

    def warn_will(self, future, past, token=None):
        """A warning about what the import does: `future` in the preview, `past` once it is done."""
        if token is not None:
            if token in self.warned:
                return
            self.warned.add(token)
        if len(self.report.warnings) < MAX_WARNINGS:
            self.past[len(self.report.warnings)] = past
        self.report.warn(future)

    def in_past_tense(self):
        """The import is written: its warnings say what was done."""
        for index, text in self.past.items():
            self.report.warnings[index] = text

    def mark_new(self, kind, instance, row):
        self.new[kind].append(instance)
        self.first_row[id(instance)] = row.number

    def mark_changed(self, kind, instance, *fields):
        entry = self.changed[kind].setdefault(id(instance), (instance, set()))
        entry[1].update(fields)

    def is_new(self, instance):
        return instance.pk is None

    # -- loading
    def load(self, rows):
        rows = list({id(r.contract): r.contract for r in rows}.values())  # the rows' distinct contracts
        buyer_keys = {cached_match_key(r.buyer) for r in rows}
        self.buyers = {b.name_key: b for b in Buyer.objects.filter(name_key__in=list(buyer_keys))}
        buyer_ids = [b.pk for b in self.buyers.values()]
        by_pk = {b.pk: b for b in self.buyers.values()}
        self.operations = {}
        for op in _fetch(Operation.objects.all(), "buyer_id", buyer_ids):
            self.operations[(id(by_pk[op.buyer_id]), cached_match_key(op.name))] = op
        self.markets = {}
        markets_by_pk = {}
        references = {r.market_ref for r in rows}  # an exact spelling wins over a case-insensitive one
        for market in _fetch(Market.objects.select_related("operation"), "buyer_id", buyer_ids):
            key = (id(by_pk[market.buyer_id]), cached_normalize(market.reference))
            if key not in self.markets or market.reference in references:
                self.markets[key] = market
            market.buyer = by_pk[market.buyer_id]
            markets_by_pk[market.pk] = market
        self.lots = {}
        lots_by_pk = {}
        for lot in _fetch(Lot.objects.all(), "market_id", list(markets_by_pk)):
            lot.market = markets_by_pk[lot.market_id]
            self.lots[(id(lot.market), lot.number_key)] = lot
            lots_by_pk[lot.pk] = lot
        self.clauses = {}  # id(lot) -> Clause
        for clause in _fetch(
            Clause.objects.only("id", "lot_id", "hours_required", "stated_hours"), "lot_id", list(lots_by_pk)
        ):
            self.clauses[id(lots_by_pk[clause.lot_id])] = clause
        self.awards = {}  # (id(lot), award_key(company)) -> Award
        self.holders = {}  # id(lot) -> its holder's Award
        for award in _fetch(Award.objects.select_related("company"), "lot_id", list(lots_by_pk)):
            award.lot = lots_by_pk[award.lot_id]
            self.awards[(id(award.lot), ("pk", award.company_id))] = award
            if award.role == Award.Role.HOLDER:
                self.holders.setdefault(id(award.lot), award)

        sirets = {r.siret for r in rows if r.siret}
        names = {cached_company_key(r.company) for r in rows} | {
            cached_company_key(r.employer) for r in rows if r.employer
        }
        self.companies_by_siret = {}
        self.companies_by_name = {}
        companies = {}
        for company in _fetch(Company.objects.all(), "siret", sirets):
            companies[company.pk] = company
        for company in _fetch(Company.objects.all(), "name_key", names):
            companies.setdefault(company.pk, company)
        for company in sorted(companies.values(), key=lambda c: c.pk):
            if company.siret:
                self.companies_by_siret[company.siret] = company
            self.companies_by_name.setdefault(company.name_key, company)

        keys = {cached_identity_key(r.last_name, r.first_name, r.birth_date) for r in rows}
        self.participants = {
            p.identity_key: p for p in _fetch(Participant.objects.all(), "identity_key", keys)
        }
        people_by_pk = {p.pk: p for p in self.participants.values()}
        self.criteria = {c.code: c for c in Criterion.objects.all()}
        self.participant_criteria = defaultdict(set)  # id(participant) -> {codes}
        through = Participant.criteria.through
        for pid, code in _fetch(
            through.objects.values_list("participant_id", "criterion__code"),
            "participant_id",
            list(people_by_pk),
        ):
            self.participant_criteria[id(people_by_pk[pid])].add(code)
        self.new_criteria = []  # (participant, code)

        companies_by_pk = companies
        self.assignments = {}
        assignments_by_pk = {}
        needed_company_pks = set()
        raw_assignments = list(_fetch(Assignment.objects.all(), "participant_id", list(people_by_pk)))
        for a in raw_assignments:
            needed_company_pks.update((a.company_id, a.employer_id))
        missing = needed_company_pks - set(companies_by_pk)
        for company in _fetch(Company.objects.all(), "pk", missing):
            companies_by_pk[company.pk] = company
        for a in raw_assignments:
            if a.lot_id not in lots_by_pk:
                continue  # a lot the file does not name
            a.participant = people_by_pk[a.participant_id]
            a.lot = lots_by_pk[a.lot_id]
            a.company = companies_by_pk[a.company_id]
            a.employer = companies_by_pk[a.employer_id]
            key = (id(a.participant), id(a.lot), id(a.employer), a.contract_type, a.starts_on)
            self.assignments[key] = a
            assignments_by_pk[a.pk] = a
        # (id(assignment), month) -> (assignment's pk, month, pk, hours, training hours, status)
        self.entries = {}
        self._entry_months = None
        fields = ("assignment_id", "month", "id", "hours", "training_hours", "status")
        caches = {}
        for chunk in chunks(assignments_by_pk):
            rows = _converted_rows(
                HoursEntry.objects.filter(assignment_id__in=chunk).values_list(*fields), caches
            )
            for row in rows:
                self.entries[(id(assignments_by_pk[row[0]]), row[1])] = row

    @property
    def entry_months(self):
        """id(assignment) -> {months the database holds} (read when an existing contract's end changes)."""
        if self._entry_months is None:
            self._entry_months = defaultdict(set)
            for assignment, month in self.entries:
                self._entry_months[assignment].add(month)
        return self._entry_months

    # -- resolving each row
    def resolve(self, row):
        """Match or plan what the row names. Rows that differ only by their month and hours (the months
        of one contract) name the same objects: once the first resolved without error, the next ones
        only add their entry (the rules compare a row with the first of its contract: nothing to say of
        an identical one)."""
        key = id(row.contract)  # equal contracts are one object (rows.RowParser)
        known = self.resolved.get(key)
        if known is not None:
            assignment, created = known
            month, first_month = row.month, self.first_month
            for made in created:  # id() of the new market and lot, whose first month is the earliest
                if month < first_month[made]:
                    first_month[made] = month
            self.entry_for(row, assignment)
            return
        errors = self.report.error_count
        named = self.named
        buyer = self.buyer_for(row)
        named["buyers"].add(id(buyer))
        market = self.market_for(row, buyer)
        if market is None:
            return
        named["markets"].add(id(market))
        if market.operation is not None:
            named["operations"].add(id(market.operation))
        lot = self.lot_for(row, market)
        named["lots"].add(id(lot))
        self.first_month_of(row, market, lot)
        clause = self.clause_for(row, lot)
        if clause is not None:
            named["clauses"].add(id(clause))
        company = self.company_for(row)
        employer = self.employer_for(row, company)
        named["companies"].update((id(company), id(employer)))
        named["awards"].add(id(self.award_for(row, lot, company)))
        participant = self.participant_for(row)
        named["participants"].add(id(participant))
        assignment = self.assignment_for(row, participant, lot, company, employer)
        named["assignments"].add(id(assignment))
        if self.report.error_count == errors:
            created = tuple(id(made) for made in (market, lot) if self.is_new(made))
            self.resolved[key] = (assignment, created)
        self.entry_for(row, assignment)

    def first_month_of(self, row, market, lot):
        """A new market or lot starts with its earliest month."""
        for created in (market, lot):
            if self.is_new(created) and row.month < self.first_month.get(id(created), row.month.max):
                self.first_month[id(created)] = row.month

    @property
    def draft_mark(self):
        return "" if self.may_validate else " (brouillon)"

    def refuse_validated(self, row, entry):
        """A row that would change a validated entry, from someone who may not validate."""
        key = "hours" if entry.hours != row.hours else "training_hours"
        self.error(row, key, getattr(row, key), validated_reason(entry))

    def refuse_later(self, row, entry):
        """A row that would change a validated entry (a KnownEntry), from someone who may not validate:
        refused in finish(), once the validators of all such entries are read in one query."""
        self.refusals.append((row, entry))

    def refuse_all(self):
        validated = HoursEntry.objects.select_related("validated_by")
        found = {}
        for chunk in chunks([entry.pk for _, entry in self.refusals]):
            found.update((e.pk, e) for e in validated.filter(pk__in=chunk))
        for row, entry in self.refusals:
            self.refuse_validated(row, found[entry.pk])

    def finish(self):
        """Errors that need the whole file, then the counts and the preview's samples."""
        self.refuse_all()
        if not self.partial:
            for row in self.pending_planned.values():
                self.error(row, "planned_hours", "", "heures prévues obligatoires pour un nouveau lot")
        report = self.report
        if not self.may_validate and (self.new["entries"] or self.changed["entries"]):
            self.warn_will(
                "Vous ne pouvez pas valider les heures : celles que cet import crée ou modifie seront "
                "enregistrées en brouillon, à valider par une personne habilitée.",
                "Vous ne pouvez pas valider les heures : celles que cet import a créées ou modifiées ont été "
                "enregistrées en brouillon, à valider par une personne habilitée.",
            )
        report.count("entries", "unchanged", self.unchanged_entries)
        report.count("entries", "created", len(self.new["entries"]))
        report.count("entries", "updated", len(self.changed["entries"]))
        for kind, label in SAMPLE_LABELS.items():
            created, changed = self.new[kind], self.changed[kind]
            report.count(kind, "created", len(created))
            report.count(kind, "updated", len(changed))
            report.count(kind, "unchanged", len(self.named[kind]) - len(created) - len(changed))
            for instance in created[:SAMPLES]:
                report.sample(kind, "created", label(instance))
            for instance, fields in list(changed.values())[:SAMPLES]:
                what = ", ".join(sorted(FIELD_LABELS.get(f, f) for f in fields))
                report.sample(kind, "updated", f"{label(instance)} ({what})")

    def plan(self, rows, partial=False):
        """partial: some rows were invalid, so rules that need every row of the file are not checked."""
        self.partial = partial
        self.pending_planned = {}
        self.assignment_rows = {}
        self.entry_rows = {}
        self.entry_row = {}  # pk of an existing entry the file changes -> its row
        self.named = defaultdict(set)  # kind -> {id(instance)} named by the file
        self.refusals = []  # (row, KnownEntry) refused by refuse_all()
        self.unchanged_entries = 0
        # id(row.contract) -> (assignment, id() of the market and lot if new) of a row resolved without error
        self.resolved = {}
        self.load(rows)
        for row in rows:
            self.resolve(row)
        self.finish()
