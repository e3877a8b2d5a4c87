"""Steps of the territory builder (demo.territory.Territory): assignments, participants and their
criteria, monthly hours, outcomes and SIAE purchases."""

import datetime

from simple_history.utils import bulk_create_with_history

from clauses_site.months import from_month_index, last_of_month, month_index
from companies.models import Company
from demo.common import FIRST_MONTH, D, aware, q2
from demo.vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    LENDERS,
    MODALITY_WEIGHTS,
    OUTCOMES_AT_END,
    OUTCOMES_AT_SIX_MONTHS,
    PRESCRIBERS,
    REFERENTS,
    WITH_HOURS,
)
from hours.models import SIAE_PURCHASE_KINDS, Assignment, ContractType, HoursEntry, Modality, SiaePurchase
from markets.models import Award
from participants.models import Outcome, Participant, identity_key


class PeopleSteps:
    """Assignments, people, hours, outcomes and SIAE purchases of one territory (a part of Territory)."""

    def make_assignments(self):
        """Assignments on the lots in execution or finished, sized on the hours each lot should show."""
        current = month_index(self.today)
        working = [
            p
            for p in self.plans
            if p.market.stage in WITH_HOURS
            and p.clause
            and p.awards
            and month_index(p.lot.starts_on) <= current
        ]
        # People needed: the hours to show divided by what one person does on the lot (months × hours).
        weights = [
            max(float(p.clause.hours_required) * self.elapsed(p.lot) * float(p.performance), 1.0)
            / (min(self.months_open(p.lot), 10) * 0.8 * 55)
            for p in working
        ]
        n = max(self.volumes["assignments"], len(working))  # one person at least on every working lot
        total = sum(weights)
        counts = [max(1, round(n * w / total)) for w in weights]
        # Adjust to the exact volume: add to or take from the heaviest lots.
        order = sorted(range(len(working)), key=lambda i: -weights[i])
        i = 0
        while sum(counts) != n and order:
            j = order[i % len(order)]
            if sum(counts) < n:
                counts[j] += 1
            elif counts[j] > 1:
                counts[j] -= 1
            i += 1
        self.assignments = []
        for plan, count in zip(working, counts, strict=True):
            for i in range(count):
                a = self.assignment_for(plan, first=i == 0)
                a._plan = plan
                plan.assignments.append(a)
                self.assignments.append(a)

    def months_open(self, lot):
        """Months of the lot with hours so far (from January 2024, up to the current month)."""
        first = max(month_index(lot.starts_on), month_index(FIRST_MONTH))
        return max(1, min(month_index(lot.ends_on), month_index(self.today)) - first + 1)

    def assignment_for(self, plan, first=False):
        rng = self.rng
        kinds = Company.Kind
        lot = plan.lot
        holder = plan.holder
        subs = [
            a.company
            for a in plan.awards
            if a.role == Award.Role.SUBCONTRACTOR and a.company.kind in kinds.insertion_kinds()
        ]
        cos = [
            a.company
            for a in plan.awards
            if a.role == Award.Role.CO_CONTRACTOR and a.company.kind in kinds.siae_kinds()
        ]
        modality = self.pick(MODALITY_WEIGHTS)
        if holder.kind in kinds.insertion_kinds():
            modality = Modality.DIRECT_HIRE
        if (
            modality == Modality.SIAE_SUBCONTRACT
            and not subs
            or modality == Modality.SIAE_COCONTRACT
            and not cos
        ):
            modality = Modality.DIRECT_HIRE
        company = employer = holder
        if modality == Modality.SIAE_SUBCONTRACT:
            company = employer = rng.choice(subs)
        elif modality == Modality.SIAE_COCONTRACT:
            company = employer = rng.choice(cos)
        elif modality in LENDERS:
            employer = rng.choice(self.by_kind[LENDERS[modality]])
        contract = {
            Modality.ETTI: ContractType.TEMP,
            Modality.ETT: ContractType.TEMP,
            Modality.AI: ContractType.CDDI,
            Modality.SIAE_SUBCONTRACT: ContractType.CDDI,
            Modality.SIAE_COCONTRACT: ContractType.CDDI,
            Modality.TRAINING: ContractType.OTHER,
        }.get(modality)
        if modality == Modality.GEIQ:
            contract = self.pick([(ContractType.PROFESSIONALISATION, 8), (ContractType.APPRENTICESHIP, 2)])
        if modality == Modality.DIRECT_HIRE:
            contract = (
                ContractType.CDDI
                if holder.kind in kinds.siae_kinds()
                else self.pick(
                    [
                        (ContractType.CDD, 50),
                        (ContractType.CDI, 15),
                        (ContractType.APPRENTICESHIP, 14),
                        (ContractType.PROFESSIONALISATION, 14),
                        (ContractType.OTHER, 2),
                    ]
                )
            )
        # Dates: inside the lot's execution, from January 2024, not after the current month.
        first_month = max(month_index(lot.starts_on), month_index(FIRST_MONTH))
        last = min(month_index(lot.ends_on), month_index(self.today))
        # The first person starts with the site, the others mostly in its first half (recruitment is
        # planned at its launch).
        spread = int(max(0, last - 1 - first_month) * rng.random() ** 3)
        start_month = first_month if first else first_month + spread
        if modality == Modality.TRAINING:
            months = rng.randint(1, 3)
        else:
            months = self.pick(
                [(1, 2), (2, 3), (3, 4), (4, 5), (6, 9), (8, 11), (10, 12), (12, 16), (18, 18), (24, 20)]
            )
        starts_on = from_month_index(start_month) + datetime.timedelta(days=rng.randint(0, 20))
        starts_on = max(starts_on, lot.starts_on)
        end_month = min(start_month + months - 1, month_index(lot.ends_on))
        ends_on = last_of_month(from_month_index(end_month)) - datetime.timedelta(days=rng.randint(0, 10))
        ends_on = max(min(ends_on, lot.ends_on), starts_on)
        if contract == ContractType.CDI and end_month >= month_index(self.today) and rng.random() < 0.7:
            ends_on = None  # hired for good; counted until the lot ends
        job = rng.choice(plan.trade.jobs)
        if modality == Modality.TRAINING:
            job = f"Formation {job.lower()}"
        a = Assignment(
            lot=lot,
            company=company,
            employer=employer,
            modality=modality,
            contract_type=contract,
            job=job,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        return a

    def make_participants(self):
        """People, then who worked which assignment: a person works one contract after another."""
        rng = self.rng
        n = self.volumes["participants"]
        people = [self.new_person() for _ in range(n)]
        # Who worked which assignment, in the order of their starts.
        ordered = sorted(self.assignments, key=lambda a: (a.starts_on, a.lot.pk))
        fresh = list(people[: int(n * 0.9)])  # a tenth entered the path and has not worked yet
        rng.shuffle(fresh)
        free_from = []  # [date free, index] of people who have worked
        used = []
        seen = set()
        for a in ordered:
            end = a.ends_on or a.lot.ends_on
            candidates = [i for i, (free, _) in enumerate(free_from) if free <= a.starts_on]
            if fresh and (not candidates or rng.random() < 0.55):
                person = fresh.pop()
                used.append(person)
                free_from.append([end, person])
            elif candidates:
                slot = free_from[rng.choice(candidates)]
                person, slot[0] = slot[1], end
            else:
                slot = min(free_from, key=lambda s: s[0])
                person, slot[0] = slot[1], max(slot[0], end)
            key = (id(person), a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            while key in seen:  # the same contract twice: start a day later
                a.starts_on += datetime.timedelta(days=1)
                if a.ends_on and a.ends_on < a.starts_on:
                    a.ends_on = a.starts_on
                key = (id(person), a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            seen.add(key)
            a.participant = person
            if not hasattr(person, "_first_start") or a.starts_on < person._first_start:
                person._first_start = a.starts_on
        for p in people:
            first = getattr(p, "_first_start", None)
            p.entered_on = (first or self.today) - datetime.timedelta(days=rng.randint(20, 400))
            p._history_user = rng.choice(self.facilitators[:2])
            p._history_date = aware(p.entered_on)
            p.compute_keys()
        bulk_create_with_history(people, Participant)
        self.people = people
        self.make_criteria(people)
        for a in self.assignments:
            a._history_user = a._plan.market.facilitator
            a._history_date = aware(min(a.starts_on, self.today))
        bulk_create_with_history(self.assignments, Assignment)

    def new_person(self):
        """One person of the territory, not saved (p._age: their age today, for the criteria)."""
        rng = self.rng
        sex = self.pick([("H", 72), ("F", 28)])
        while True:
            first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
            age = self.pick([(rng.randint(18, 25), 24), (rng.randint(26, 49), 56), (rng.randint(50, 62), 20)])
            birth = datetime.date(self.today.year - age - 1, 1, 1) + datetime.timedelta(
                days=rng.randint(0, 364)
            )
            key = identity_key(last, first, birth)
            if key not in self.registry.identities:
                self.registry.identities.add(key)
                break
        commune = self.commune()
        qpv = self.pick([(True, 45), (False, 40), (None, 15)])
        level = self.pick(
            [
                (Participant.Level.INFRA_3, 45),
                (Participant.Level.LEVEL_3, 35),
                (Participant.Level.LEVEL_4, 15),
                (Participant.Level.LEVEL_5_PLUS, 5),
            ]
        )
        prescriber = self.pick(PRESCRIBERS)
        if age < 26 and rng.random() < 0.6:
            prescriber = "Mission locale"
        p = Participant(
            last_name=last,
            first_name=first,
            birth_date=birth,
            sex=sex,
            commune=commune,
            qpv=qpv,
            level=level,
            prescriber=prescriber,
            referent=rng.choice(REFERENTS),
        )
        p._age = age
        return p

    def make_criteria(self, people):
        through = Participant.criteria.through
        code = {c.code: c for c in self.criteria}
        rows = [
            through(participant_id=p.pk, criterion_id=code[c].pk)
            for p in people
            for c in self.criteria_codes(p)
        ]
        through.objects.bulk_create(rows)

    def criteria_codes(self, p):
        """The codes of the eligibility criteria of person p (from their age, QPV and prescriber)."""
        rng = self.rng
        codes = []
        if p._age < 26:
            codes.append("Jeune -26")
        if p._age >= 50:
            codes.append("Senior 50+")
        if p.qpv:
            codes.append("QPV")
        if p.prescriber == "PLIE" or rng.random() < 0.3:
            codes.append("PLIE")
        codes.append(self.pick([("DELD", 40), ("DETLD", 25), ("RSA", 25), ("ASS", 5), ("AAH", 5)]))
        if p.prescriber == "Département (RSA)" and "RSA" not in codes:
            codes.append("RSA")
        if p.prescriber == "Cap emploi" or rng.random() < 0.05:
            codes.append("RQTH")
        if p.prescriber == "SIAE":
            codes.append("PASS IAE")
        if rng.random() < 0.02:
            codes.append("Réfugié")
        return list(dict.fromkeys(codes))

    def make_hours(self):
        """Monthly entries: each lot's hours spread over its assignments' months, with gaps, the lot's
        declaration lag, and the last two months partly in draft."""
        rng = self.rng
        current = month_index(self.today)
        entries = []
        for plan in self.plans:
            if not plan.assignments:
                continue
            # Validated hours to date = hours owed × share of the execution elapsed × the lot's performance.
            target = float(plan.clause.hours_required) * self.elapsed(plan.lot) * float(plan.performance)
            kept = []
            for a in plan.assignments:
                first = month_index(a.starts_on)
                last = min(month_index(a.ends_on or plan.lot.ends_on), current - plan.lag)
                for m in range(first, last + 1):
                    if rng.random() < 0.03 and last - first > 2:
                        continue  # absence, sick leave: no hours that month
                    if m == current and rng.random() < 0.6:
                        continue  # this month's hours are not all in yet
                    draft = (
                        m == current
                        or (m == current - 1 and rng.random() < 0.5)
                        or (m == current - 2 and rng.random() < 0.08)
                    )
                    kept.append((a, m, draft))
            validated = sum(1 for a, _, draft in kept if not draft and a.modality != Modality.TRAINING)
            mean = min(max(target / max(validated, 1), 14.0), 151.67)
            entries += [self.entry(a, plan, m, mean, draft) for a, m, draft in kept]
        bulk_create_with_history(entries, HoursEntry, batch_size=2000)
        self.entries = entries

    def entry(self, a, plan, m, mean, draft):
        rng = self.rng
        month = from_month_index(m)
        training = D(0)
        if a.modality == Modality.TRAINING:
            hours, training = D(0), q2(rng.choice([35, 70, 105, 140]))
        else:
            if mean > 140 and rng.random() < 0.5:
                hours = D("151.67")
            else:
                hours = q2(round(min(max(mean * rng.uniform(0.7, 1.2), 7), 169) * 2) / 2)
            if m == month_index(a.starts_on) and rng.random() < 0.2:
                training = q2(rng.choice([7, 14, 21]))
        source = self.pick(
            [
                (HoursEntry.Source.IMPORT, 50),
                (HoursEntry.Source.MANUAL, 35),
                (HoursEntry.Source.DECLARATION, 15),
            ]
        )
        entered = min(last_of_month(month) + datetime.timedelta(days=rng.randint(3, 20)), self.today)
        entry = HoursEntry(
            assignment=a,
            month=month,
            hours=hours,
            training_hours=training,
            source=source,
            source_file=f"suivi-{plan.market.reference.split('-')[0].lower()}-{month:%Y-%m}.xlsx"
            if source == HoursEntry.Source.IMPORT
            else "",
            entered_by=plan.market.facilitator,
            status=HoursEntry.Status.DRAFT if draft else HoursEntry.Status.VALIDATED,
        )
        if not draft:
            entry.validated_by = self.validator
            validated = min(entered + datetime.timedelta(days=rng.randint(1, 25)), self.today)
            entry.validated_at = aware(validated, rng.randint(8, 18), rng.randint(0, 59))
        entry._history_user = plan.market.facilitator
        entry._history_date = aware(entered, 9)
        return entry

    def make_outcomes(self):
        rng = self.rng
        last = {}
        for a in self.assignments:
            p = a.participant
            end = a.ends_on
            if end is None:
                last[id(p)] = (p, None)
            elif id(p) not in last or (last[id(p)][1] is not None and end > last[id(p)][1]):
                last[id(p)] = (p, end)
        outcomes = []
        for p, end in last.values():
            if end is None or end >= self.today or rng.random() > 0.85:
                continue
            outcomes.append(
                Outcome(participant=p, timing=Outcome.Timing.END, date=end, kind=self.pick(OUTCOMES_AT_END))
            )
            later = end + datetime.timedelta(days=183)
            if later <= self.today and rng.random() < 0.8:
                outcomes.append(
                    Outcome(
                        participant=p,
                        timing=Outcome.Timing.SIX_MONTHS,
                        date=later,
                        kind=self.pick(OUTCOMES_AT_SIX_MONTHS),
                    )
                )
        Outcome.objects.bulk_create(outcomes)
        self.outcomes = outcomes

    def make_siae_purchases(self):
        rng = self.rng
        current = month_index(self.today)
        purchases = []
        for plan in self.plans:
            clause = plan.clause
            if not clause or not clause.siae_labour_share or plan.market.stage not in WITH_HOURS:
                continue
            structures = [a.company for a in plan.awards if a.company.kind in SIAE_PURCHASE_KINDS]
            if not structures:
                continue
            company = structures[0]
            first = max(month_index(plan.lot.starts_on), month_index(FIRST_MONTH))
            last = min(month_index(plan.lot.ends_on), current - 1)
            for m in range(first, last + 1):
                if rng.random() < 0.7:
                    continue
                amount = q2(round(rng.uniform(1500, 18000), -1))
                validated = m < current - 1 or rng.random() < 0.5
                purchases.append(
                    SiaePurchase(
                        lot=plan.lot,
                        company=company,
                        month=from_month_index(m),
                        amount_invoiced=amount,
                        validated=validated,
                        validated_by=self.validator if validated else None,
                        validated_at=aware(
                            min(last_of_month(from_month_index(m)) + datetime.timedelta(days=15), self.today)
                        )
                        if validated
                        else None,
                    )
                )
        SiaePurchase.objects.bulk_create(purchases)
        self.purchases = purchases
