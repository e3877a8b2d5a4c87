"""How each kind of object a row names is matched to what exists or planned for creation, row by row
(the methods of hours.suivi.planner.Planner that resolve a row): the rules of the format where it
speaks, the module's policy where it is silent (hours/suivi/__init__.py)."""

from functools import lru_cache

from clauses_site.text import company_key, match_key, normalize
from companies.models import Company
from hours.models import Assignment, HoursEntry, Modality
from hours.suivi.report import SAMPLES, award_role_text, entry_label, hours_text, lot_long_label
from markets.models import Award, Buyer, Clause, Lot, Market, Operation, Stage
from participants.models import Participant, identity_key

# The keys of the many rows that repeat the same buyer, company or person are computed once.
cached_match_key = lru_cache(maxsize=1 << 16)(match_key)
cached_company_key = lru_cache(maxsize=1 << 16)(company_key)
cached_identity_key = lru_cache(maxsize=1 << 16)(identity_key)
cached_normalize = lru_cache(maxsize=1 << 16)(normalize)
cached_lot_key = lru_cache(maxsize=1 << 16)(Lot.key_for)


def award_key(company):
    return ("pk", company.pk) if company.pk is not None else ("new", id(company))


class Matching:
    """Finds or plans the buyer, market, lot, clause, companies, award, participant, assignment and
    entry of one row (a mixin of Planner: the dicts it loaded, its report and its helpers)."""

    def buyer_for(self, row):
        key = cached_match_key(row.buyer)
        buyer = self.buyers.get(key)
        if buyer is None:
            buyer = Buyer(name=row.buyer, name_key=key, search_text=cached_normalize(row.buyer))
            self.buyers[key] = buyer
            self.mark_new("buyers", buyer, row)
            unknown = f"Donneur d'ordre inconnu « {row.buyer} »"
            self.warn_will(f"{unknown} : il sera créé.", f"{unknown} : il a été créé.", token=("buyer", key))
        return buyer

    def operation_for(self, row, buyer, create):
        if not row.operation:
            return None
        key = (id(buyer), cached_match_key(row.operation))
        operation = self.operations.get(key)
        if operation is None and create:
            operation = Operation(buyer=buyer, name=row.operation)
            self.operations[key] = operation
            self.mark_new("operations", operation, row)
        return operation

    def market_for(self, row, buyer):
        key = (id(buyer), cached_normalize(row.market_ref))
        market = self.markets.get(key)
        if market is None:
            if not row.market_title:
                if not self.partial:
                    self.error(row, "market_title", "", "intitulé obligatoire pour un nouveau marché")
                return None
            market = Market(
                buyer=buyer,
                reference=row.market_ref,
                title=row.market_title,
                operation=self.operation_for(row, buyer, create=True),
                stage=Stage.EXECUTION,
                search_text=cached_normalize(f"{row.market_ref} {row.market_title}"),
            )
            self.markets[key] = market
            self.mark_new("markets", market, row)
            return market
        if not row.operation:
            return market
        if market.operation is None:
            market.operation = self.operation_for(row, buyer, create=True)
            if not self.is_new(market):
                self.mark_changed("markets", market, "operation")
        elif cached_match_key(market.operation.name) != cached_match_key(row.operation):
            self.warn_once(
                ("market-op", id(market)),
                f"Marché {market.reference} : l'opération « {row.operation} » (ligne {row.number}) diffère "
                f"de celle enregistrée (« {market.operation.name} ») ; conservée.",
            )
        return market

    def lot_for(self, row, market):
        number_key = cached_lot_key(row.lot)
        key = (id(market), number_key)
        lot = self.lots.get(key)
        if lot is None:
            number = number_key if number_key.isdigit() else row.lot
            lot = Lot(market=market, number=number, number_key=number_key, title=row.lot_title)
            self.lots[key] = lot
            self.mark_new("lots", lot, row)
        elif row.lot_title and not lot.title:
            lot.title = row.lot_title
            if not self.is_new(lot):
                self.mark_changed("lots", lot, "title")
        return lot

    def clause_for(self, row, lot):
        clause = self.clauses.get(id(lot))
        if clause is None:
            if row.planned_hours is None:
                if self.is_new(lot):
                    self.pending_planned.setdefault(id(lot), row)
                return None
            clause = Clause(lot=lot, stated_hours=row.planned_hours, hours_required=row.planned_hours)
            self.clauses[id(lot)] = clause
            self.mark_new("clauses", clause, row)
            self.pending_planned.pop(id(lot), None)
            return clause
        if row.planned_hours is not None and row.planned_hours != clause.hours_required:
            if self.is_new(clause):
                first = self.first_row[id(clause)]
                reason = (
                    f"heures prévues différentes de celles de la ligne {first} pour le même lot "
                    f"({hours_text(clause.hours_required)} h)"
                )
            else:
                reason = (
                    f"heures prévues différentes de celles du lot existant "
                    f"({hours_text(clause.hours_required)} h) : corrigez la ligne ou la clause du lot"
                )
            self.error(row, "planned_hours", row.planned_hours, reason)
        return clause

    def company_for(self, row):
        key = cached_company_key(row.company)
        company = None
        if row.siret:
            company = self.companies_by_siret.get(row.siret)
            if company is None:
                by_name = self.companies_by_name.get(key)
                if by_name is not None and not by_name.siret:
                    company = by_name
                    company.siret = row.siret
                    self.companies_by_siret[row.siret] = company
                    if not self.is_new(company):
                        self.mark_changed("companies", company, "siret")
            elif company.name_key != key:
                self.warn_once(
                    ("company-name", id(company)),
                    f"Le SIRET {row.siret} (ligne {row.number}) est celui de « {company.name} » : "
                    f"la ligne nomme « {row.company} » ; l'entreprise enregistrée est retenue.",
                )
        else:
            company = self.companies_by_name.get(key)
        if company is None:
            company = Company(
                name=row.company,
                siret=row.siret,
                kind=Company.Kind.ORDINARY,
                name_key=key,
                search_text=cached_normalize(row.company),
            )
            if row.siret:
                self.companies_by_siret[row.siret] = company
            self.companies_by_name.setdefault(key, company)
            self.mark_new("companies", company, row)
            siret = f" (SIRET {row.siret})" if row.siret else ""
            unknown = f"Entreprise inconnue « {row.company} »{siret}"
            self.warn_will(
                f"{unknown} : elle sera créée (ligne {row.number}).",
                f"{unknown} : elle a été créée (ligne {row.number}).",
            )
        return company

    def award_for(self, row, lot, company):
        """The award of the company credited with the row's hours on its lot. None recorded: the import
        creates it: the holder when the lot has none, without a stated commitment (it owes what the lot
        owes: hours.queries.award_share); a subcontractor when another company holds the lot (the format:
        the credited company is the lot's holder or its subcontractor), owing nothing of its own."""
        key = (id(lot), award_key(company))
        award = self.awards.get(key)
        if award is not None:
            return award
        holder = self.holders.get(id(lot))
        role = Award.Role.HOLDER if holder is None else Award.Role.SUBCONTRACTOR
        award = Award(lot=lot, company=company, role=role)
        self.awards[key] = award
        if holder is None:
            self.holders[id(lot)] = award
        self.mark_new("awards", award, row)
        if holder is not None or not self.is_new(lot):  # a new lot's holder: counted, not a warning
            what = f"{lot_long_label(lot)} : « {company.name} » n'en {{}} pas attributaire ; une attribution"
            how = award_role_text(award, holder)
            self.warn_will(
                f"{what.format('est')} {how} sera créée (ligne {row.number}).",
                f"{what.format('était')} {how} a été créée (ligne {row.number}).",
            )
        return award

    EMPLOYER_KINDS = {
        Modality.ETTI: Company.Kind.ETTI,
        Modality.AI: Company.Kind.AI,
        Modality.GEIQ: Company.Kind.GEIQ,
        Modality.ETT: Company.Kind.ETT,
        Modality.SIAE_SUBCONTRACT: Company.Kind.OTHER,
        Modality.SIAE_COCONTRACT: Company.Kind.OTHER,
    }

    def employer_for(self, row, company):
        if not row.employer:
            return company
        key = cached_company_key(row.employer)
        if key == company.name_key:
            return company
        employer = self.companies_by_name.get(key)
        if employer is None:
            kind = self.EMPLOYER_KINDS.get(row.modality, Company.Kind.ORDINARY)
            employer = Company(
                name=row.employer, kind=kind, name_key=key, search_text=cached_normalize(row.employer)
            )
            self.companies_by_name[key] = employer
            self.mark_new("companies", employer, row)
            unknown, where = f"Employeur inconnu « {row.employer} »", f"(type : {Company.Kind(kind).label}, "
            self.warn_will(
                f"{unknown} : il sera créé {where}ligne {row.number}).",
                f"{unknown} : il a été créé {where}ligne {row.number}).",
            )
        return employer

    PERSON_FIELDS = (
        ("commune", "commune"),
        ("qpv", "QPV"),
        ("level", "niveau"),
        ("prescriber", "prescripteur"),
    )

    def participant_for(self, row):
        key = cached_identity_key(row.last_name, row.first_name, row.birth_date)
        person = self.participants.get(key)
        if person is None:
            person = Participant(
                last_name=row.last_name,
                first_name=row.first_name,
                birth_date=row.birth_date,
                sex=row.sex,
                commune=row.commune,
                qpv=row.qpv,
                level=row.level,
                prescriber=row.prescriber,
            )
            person.compute_keys()
            self.participants[key] = person
            self.mark_new("participants", person, row)
        else:
            name = f"{row.last_name.upper()} {row.first_name} (ligne {row.number})"
            if row.sex != person.sex:
                self.warn_once(
                    ("sex", id(person)),
                    f"{name} : sexe « {row.sex} » différent de celui enregistré (« {person.sex} ») ; "
                    "conservé.",
                )
            for attr, label in self.PERSON_FIELDS:
                given = getattr(row, attr)
                if given in ("", None):
                    continue
                current = getattr(person, attr)
                if current in ("", None):
                    setattr(person, attr, given)
                    if not self.is_new(person):
                        self.mark_changed("participants", person, attr)
                elif current != given:
                    shown = {True: "oui", False: "non"}.get(given, given)
                    was = {True: "oui", False: "non"}.get(current, current)
                    self.warn_once(
                        (attr, id(person)),
                        f"{name} : {label} « {shown} » différent de celui enregistré (« {was} ») ; conservé.",
                    )
        codes = self.participant_criteria[id(person)]
        for code in row.publics:
            if code not in codes:
                codes.add(code)
                self.new_criteria.append((person, code))
                if not self.is_new(person):
                    self.mark_changed("participants", person, "criteria")
        return person

    def assignment_for(self, row, participant, lot, company, employer):
        key = (id(participant), id(lot), id(employer), row.contract_type, row.start)
        a = self.assignments.get(key)
        if a is None:
            a = Assignment(
                participant=participant,
                lot=lot,
                company=company,
                employer=employer,
                modality=row.modality,
                contract_type=row.contract_type,
                job=row.job,
                starts_on=row.start,
                ends_on=row.end,
            )
            self.assignments[key] = a
            self.mark_new("assignments", a, row)
            self.assignment_rows[id(a)] = row
            return a
        first = self.assignment_rows.get(id(a))
        if first is None:  # existing assignment, first named by this row: the file is the source
            self.assignment_rows[id(a)] = row
            changes = []
            if a.modality != row.modality:
                a.modality = row.modality
                changes.append("modality")
            if a.company is not company:
                a.company = company
                changes.append("company")
            if row.job and a.job != row.job:
                a.job = row.job
                changes.append("job")
            if row.end is not None and a.ends_on != row.end:
                a.ends_on = row.end
                changes.append("ends_on")
                later = sorted(m for m in self.entry_months[id(a)] if m > row.end)
                if later:
                    self.error(
                        row,
                        "end",
                        row.end,
                        f"des heures sont déjà enregistrées en {later[0]:%m/%Y}, après cette fin de contrat",
                    )
            if changes:
                self.mark_changed("assignments", a, *changes)
            return a
        # a later row of the same assignment: it must agree with the first one
        if row.modality != first.modality:
            self.error(
                row,
                "modality",
                Modality(row.modality).label,
                f"modalité différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        if company is not a.company:
            self.error(
                row,
                "company",
                row.company,
                f"entreprise différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        if row.end is not None and first.end is not None and row.end != first.end:
            self.error(
                row,
                "end",
                row.end,
                f"fin de contrat différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        elif row.end is not None and first.end is None and a.ends_on != row.end:
            self.error(
                row,
                "end",
                row.end,
                f"fin de contrat absente de la ligne {first.number} pour la même mise à l'emploi",
            )
        return a

    def entry_for(self, row, a):
        start = a.starts_on
        end = a.ends_on
        if row.month < start.replace(day=1) or (end is not None and row.month > end):
            until = f" au {end:%d/%m/%Y}" if end else ""
            self.error(
                row, "month", f"{row.month:%m/%Y}", f"mois hors du contrat (du {start:%d/%m/%Y}{until})"
            )
            return
        key = (id(a), row.month)
        seen = self.entry_rows.get(key)
        if seen is not None:
            self.error(
                row,
                "month",
                f"{row.month:%m/%Y}",
                f"ligne en double : même mise à l'emploi et même mois que la ligne {seen}",
            )
            return
        self.entry_rows[key] = row.number
        entry = self.entries.get(key)
        if entry is None:  # a new entry: its values (apply() writes them without a model instance)
            self.new["entries"].append((a, row.month, row.hours, row.training_hours))
            if len(self.new["entries"]) <= SAMPLES:
                text = f"{entry_label(a, row)} : {hours_text(row.hours)} h{self.draft_mark}"
                self.report.sample("entries", "created", text)
            return
        _, _, pk, hours, training_hours, status = entry
        validated = status == HoursEntry.Status.VALIDATED
        same_hours = hours == row.hours and training_hours == row.training_hours
        if same_hours and (validated or not self.may_validate):
            self.unchanged_entries += 1  # (counted in the report by finish())
            return
        entry = KnownEntry(pk, a, row.month, hours, training_hours, status)
        if validated and not self.may_validate:
            self.refuse_later(row, entry)
            return
        was = f"{hours_text(entry.hours)} h" + ("" if validated else " (brouillon)")
        if len(self.changed["entries"]) < SAMPLES:
            text = f"{entry_label(a, row)} : {was} → {hours_text(row.hours)} h{self.draft_mark}"
            self.report.sample("entries", "updated", text)
        entry.hours = row.hours
        entry.training_hours = row.training_hours
        self.changed["entries"][id(entry)] = (entry, {"hours"})
        self.entry_row[entry.pk] = row


class KnownEntry:
    """An entry the database holds that the file changes, or may not change: what the plan read of it (not
    a model instance); apply() fetches the instances of those it changes, finish() the validators of
    those it refuses to change. The others stay rows of values (Planner.entries)."""

    __slots__ = ("pk", "assignment", "month", "hours", "training_hours", "status")

    def __init__(self, pk, assignment, month, hours, training_hours, status):
        self.pk, self.assignment, self.month = pk, assignment, month
        self.hours, self.training_hours, self.status = hours, training_hours, status
