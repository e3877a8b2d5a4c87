"""Steps of the territory builder (demo.territory.Territory): markets and their stage changes, lots,
clauses and awards."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from clauses_site.months import add_months, first_of_month, last_of_month, month_index
from companies.models import Company
from demo.common import FIRST_MONTH, D, aware, q2
from demo.vocabulary import (
    BUILDING_LOTS,
    BUILDING_TITLES,
    GENERIC_LARGE_TITLES,
    LARGE_SITES,
    LARGE_TITLES,
    PIPELINE,
    PUBLIC_WORKS_LOTS,
    PUBLIC_WORKS_TITLES,
    RESIDENCES,
    SCHOOLS,
    SERVICES,
    STAGE_WEIGHTS,
    STREETS,
    WITH_AWARDS,
    WITH_HOURS,
    WITH_LOTS,
    K,
    Trade,
)
from markets.models import Award, Clause, ClauseType, Lot, Market, Stage, StageChange


@dataclass
class LotPlan:
    lot: Lot
    market: Market
    trade: Trade
    clause: Clause | None = None
    holder: Company | None = None
    awards: list = field(default_factory=list)
    performance: Decimal = D(1)
    lag: int = 0
    assignments: list = field(default_factory=list)


class MarketSteps:
    """Markets, lots, clauses and awards of one territory (a part of Territory)."""

    def make_markets(self):
        rng = self.rng
        n = self.volumes["markets"]
        stages = []
        total_weight = sum(w for _, w in STAGE_WEIGHTS)
        for stage, weight in STAGE_WEIGHTS:
            stages += [stage] * round(n * weight / total_weight)
        stages = stages[:n] + [Stage.EXECUTION] * max(0, n - len(stages))
        rng.shuffle(stages)
        buyer_weights = [((spec, buyer), spec.weight) for spec, buyer in self.buyers]
        sequence = {}
        markets, changes, self.market_info = [], [], []
        for stage in stages:
            spec, buyer = self.pick(buyer_weights)
            kind = self.pick([("building", 45), ("public_works", 20), ("services", 35)])
            if spec.kind == K.SOCIAL_LANDLORD:
                kind = self.pick([("building", 80), ("services", 20)])
            chance = (
                LARGE_SITES.get(spec.code, 0.0)
                if self.index == 0
                else 0.08 * (spec.kind == K.INTERCOMMUNALITY)
            )
            if rng.random() < chance:
                kind = "large"
            dates = self.market_dates(stage)
            year = (
                dates.get("starts_on") or dates.get("expected_publication") or dates["stage_reached_on"]
            ).year
            sequence[(buyer.pk, year)] = sequence.get((buyer.pk, year), 0) + 1
            operation = None
            operations = self.operations.get(buyer.pk, [])
            if operations and rng.random() < 0.55:
                operation = rng.choice(operations)
            title, trades, service, kind = self.market_title(kind, spec, operation)
            facilitator = self.pick(list(zip(self.facilitators, (45, 40, 15), strict=True)))
            planned = ClauseType.EXECUTION
            if service is not None and rng.random() < 0.3:
                planned = self.pick(
                    [
                        (ClauseType.RESERVED_INSERTION, 5),
                        (ClauseType.RESERVED_DISABILITY, 2),
                        (ClauseType.INSERTION_MARKET, 3),
                        (ClauseType.AWARD_CRITERION, 2),
                    ]
                )
            elif rng.random() < 0.08:
                planned = ClauseType.AWARD_CRITERION
            amount = self.market_amount(kind, len(trades))
            if "{n}" in title:  # a number of dwellings in proportion to the amount
                per_dwelling = 150_000 if title.startswith("Construction") else 60_000
                title = title.replace("{n}", str(min(max(round(float(amount) / per_dwelling), 6), 240)))
            market = Market(
                buyer=buyer,
                operation=operation,
                reference=f"{spec.code}-{year}-{sequence[(buyer.pk, year)]:03d}",
                title=title,
                sector=self.sector(trades[0].sector),
                procedure=Market.Procedure.OPEN
                if amount > 2_000_000
                else self.pick(
                    [
                        (Market.Procedure.ADAPTED, 6),
                        (Market.Procedure.OPEN, 3),
                        (Market.Procedure.NEGOTIATED, 1),
                    ]
                ),
                estimated_amount=q2(amount),
                estimated_hours=q2(amount * D("0.5") * D("0.05") / 30).quantize(D(1))
                if stage not in WITH_LOTS
                else None,
                planned_clause_type="" if stage == Stage.SPOTTED and rng.random() < 0.5 else planned,
                stage=stage,
                facilitator=facilitator,
                notes=self.market_note(stage),
                **dates,
            )
            market.compute_keys()
            markets.append(market)
            self.market_info.append((market, kind, trades, service, amount))
        Market.objects.bulk_create(markets)
        for market, *_ in self.market_info:
            changes += self.stage_path(market)
        StageChange.objects.bulk_create(changes)

    def sector(self, name):
        return next(s for s in self.sectors if s.name == name)

    def market_title(self, kind, spec, operation):
        rng = self.rng
        commune = spec.commune if spec.kind == K.COMMUNE or rng.random() < 0.5 else self.commune()
        place = operation.name.removeprefix("NPNRU ") if operation else rng.choice(self.neighbourhoods)[0]
        values = {
            "n": "{n}",
            "place": place,
            "commune": commune,
            "school": rng.choice(SCHOOLS),
            "residence": rng.choice(RESIDENCES),
            "street": rng.choice(STREETS),
            "letter": rng.choice("ABCDE"),
            "city": self.name,
        }
        if kind == "large":
            title = rng.choice(LARGE_TITLES.get(spec.code) if self.index == 0 else GENERIC_LARGE_TITLES)
            works = any(w in title for w in ("voiries", "plateformes", "terrassements", "quai", "réseaux"))
            lots = PUBLIC_WORKS_LOTS if works else BUILDING_LOTS
            count = rng.randint(3, len(lots)) if works else rng.randint(4, 8)
            return title.format(**values), rng.sample(lots, count), None, kind
        if kind == "building":
            count = rng.choice([1, 2, 2, 3, 3, 4, 5, 6])
            return rng.choice(BUILDING_TITLES).format(**values), rng.sample(BUILDING_LOTS, count), None, kind
        if kind == "public_works":
            count = rng.choice([1, 1, 2, 2, 3])
            title = rng.choice(PUBLIC_WORKS_TITLES).format(**values)
            return title, rng.sample(PUBLIC_WORKS_LOTS, count), None, kind
        service, titles = rng.choice(SERVICES)
        count = rng.choice([1, 1, 1, 1, 2, 3])
        return rng.choice(titles).format(**values), [service] * count, service, kind

    def market_amount(self, kind, lots):
        base = {"building": 900_000, "public_works": 700_000, "services": 250_000, "large": 6_000_000}[kind]
        return D(round(base * lots * self.rng.lognormvariate(0, 0.7), -3))

    def market_note(self, stage):
        notes = {
            Stage.SPOTTED: "Repéré dans le programme pluriannuel d'investissement.",
            Stage.STUDY: "Rendez-vous à prévoir avec le service acheteur.",
            Stage.PROPOSED: "Clause proposée par courrier ; relancer le service.",
            Stage.DROPPED: "Pas de clause : montant trop faible ou prestation trop technique.",
        }
        return notes.get(stage, "") if self.rng.random() < 0.6 else ""

    def market_dates(self, stage):
        """Dates consistent with the stage, relative to today."""
        rng, today = self.rng, self.today

        def days(a, b):
            return datetime.timedelta(days=rng.randint(a, b))

        if stage in WITH_HOURS:
            if stage == Stage.FINISHED:
                ends = add_months(
                    FIRST_MONTH, rng.randint(8, month_index(today) - month_index(FIRST_MONTH) - 1)
                )
                ends = last_of_month(ends)
                starts = first_of_month(
                    add_months(ends, -rng.randint(8, min(32, month_index(ends) - month_index(FIRST_MONTH))))
                )
            else:
                span = month_index(today) - month_index(FIRST_MONTH) - 2
                starts = add_months(FIRST_MONTH, int(span * rng.random() ** 1.3))
                ends = last_of_month(add_months(today, rng.randint(2, 30)))
            starts = starts + days(0, 20)
            awarded = starts - days(20, 75)
            published = awarded - days(45, 110)
            reached = ends + days(1, 20) if stage == Stage.FINISHED else starts
            return {
                "starts_on": starts,
                "ends_on": ends,
                "awarded_on": awarded,
                "published_on": published,
                "expected_publication": published - days(0, 30),
                "stage_reached_on": min(reached, today),
            }

        def upcoming(starts, longest, reached, **dates):
            """A market that starts on `starts` and lasts 8 to `longest` months, reached on `reached`."""
            ends = last_of_month(add_months(starts, rng.randint(8, longest)))
            return {**dates, "starts_on": starts, "ends_on": ends, "stage_reached_on": reached}

        if stage == Stage.AWARDED:
            awarded = today - days(10, 120)
            starts = today + days(10, 150)
            published = awarded - days(45, 100)
            expected = awarded - days(60, 120)
            return upcoming(
                starts, 36, awarded, awarded_on=awarded, published_on=published, expected_publication=expected
            )
        if stage == Stage.PUBLISHED:
            published = today - days(5, 60)
            starts = today + days(90, 240)
            expected = published - days(0, 45)
            return upcoming(starts, 30, published, published_on=published, expected_publication=expected)
        if stage == Stage.DROPPED:
            return {"stage_reached_on": today - days(30, 900), "expected_publication": None}
        # Before publication: the calendar of expected publications.
        reached_ago = {
            Stage.SPOTTED: (10, 400),
            Stage.STUDY: (5, 200),
            Stage.PROPOSED: (5, 150),
            Stage.IN_TENDER_DOCS: (5, 90),
        }[stage]
        expected = today + days(15, 420)
        starts = expected + days(100, 200)
        return {
            "expected_publication": expected,
            "stage_reached_on": today - days(*reached_ago),
            "starts_on": starts if stage == Stage.IN_TENDER_DOCS else None,
            "ends_on": last_of_month(add_months(starts, rng.randint(8, 30)))
            if stage == Stage.IN_TENDER_DOCS
            else None,
        }

    def stage_path(self, market):
        """StageChange records from « à l'étude » to the market's stage, dated backwards from the date it
        was reached (a market is created « repéré »: that is not a change)."""
        rng = self.rng
        if market.stage == Stage.SPOTTED:
            return []
        if market.stage == Stage.DROPPED:
            path = [Stage.STUDY] + ([Stage.PROPOSED] if rng.random() < 0.6 else []) + [Stage.DROPPED]
        else:
            path = PIPELINE[1 : PIPELINE.index(market.stage) + 1]
        known = {
            Stage.PUBLISHED: market.published_on,
            Stage.AWARDED: market.awarded_on,
            Stage.EXECUTION: market.starts_on,
        }
        changes, date = [], market.stage_reached_on
        for stage in reversed(path):
            if stage != market.stage and known.get(stage):
                date = min(known[stage], date)
            changes.append(StageChange(market=market, stage=stage, date=date, by=market.facilitator))
            date = date - datetime.timedelta(days=rng.randint(12, 60))
        return list(reversed(changes))

    def make_lots_clauses_awards(self):
        rng = self.rng
        plans = []
        for market, _kind, trades, service, amount in self.market_info:
            if market.stage not in WITH_LOTS:
                continue
            shares = [rng.uniform(0.5, 1.5) for _ in trades]
            total = sum(shares)
            for i, t in enumerate(trades):
                if len(trades) == 1:
                    number = "Unique" if rng.random() < 0.7 else "1"
                    title = t.title if service is None else market.title
                else:
                    number = self.pick([(str(i + 1), 6), (f"Lot {i + 1}", 2), (f"lot n°{i + 1}", 1)])
                    title = (
                        t.title
                        if service is None
                        else f"{t.title} — secteur {('Est', 'Ouest', 'Centre')[i % 3]}"
                    )
                starts, ends = market.starts_on, market.ends_on
                if starts and ends and len(trades) > 2 and i > 0 and rng.random() < 0.4:
                    # Second-work trades start later on a building site.
                    shift = min(rng.randint(1, 6), max(0, month_index(ends) - month_index(starts) - 2))
                    starts = first_of_month(add_months(starts, shift)) + datetime.timedelta(
                        days=rng.randint(0, 20)
                    )
                lot = Lot(
                    market=market,
                    number=number,
                    title=title,
                    amount=q2(D(round(float(amount) * shares[i] / total, -2))),
                    starts_on=starts,
                    ends_on=ends,
                )
                lot.compute_keys()
                plans.append(LotPlan(lot=lot, market=market, trade=t))
        Lot.objects.bulk_create([p.lot for p in plans])
        self.plans = plans
        self.calibrate(plans)
        clauses, awards = [], []
        for plan in plans:
            if rng.random() < 0.86 or plan.market.stage in WITH_HOURS and rng.random() < 0.6:
                plan.clause = self.clause_for(plan)
                clauses.append(plan.clause)
            if plan.market.stage in WITH_AWARDS:
                plan.awards = self.awards_for(plan)
                awards += plan.awards
        bulk_create_with_history(clauses, Clause)
        bulk_create_with_history(awards, Award)

    def calibrate(self, plans):
        """Scale the lots' amounts so that the hours to produce match the volume of assignments: the
        demo's hours owed and hours done stay in proportion whatever the draw of amounts."""
        rng = self.rng
        for plan in plans:
            plan.performance = D(
                str(
                    round(
                        self.pick(
                            [
                                (rng.uniform(0.30, 0.70), 20),  # late
                                (rng.uniform(0.85, 1.08), 62),
                                (rng.uniform(1.12, 1.45), 18),  # ahead
                            ]
                        ),
                        3,
                    )
                )
            )
            plan.lag = self.pick([(0, 50), (1, 30), (2, 14), (3, 6)])
        working = [p for p in plans if p.market.stage in WITH_HOURS]
        expected = sum(
            float(p.lot.amount)
            * float(p.trade.labour_share)
            * 0.05
            / 30
            * self.elapsed(p.lot)
            * float(p.performance)
            for p in working
        )
        target = self.volumes["assignments"] * 7.5 * 55  # months × hours a month per assignment
        scale = target / expected if expected else 1
        for plan in plans:
            plan.lot.amount = q2(D(round(float(plan.lot.amount) * scale, -2)) or D(1000))
        Lot.objects.bulk_update([p.lot for p in plans], ["amount"])
        for market, *_ in self.market_info:
            if market.stage in WITH_LOTS:
                market.estimated_amount = None
        amounts = {}
        for plan in plans:
            amounts[plan.market.pk] = amounts.get(plan.market.pk, D(0)) + plan.lot.amount
        for market, *_ in self.market_info:
            if market.pk in amounts:
                market.estimated_amount = q2(amounts[market.pk] * D(str(round(rng.uniform(0.9, 1.1), 2))))
        Market.objects.bulk_update([m for m, *_ in self.market_info], ["estimated_amount"])

    def elapsed(self, lot):
        if not lot.starts_on or not lot.ends_on:
            return 0.0
        first, last = month_index(lot.starts_on), month_index(lot.ends_on)
        now = month_index(self.today)
        return min(max((now - first + 1) / (last - first + 1), 0.0), 1.0)

    def clause_for(self, plan):
        rng = self.rng
        market = plan.market
        npnru = market.operation is not None and market.operation.name.startswith("NPNRU")
        rate = (
            self.pick([(D("0.05"), 60), (D("0.07"), 15), (D("0.10"), 25)])
            if not npnru
            else self.pick([(D("0.05"), 80), (D("0.10"), 20)])
        )
        cost = self.pick([(D(25), 1), (D(28), 2), (D(30), 5), (D(32), 2), (D(35), 1)])
        how = self.pick([("formula", 55), ("stated", 25), ("both", 20)])
        clause = Clause(
            lot=plan.lot,
            clause_type=market.planned_clause_type or ClauseType.EXECUTION,
            eligible_publics=["QPV"] if npnru and rng.random() < 0.6 else [],
            penalty_per_hour=D(self.pick([(30, 2), (40, 1), (50, 2), (60, 1)]))
            if rng.random() < 0.6
            else None,
            training_counts=rng.random() < 0.3,
            globalisation_allowed=rng.random() < 0.15,
        )
        if how in ("formula", "both"):
            clause.labour_share, clause.insertion_rate, clause.hourly_cost = (
                plan.trade.labour_share,
                rate,
                cost,
            )
            if rng.random() < 0.12:
                clause.formula_amount = q2(plan.lot.amount * D("0.8"))
        formula = plan.lot.amount * plan.trade.labour_share * rate / cost
        if how == "stated":
            clause.stated_hours = D(round(float(formula) * rng.uniform(0.85, 1.2), -1) or 35)
        elif how == "both":
            clause.stated_hours = D(round(float(formula) * rng.uniform(1.0, 1.3), -1) or 35)
        if market.planned_clause_type in (ClauseType.RESERVED_INSERTION, ClauseType.INSERTION_MARKET) or (
            rng.random() < 0.18
        ):
            clause.siae_labour_share, clause.siae_hourly_cost = (
                self.pick([(D("0.5"), 2), (D("0.6"), 2), (D("0.4"), 1)]),
                D(30),
            )
        clause.hours_required = clause.compute_hours_required()
        clause._history_user = market.facilitator
        clause._history_date = aware(self.clause_date(market))
        return clause

    def clause_date(self, market):
        change = market.awarded_on or market.published_on or market.stage_reached_on
        return min(change, self.today)

    def awards_for(self, plan):
        rng = self.rng
        kinds = Company.Kind
        market = plan.market
        reserved = {
            ClauseType.RESERVED_INSERTION: [kinds.EI, kinds.ACI],
            ClauseType.INSERTION_MARKET: [kinds.ACI, kinds.EI],
            ClauseType.RESERVED_DISABILITY: [kinds.EA, kinds.ESAT],
        }.get(market.planned_clause_type)
        if reserved:
            holder = rng.choice([c for k in reserved for c in self.by_kind.get(k, [])])
        else:
            pool = self.by_sector.get(plan.trade.sector) or self.by_kind[kinds.ORDINARY]
            holder = rng.choice(pool)
        plan.holder = holder
        required = plan.clause.hours_required if plan.clause else None
        awards = [Award(lot=plan.lot, company=holder, role=Award.Role.HOLDER)]
        used = {holder.pk}
        siae = [c for k in kinds.siae_kinds() for c in self.by_kind.get(k, [])]
        if not reserved and rng.random() < 0.2:
            partner = rng.choice(siae if rng.random() < 0.3 else self.by_kind[kinds.ORDINARY])
            if partner.pk not in used:
                used.add(partner.pk)
                awards.append(Award(lot=plan.lot, company=partner, role=Award.Role.CO_CONTRACTOR))
        if not reserved and rng.random() < (0.6 if plan.clause and plan.clause.siae_labour_share else 0.2):
            sub = rng.choice(siae + self.by_kind.get(kinds.EA, []))
            if sub.pk not in used:
                used.add(sub.pk)
                awards.append(Award(lot=plan.lot, company=sub, role=Award.Role.SUBCONTRACTOR))
        if required is not None:
            rest = required
            for award in awards[1:]:
                award.hours_committed = q2(required * D(str(round(rng.uniform(0.1, 0.35), 2))))
                rest -= award.hours_committed
            awards[0].hours_committed = q2(max(rest, D(0)))
            if rng.random() < 0.05:
                awards[0].hours_committed = None  # not split yet
        when = aware(market.awarded_on or self.today)
        for award in awards:
            award._history_user = market.facilitator
            award._history_date = when
        return awards
