"""The figures of a bilan: one function per scope × period, each returning a frozen `Figures` dataclass.

    indicators.for_buyer(buyer, start, end)
    indicators.for_company(company, start, end)
    indicators.for_market(market, start, end)
    indicators.for_territory(start, end)
    indicators.for_scope("buyer" | "company" | "market" | "territory", obj_or_None, start, end)
    indicators.to_json(figures, anonymise_small=False)   # the dict of docs/formats/bilan-json.md
    figures.protected()                                   # sensitive cells of 0–4 people → "< 5"
    figures.masked()                                      # and breakdown cells of 1–2 people → "< 3"

Every figure comes from database aggregates, a constant number of queries (12, 13 for a company) whatever
the data size, by the rules of hours/queries.py (validated entries only, COUNTED_HOURS): the hours of
each lot and month from the lot × month summary that the dashboard reads (hours.summary), everything
counted per person, contract or company from ONE aggregate of the scope's entries per assignment
(reporting/breakdowns.py); that is the only query reading the entries table (a company's months: one
more, the summary has no company).

What each scope counts
- buyer / market / territory: the lots of the buyer's markets / of the market / all lots.
- company: the hours credited to the company (Assignment.company, the holder or subcontractor the
  tracking sheet names), on any lot; what it owes on a lot is its share of the lot's hours
  (hours.queries.award_share: its commitment, or for the holder without one what the other companies
  do not carry). SIAE purchase equivalents: those of the lots it holds, and those it invoiced itself.

Lots in scope: lots with counted hours in the period (for a company: hours credited to it), and lots
with a clause (for a company: an award) whose execution overlaps the period (a lot with no start date
is not yet running: it only comes in through hours).
- hours_required: the sum of what the lots in scope owe (for a company: its shares);
- hours_done: counted hours whose month lies in the period;
- hours_done_to_date: counted hours of the lots in scope whose month is on or before the period's end;
- completion_rate: hours_done_to_date ÷ hours_required, not capped, 0 when nothing is owed.
People are the distinct participants with validated entries in the period; their age is taken on the
start date of their earliest assignment counted in the period. Outcomes are those of these people
dated in the period. SIAE purchase equivalents are shown apart and do not enter the completion rate.
"""

import datetime
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clauses_site.months import first_of_month, months_between
from companies.models import Company
from hours import queries, summary
from hours.models import HOURS, ContractType, Modality, SiaePurchase
from hours.models_summary import LotMonthHours
from markets.models import Award, Lot
from participants.models import Outcome
from reporting import breakdowns, masking

ZERO = Decimal(0)
CENTS = Decimal("0.01")

KINDS = ("buyer", "company", "market", "territory")
KIND_LABELS = {
    "buyer": "Donneur d'ordre",
    "company": "Entreprise",
    "market": "Marché",
    "territory": "Territoire",
}
TERRITORY_NAME = "Ensemble du territoire"

SEXES, AGE_BANDS = breakdowns.SEXES, breakdowns.AGE_BANDS
UNKNOWN_LEVEL, LEVELS = breakdowns.UNKNOWN_LEVEL, breakdowns.LEVELS
NO_PRESCRIBER = "Non renseigné"
NO_COMMUNE = "Non renseignée"

SMALL, SMALL_SCOPE, SENSITIVE = masking.SMALL, masking.SMALL_SCOPE, masking.SENSITIVE


@dataclass(frozen=True)
class Scope:
    kind: str  # buyer | company | market | territory
    name: str
    start: datetime.date
    end: datetime.date
    pk: int | None = None  # the buyer's, company's or market's id; None for the territory

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class LotLine:
    """One lot in scope (for a company scope: the company's share of it and its hours on it)."""

    pk: int
    buyer: str
    market_reference: str
    market_title: str
    lot: str  # the lot's number or label as imported: "3", "Lot 3", "Unique"
    label: str  # as printed: "lot 3", "Unique"
    title: str
    clause_type: str  # code (L2112-2…), "" without a clause
    hours_source: str | None  # "stated" (the buyer's number wins), "formula", None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    hours_required: Decimal
    hours_done: Decimal
    hours_done_to_date: Decimal
    training_hours: Decimal
    people: int | str
    progress: queries.Progress


@dataclass(frozen=True)
class CompanyLine:
    """One company credited with hours, or owing some, on the lots in scope."""

    pk: int
    name: str
    siret: str
    kind: str  # label: "Entreprise", "ETTI — …"
    hours_required: Decimal  # its shares of the lots in scope (award_share)
    hours_done: Decimal
    hours_done_to_date: Decimal
    training_hours: Decimal
    people: int | str
    progress: queries.Progress

    @property
    def short_kind(self):
        """ "EI", "ETTI"… ("" for an ordinary company)."""
        return "" if self.kind == Company.Kind.ORDINARY.label else self.kind.split(" — ")[0]


@dataclass(frozen=True)
class Figures:
    scope: Scope
    lots: tuple[LotLine, ...]
    companies: tuple[CompanyLine, ...]
    hours_required: Decimal
    hours_done: Decimal
    hours_done_to_date: Decimal
    completion_rate: Decimal
    training_hours: Decimal
    people: int
    assignments: int
    by_sex: dict  # {"F": n, "H": n}
    by_age_band: dict  # {"<26": n, "26-49": n, "50+": n}
    by_level: dict  # {"infra 3": n, "3": n, "4": n, "5+": n, "inconnu": n}
    by_criterion: dict  # {"DELD": n, …} every criterion, in the list's order
    qpv: int | str
    by_modality: dict  # {"Embauche directe": hours, …} every modality label
    by_contract_type: dict  # {"CDI": n, …} every contract type label: assignments
    hours_by_month: tuple[tuple[datetime.date, Decimal], ...]  # every month of the period
    prescribers: dict  # {"PLIE": n, …, "Non renseigné": n} people, most first
    by_commune: dict  # {"Grande-Synthe": n, …, "Non renseignée": n} people by commune of residence
    outcomes_at_end: dict  # {"CDI": n, …} every outcome label: people
    outcomes_at_six_months: dict
    people_with_outcome_at_end: int | str
    positive_at_end: int | str
    people_with_outcome_at_six_months: int | str
    positive_at_six_months: int | str
    siae_hours: Decimal  # validated SIAE purchases in the period, as hours (not in hours_done)
    siae_amount: Decimal
    siae_purchases: int
    progress: queries.Progress  # owed / done to date / expected to date (sum of the lots') / lag
    criteria_labels: dict = field(default_factory=dict)  # {"DELD": "Demandeur d'emploi…"}
    anonymised: bool = False  # the small-scope rule applied ("< 3")
    protected_cells: bool = False  # the sensitive rule applied ("< 5")

    @property
    def is_small(self):
        return self.people < SMALL_SCOPE

    @property
    def hours_per_person(self):
        if not self.people:
            return ZERO
        return (self.hours_done / self.people).quantize(CENTS, rounding=ROUND_HALF_UP)

    def protected(self):
        """A copy with the sensitive cells (RQTH, AAH, Réfugié, outcome « Santé ») of 0 to 4 people read
        "< 5", whatever the scope's size (reporting/masking.py): every bilan output applies it."""
        return masking.protected(self)

    def masked(self):
        """protected(), and in a scope of fewer than 10 people every other breakdown cell of 1 or 2
        people (or contracts) reads "< 3". Hours and the scope's totals are left exact."""
        return masking.masked(self)


# --- public API: one function per scope ------------------------------------------------------------------


def for_buyer(buyer, start, end):
    return _figures(
        Scope("buyer", buyer.name, start, end, buyer.pk),
        lots=Lot.objects.filter(market__buyer=buyer),
        assignments_q=Q(lot__market__buyer=buyer),
        entries_q=Q(assignment__lot__market__buyer=buyer),
        siae_q=Q(lot__market__buyer=buyer),
    )


def for_market(market, start, end):
    return _figures(
        Scope("market", f"{market.reference} — {market.title}", start, end, market.pk),
        lots=Lot.objects.filter(market=market),
        assignments_q=Q(lot__market=market),
        entries_q=Q(assignment__lot__market=market),
        siae_q=Q(lot__market=market),
    )


def for_company(company, start, end):
    award_lots = Award.objects.filter(company=company).values("lot")
    held_lots = Award.objects.filter(company=company, role=Award.Role.HOLDER).values("lot")
    credited_lots = company.credited_assignments.values("lot")
    return _figures(
        Scope("company", company.name, start, end, company.pk),
        lots=Lot.objects.filter(Q(pk__in=award_lots) | Q(pk__in=credited_lots)),
        assignments_q=Q(company=company),
        entries_q=Q(assignment__company=company),
        siae_q=Q(lot__in=held_lots) | Q(company=company),
        company=company,
    )


def for_territory(start, end):
    return _figures(
        Scope("territory", TERRITORY_NAME, start, end),
        lots=Lot.objects.all(),
        assignments_q=Q(),
        entries_q=Q(),
        siae_q=Q(),
    )


def for_scope(kind, obj, start, end):
    """for_buyer / for_company / for_market / for_territory by name (obj is None for the territory)."""
    if kind == "territory":
        return for_territory(start, end)
    return {"buyer": for_buyer, "company": for_company, "market": for_market}[kind](obj, start, end)


def scope_start(kind, obj):
    """The start of the contract(s) of a scope, for the period shortcut "depuis le début": the earliest
    of its lots' and markets' execution starts and of its validated hours (None when nothing is known).
    Two queries."""
    if kind == "territory":
        lots, entries = Lot.objects.all(), queries.counted_entries()
    elif kind == "company":
        lots = Lot.objects.filter(pk__in=Award.objects.filter(company=obj).values("lot"))
        entries = queries.counted_entries().filter(assignment__company=obj)
    else:
        lots = Lot.objects.filter(market__buyer=obj) if kind == "buyer" else Lot.objects.filter(market=obj)
        entries = queries.counted_entries().filter(assignment__lot__in=lots)
    found = lots.aggregate(lot=Min("starts_on"), market=Min("market__starts_on"))
    found["hours"] = entries.aggregate(m=Min("month"))["m"]
    dates = [d for d in found.values() if d is not None]
    return min(dates) if dates else None


# --- JSON (docs/formats/bilan-json.md) ----------------------------------------------------------------


def _hours(value):
    return float(Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP))


def to_json(figures, anonymise_small=False):
    """The figures as the dict of docs/formats/bilan-json.md (exactly its keys). Sensitive criteria
    (RQTH, AAH, Réfugié) of 0 to 4 people always read "< 5" (reporting/masking.py); with
    anonymise_small, breakdown cells of 1 or 2 people in a scope of fewer than 10 read "< 3"."""
    f = figures.masked() if anonymise_small else figures.protected()
    s = f.scope
    return {
        "scope": {"kind": s.kind, "name": s.name, "from": s.start.isoformat(), "to": s.end.isoformat()},
        "lots": [
            {
                "market": line.market_reference,
                "lot": line.lot,
                "hours_required": _hours(line.hours_required),
                "hours_done": _hours(line.hours_done),
                "hours_done_to_date": _hours(line.hours_done_to_date),
            }
            for line in f.lots
        ],
        "hours_required": _hours(f.hours_required),
        "hours_done": _hours(f.hours_done),
        "hours_done_to_date": _hours(f.hours_done_to_date),
        "completion_rate": float(f.completion_rate),
        "training_hours": _hours(f.training_hours),
        "people": f.people,
        "assignments": f.assignments,
        "by_sex": dict(f.by_sex),
        "by_age_band": dict(f.by_age_band),
        "by_level": dict(f.by_level),
        "by_criterion": dict(f.by_criterion),
        "qpv": f.qpv,
        "by_modality": {label: _hours(h) for label, h in f.by_modality.items()},
        "by_contract_type": dict(f.by_contract_type),
    }


# --- the computation ------------------------------------------------------------------------------------
# Hours per lot and month from the lot × month summary (hours.summary, the dashboard's figures); people,
# contracts and companies from ONE aggregate of the scope's entries per assignment (reporting.breakdowns).
# A company's hours are not in the summary (it has no company): that scope takes its lots' hours from the
# same per-assignment aggregate, and its months from one more GROUP BY of its entries.


def _figures(scope, lots, assignments_q, entries_q, siae_q, company=None):
    start, end = scope.start, scope.end
    rows = breakdowns.assignment_rows(entries_q, start, end)  # 1 query (the entries)
    in_scope = _lots_in_scope(lots, rows, start, end, company)
    # 1 query (the summary); a company's hours are not in the summary: from its rows
    hours_of_lot = _summary_by_lot(lots, start, end) if company is None else breakdowns.totals_by(rows, "lot")
    people_of_lot = breakdowns.totals_by(breakdowns.in_period(rows), "lot")
    lot_lines = _lot_lines(in_scope, hours_of_lot, people_of_lot, end, company)  # 1 query
    # The lots in scope by id from here on: the awards' queries do not evaluate _lots_in_scope again.
    in_scope_ids = sorted(line.pk for line in lot_lines)
    lot_of, in_scope_set = breakdowns.COLUMN["lot"], set(in_scope_ids)
    scope_rows = [row for row in rows if row[lot_of] in in_scope_set]
    if company is None:
        owed = sum((line.hours_required for line in lot_lines), ZERO)
    else:
        shares = Award.objects.filter(company=company, lot__in=in_scope_ids).annotate(
            share=queries.award_share()
        )
        owed = shares.aggregate(h=Sum("share"))["h"]  # 1 query
    totals = {
        "required": _h(owed or ZERO),
        "done": sum((line.hours_done for line in lot_lines), ZERO),
        "to_date": sum((line.hours_done_to_date for line in lot_lines), ZERO),
        "training": sum((line.training_hours for line in lot_lines), ZERO),
    }
    expected = [line.progress.expected for line in lot_lines if line.progress.expected is not None]
    overall = queries.progress_over(
        totals["required"], totals["to_date"], sum(expected, ZERO) if expected else None, on=end
    )
    if company is None:  # 1 query (the summary)
        month_hours = summary.hours_by_month(Q(lot__in=lots), start, end)
    else:  # 1 query (the company's entries of the period)
        month_hours = queries.hours_by(queries.counted_entries(start, end).filter(entries_q), "month")
    people = breakdowns.people_figures(rows, assignments_q, start, end)  # 3 queries
    siae = SiaePurchase.objects.filter(  # 1 query
        siae_q, validated=True, month__gte=first_of_month(start), month__lte=end
    ).aggregate(
        hours=Coalesce(Sum("hour_equivalent"), Value(ZERO)),
        amount=Coalesce(Sum("amount_invoiced"), Value(ZERO)),
        n=Count("pk"),
    )
    modality_hours, contracts = people["modality_hours"], people["contracts"]
    return Figures(
        scope=scope,
        lots=lot_lines,
        companies=_company_lines(in_scope_ids, scope_rows, company, end),  # 2 queries
        hours_required=totals["required"],
        hours_done=totals["done"],
        hours_done_to_date=totals["to_date"],
        completion_rate=queries.completion_rate(totals["to_date"], totals["required"]),
        training_hours=totals["training"],
        **{name: people[name] for name in PEOPLE_FIGURES},
        by_modality={m.label: _h(modality_hours.get(m.value, ZERO)) for m in Modality},
        by_contract_type={c.label: contracts.get(c.value, 0) for c in ContractType},
        hours_by_month=tuple(
            (month, _h(month_hours.get(month, ZERO))) for month in months_between(start, end)
        ),
        prescribers=_most_first(people["prescribers"], NO_PRESCRIBER),
        by_commune=_most_first(people["communes"], NO_COMMUNE),
        siae_hours=_h(siae["hours"]),
        siae_amount=_h(siae["amount"]),
        siae_purchases=siae["n"],
        progress=overall,
        **people["outcomes"],
    )


#: The Figures fields that breakdowns.people_figures gives as they are.
PEOPLE_FIGURES = (
    *("people", "assignments", "by_sex", "by_age_band", "by_level", "by_criterion", "qpv"),
    "criteria_labels",
)


def _h(value):
    """Hours as a Decimal with 2 places (SQLite sums of subqueries come back as 462.420000000000)."""
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def _lots_in_scope(lots, rows, start, end, company):
    """Lots in scope: validated hours in the period (from the summary; for a company: hours credited to
    it, from its rows), or a clause (for a company: an award) running during it. A queryset."""
    running = Q(clause__isnull=False, starts_on__isnull=False, starts_on__lte=end) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    if company is None:
        months = summary.in_months(LotMonthHours.objects.filter(lot=OuterRef("pk")), start, end)
        return lots.filter(Q(Exists(months)) | running)
    running &= Q(pk__in=Award.objects.filter(company=company).values("lot"))
    return lots.filter(Q(pk__in={row.lot for row in breakdowns.in_period(rows)}) | running)


def _summary_by_lot(lots, start, end):
    """{lot id: {hours_done, hours_done_to_date, training_hours}} of the lots, from the summary: one
    GROUP BY of its rows up to `end` (hours.summary.counted_hours: the rule of COUNTED_HOURS)."""
    in_period = Q(month__gte=first_of_month(start))
    rows = (
        summary.in_months(LotMonthHours.objects.filter(lot__in=lots), end=end, to_date=True)
        .order_by()
        .values("lot")
        .annotate(
            _done=Sum(summary.counted_hours(), filter=in_period, output_field=HOURS),
            _to_date=Sum(summary.counted_hours(), output_field=HOURS),
            _training=Sum("training_hours", filter=in_period, output_field=HOURS),
        )
    )
    return {
        r["lot"]: {
            "hours_done": r["_done"] or ZERO,
            "hours_done_to_date": r["_to_date"] or ZERO,
            "training_hours": r["_training"] or ZERO,
        }
        for r in rows
    }


#: What a lot line reads of a lot, its market, buyer and clause (Clause.hours_source: the formula's inputs).
LOT_FIELDS = (
    *("number", "number_key", "title", "starts_on", "ends_on", "amount"),
    *("market__reference", "market__title", "market__buyer__name"),
    *("clause__clause_type", "clause__stated_hours", "clause__formula_amount", "clause__labour_share"),
    *("clause__insertion_rate", "clause__hourly_cost"),
)


def _lot_lines(in_scope, hours_of_lot, people_of_lot, end, company):
    if company is None:
        required = Coalesce("clause__hours_required", Value(ZERO), output_field=HOURS)
    else:
        share = Award.objects.filter(lot=OuterRef("pk"), company=company).annotate(
            share=queries.award_share()
        )
        required = Coalesce(Subquery(share.values("share")[:1], output_field=HOURS), Value(ZERO))
    lots = (
        in_scope.annotate(hours_required=required)
        .select_related("market__buyer", "clause")
        .only(*LOT_FIELDS)
        .order_by("market__buyer__name_key", "market__reference", "number_key")
    )
    today = timezone.localdate()
    none = {"hours_done": ZERO, "hours_done_to_date": ZERO, "training_hours": ZERO, "people": 0}
    lines = []
    for lot in lots:
        clause = getattr(lot, "clause", None)
        hours = hours_of_lot.get(lot.pk, none)
        to_date = _h(hours["hours_done_to_date"])
        lines.append(
            LotLine(
                pk=lot.pk,
                buyer=lot.market.buyer.name,
                market_reference=lot.market.reference,
                market_title=lot.market.title,
                lot=lot.number,
                label=f"lot {lot.number_key}" if lot.number_key.isdigit() else lot.number,
                title=lot.title,
                clause_type=clause.clause_type if clause else "",
                hours_source=clause.hours_source if clause else None,
                starts_on=lot.starts_on,
                ends_on=lot.ends_on,
                hours_required=_h(lot.hours_required),
                hours_done=_h(hours["hours_done"]),
                hours_done_to_date=to_date,
                training_hours=_h(hours["training_hours"]),
                people=people_of_lot.get(lot.pk, none)["people"],
                progress=queries.progress(
                    lot.hours_required, to_date, lot.starts_on, lot.ends_on, end, today
                ),
            )
        )
    return tuple(lines)


def _company_lines(lot_ids, rows, company, end):
    """Companies owing a share of, or credited with hours on, the lots in scope: their hours from the
    per-assignment rows of those lots, their shares (award_share) and the expected-to-date of each
    share. 2 queries, none correlated per company."""
    awards = Award.objects.filter(lot__in=lot_ids)
    if company is not None:
        awards = awards.filter(company=company)
    hours = breakdowns.totals_by(rows, "company")
    # Owed: the sum of the company's shares; expected: the sum, over its awards, of its share pro rata
    # of the lot's months up to the end of queries.expected_through(end) (the period's end month, never
    # after the last collected one).
    owed, expected, today = {}, {}, timezone.localdate()
    shares = awards.annotate(share=queries.award_share()).values_list(  # 1 query
        "company_id", "share", "lot__starts_on", "lot__ends_on"
    )
    for company_id, share, starts_on, ends_on in shares:
        owed[company_id] = owed.get(company_id, ZERO) + share
        part = queries.expected_hours(share, starts_on, ends_on, end, today)
        if part is not None:
            expected[company_id] = expected.get(company_id, ZERO) + part
    none = {"hours_done": ZERO, "hours_done_to_date": ZERO, "training_hours": ZERO, "people": 0}
    lines = []
    kinds = dict(Company.Kind.choices)
    found = Company.objects.filter(pk__in=set(hours) | set(owed)).order_by("name_key", "pk")
    for pk, name, siret, kind in found.values_list("pk", "name", "siret", "kind"):  # 1 query
        done = hours.get(pk, none)
        required = _h(owed.get(pk) or ZERO)
        if not (required or done["hours_done_to_date"] or done["people"]):
            continue
        lines.append(
            CompanyLine(
                pk=pk,
                name=name,
                siret=siret,
                kind=kinds.get(kind, kind),
                hours_required=required,
                hours_done=_h(done["hours_done"]),
                hours_done_to_date=_h(done["hours_done_to_date"]),
                training_hours=_h(done["training_hours"]),
                people=done["people"],
                progress=queries.progress_over(
                    required, _h(done["hours_done_to_date"]), expected.get(pk), on=end, today=today
                ),
            )
        )
    return tuple(lines)


def outcomes(people_ids, start, end):
    """Outcomes of the people counted, dated in the period: people per outcome (at the end of the
    contract, at 6 months) and the positive ones apart. 1 query (every count an aggregate of it: the
    people counted are matched once)."""
    dated = Outcome.objects.filter(participant__in=people_ids, date__gte=start, date__lte=end)
    end_q, six_q = Q(timing=Outcome.Timing.END), Q(timing=Outcome.Timing.SIX_MONTHS)
    positive = Outcome.positive_q()

    def people(q):
        return Count("participant", distinct=True, filter=q)

    by_kind = {
        f"{timing.value}_{kind.value}": people(Q(timing=timing, kind=kind))
        for timing in (Outcome.Timing.END, Outcome.Timing.SIX_MONTHS)
        for kind in Outcome.Kind
    }
    found = dated.aggregate(
        **by_kind,
        _at_end=people(end_q),
        _positive_at_end=people(end_q & positive),
        _at_six=people(six_q),
        _positive_at_six=people(six_q & positive),
    )
    return {
        "outcomes_at_end": {k.label: found[f"{Outcome.Timing.END.value}_{k.value}"] for k in Outcome.Kind},
        "outcomes_at_six_months": {
            k.label: found[f"{Outcome.Timing.SIX_MONTHS.value}_{k.value}"] for k in Outcome.Kind
        },
        "people_with_outcome_at_end": found["_at_end"],
        "positive_at_end": found["_positive_at_end"],
        "people_with_outcome_at_six_months": found["_at_six"],
        "positive_at_six_months": found["_positive_at_six"],
    }


def _most_first(counts, blank_label):
    """{value: n} sorted by n descending then value; the blank value last, under blank_label."""
    named = sorted(((k, n) for k, n in counts.items() if k), key=lambda kn: (-kn[1], kn[0]))
    result = dict(named)
    if counts.get(""):
        result[blank_label] = counts[""]
    return result


def figure_names():
    """The names of the Figures fields (for documentation and tests)."""
    return [f.name for f in fields(Figures)]
