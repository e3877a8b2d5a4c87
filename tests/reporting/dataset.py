"""A small data set built by hand, every figure of a bilan computable on paper.

Period of the bilans tested: 01/01/2025 → 30/06/2025 (START, END).

Buyers, markets, lots and clauses
- CUD "Communauté Urbaine de Dunkerque"
  - CUD-2025-001 lot 1 "Gros œuvre": formula 1 000 000 × 50 % × 5 % ÷ 30 = 833,33 h, 2025 (training
    does not count). Awards: Bâti Nord holder (no commitment → 833,33 − 100 = 733,33), Flandre
    Sous-Traitance subcontractor committed 100 h.
  - CUD-2025-001 lot 2 "Peinture": stated 200 h (the formula would give 300 h), 06/2024 → 03/2025,
    training counts. Award: Couleurs Littoral holder, committed 200 h.
  - CUD-2025-001 lot 3 "Menuiseries": stated 500 h, no dates, no hours → never in scope.
  - CUD-2024-009 lot "Unique": formula 600 000 × 70 % × 10 % ÷ 35 = 1 200 h, 2023 → 2024 (ended before
    the period; hours in 11/2024 only → not in scope). Award: Bâti Nord holder.
  - CUD-2024-009 lot 2: no clause, no dates; 10 h in 02/2025 → in scope, owes nothing.
- "Ville de Grande-Synthe"
  - VGS-2025-003 lot 1 "Espaces verts": stated 350 h, 03/2025 → 02/2026, SIAE conversion 60 % ÷ 30 €/h.
    Award: Bâti Nord holder (no commitment → 350 h). SIAE purchases from EI Jardins Solidaires:
    5 000 € in 04/2025 validated (→ 100 h), 3 000 € in 05/2025 not validated, 6 000 € in 08/2025.
  - VGS-2025-003 lot 2 "Clôtures": stated 150 h, 2025, no hours. Award: Couleurs Littoral holder.

People (sex, birth, level, criteria, QPV, prescriber)
- P1 F 10/05/2000 level 3, DELD RSA, QPV, PLIE
- P2 H 15/03/1975 infra 3, RQTH Senior 50+, not QPV, France Travail
- P3 F 01/01/1990 level unknown, DELD, not QPV, France Travail
- P4 H 01/10/1998 5+, PLIE, QPV unknown, Mission locale
- P5 F 01/07/1970 level 4, ASS, QPV, no prescriber
- P6 H 01/01/1985 — only draft hours: never counted
- P7 F 01/01/2003 infra 3, Jeune -26, QPV, Mission locale

Assignments and validated hours (counted hours in brackets when they differ)
- A1 P1 lot CUD-1, Bâti Nord, direct hire CDD from 06/01/2025: 01/2025 151,67 (+7 training, not
  counted), 02/2025 120,50, 03/2025 99 draft, 07/2025 100.
- A2 P2 lot CUD-1, credited Flandre Sous-Traitance, employed by an ETTI (modality ETTI, Intérim) from
  14/03/2025 (P2 is 49): 03/2025 35,25, 04/2025 80.
- A3 P7 lot CUD-1, Bâti Nord, modality Formation (contract Autre) from 03/02/2025: 02/2025 14 h
  (+21 training) → counted 0 (the clause does not count training).
- A4 P3 lot CUD-2, Couleurs Littoral, CDI from 01/09/2024: 12/2024 40, 01/2025 60 (+5 training,
  counted: 65), 02/2025 70 draft.
- A5 P4 lot CUD-2024-009 Unique, Bâti Nord, CDD 01/06/2023 → 31/12/2024: 11/2024 50.
- A6 P6 lot CUD-1, Bâti Nord, CDI from 01/01/2025: 02/2025 50 draft.
- A7 P4 lot CUD-2024-009 lot 2, Bâti Nord, Apprentissage from 01/11/2024 (P4 is 26): 02/2025 10.
- A8 P4 lot VGS-1, Bâti Nord, CDD from 01/04/2025: 04/2025 100, 05/2025 100.
- A9 P5 lot VGS-1, Bâti Nord, employed by a GEIQ (Contrat de professionnalisation) from 01/04/2025
  (P5 is 54): 04/2025 60, 06/2025 40,50, 07/2025 30.

Outcomes: P1 end 30/06/2025 CDI; P2 end 30/04/2025 CDD < 6 months, 6 months 31/10/2025 temp 6+ (after
the period); P3 end 31/12/2024 job search (before), 6 months 15/05/2025 qualifying training; P5 end
30/06/2025 job search; P6 end 31/03/2025 CDI (P6 is not counted).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from companies.models import Company
from hours.models import ContractType, Modality
from markets.models import Award
from participants.models import Outcome, Participant
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory, SiaePurchaseFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory

D = Decimal
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)


def month(year, m):
    return datetime.date(year, m, 1)


def build():
    cud = BuyerFactory(name="Communauté Urbaine de Dunkerque")
    vgs = BuyerFactory(name="Ville de Grande-Synthe")
    m1 = MarketFactory(buyer=cud, reference="CUD-2025-001", title="Groupe scolaire Lamartine")
    m2 = MarketFactory(
        buyer=cud,
        reference="CUD-2024-009",
        title="Voirie Banc-Vert",
        starts_on=datetime.date(2023, 1, 1),
        ends_on=datetime.date(2024, 12, 31),
    )
    m3 = MarketFactory(
        buyer=vgs,
        reference="VGS-2025-003",
        title="Parc du Puythouck",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2026, 2, 28),
    )

    lot1 = ClauseFactory(lot__market=m1, lot__number="1", lot__title="Gros œuvre").lot
    lot2 = ClauseFactory(
        lot__market=m1,
        lot__number="2",
        lot__title="Peinture",
        lot__amount=D(300000),
        lot__starts_on=datetime.date(2024, 6, 1),
        lot__ends_on=datetime.date(2025, 3, 31),
        labour_share=D("0.6"),
        stated_hours=D(200),
        training_counts=True,
    ).lot
    lot7 = ClauseFactory(
        lot__market=m1,
        lot__number="3",
        lot__title="Menuiseries",
        lot__starts_on=None,
        lot__ends_on=None,
        stated_hours=D(500),
    ).lot
    lot3 = ClauseFactory(
        lot__market=m2,
        lot__number="Unique",
        lot__title="Voirie",
        formula_amount=D(600000),
        labour_share=D("0.7"),
        insertion_rate=D("0.1"),
        hourly_cost=D(35),
    ).lot
    lot4 = LotFactory(market=m2, number="2", title="Signalisation", starts_on=None, ends_on=None)
    lot5 = ClauseFactory(
        lot__market=m3,
        lot__number="1",
        lot__title="Espaces verts",
        stated_hours=D(350),
        siae_labour_share=D("0.6"),
        siae_hourly_cost=D(30),
    ).lot
    lot6 = ClauseFactory(
        lot__market=m3,
        lot__number="2",
        lot__title="Clôtures",
        lot__starts_on=datetime.date(2025, 1, 1),
        lot__ends_on=datetime.date(2025, 12, 31),
        stated_hours=D(150),
    ).lot

    bati = CompanyFactory(name="Bâti Nord SAS")
    flandre = CompanyFactory(name="Flandre Sous-Traitance")
    couleurs = CompanyFactory(name="Couleurs Littoral")
    etti = CompanyFactory(name="ETTI Intérim Dunkerque", kind=Company.Kind.ETTI)
    geiq = CompanyFactory(name="GEIQ BTP Littoral", kind=Company.Kind.GEIQ)
    ei = CompanyFactory(name="EI Jardins Solidaires", kind=Company.Kind.EI)

    AwardFactory(lot=lot1, company=bati)
    AwardFactory(lot=lot1, company=flandre, role=Award.Role.SUBCONTRACTOR, hours_committed=D(100))
    AwardFactory(lot=lot2, company=couleurs, hours_committed=D(200))
    AwardFactory(lot=lot3, company=bati)
    AwardFactory(lot=lot5, company=bati)
    AwardFactory(lot=lot6, company=couleurs)

    def person(name, first, sex, born, level, criteria, qpv, prescriber):
        return ParticipantFactory(
            last_name=name,
            first_name=first,
            sex=sex,
            birth_date=born,
            level=level,
            criteria=criteria,
            qpv=qpv,
            prescriber=prescriber,
        )

    F, H, L = Participant.Sex.FEMALE, Participant.Sex.MALE, Participant.Level
    p1 = person("Dupont", "Élodie", F, datetime.date(2000, 5, 10), L.LEVEL_3, ["DELD", "RSA"], True, "PLIE")
    p2 = person(
        "Benali",
        "Karim",
        H,
        datetime.date(1975, 3, 15),
        L.INFRA_3,
        ["RQTH", "Senior 50+"],
        False,
        "France Travail",
    )
    p3 = person("Lefebvre", "Sandrine", F, datetime.date(1990, 1, 1), "", ["DELD"], False, "France Travail")
    p4 = person(
        "Haddad", "Mehdi", H, datetime.date(1998, 10, 1), L.LEVEL_5_PLUS, ["PLIE"], None, "Mission locale"
    )
    p5 = person("Vandamme", "Aurélie", F, datetime.date(1970, 7, 1), L.LEVEL_4, ["ASS"], True, "")
    p6 = person("Martin", "Kevin", H, datetime.date(1985, 1, 1), L.LEVEL_3, ["DELD"], False, "PLIE")
    p7 = person(
        "Deschamps", "Zoé", F, datetime.date(2003, 1, 1), L.INFRA_3, ["Jeune -26"], True, "Mission locale"
    )

    def assign(participant, lot, company, starts_on, **kwargs):
        kwargs.setdefault("ends_on", None)
        return AssignmentFactory(
            participant=participant, lot=lot, company=company, starts_on=starts_on, **kwargs
        )

    a1 = assign(p1, lot1, bati, datetime.date(2025, 1, 6), contract_type=ContractType.CDD)
    a2 = assign(
        p2,
        lot1,
        flandre,
        datetime.date(2025, 3, 14),
        employer=etti,
        modality=Modality.ETTI,
        contract_type=ContractType.TEMP,
    )
    a3 = assign(
        p7,
        lot1,
        bati,
        datetime.date(2025, 2, 3),
        modality=Modality.TRAINING,
        contract_type=ContractType.OTHER,
    )
    a4 = assign(p3, lot2, couleurs, datetime.date(2024, 9, 1), contract_type=ContractType.CDI)
    a5 = assign(
        p4, lot3, bati, datetime.date(2023, 6, 1), ends_on=datetime.date(2024, 12, 31), contract_type="CDD"
    )
    a6 = assign(p6, lot1, bati, datetime.date(2025, 1, 1), contract_type=ContractType.CDI)
    a7 = assign(p4, lot4, bati, datetime.date(2024, 11, 1), contract_type=ContractType.APPRENTICESHIP)
    a8 = assign(p4, lot5, bati, datetime.date(2025, 4, 1), contract_type=ContractType.CDD)
    a9 = assign(
        p5,
        lot5,
        bati,
        datetime.date(2025, 4, 1),
        employer=geiq,
        modality=Modality.GEIQ,
        contract_type=ContractType.PROFESSIONALISATION,
    )

    def hours(assignment, when, worked, training=0, draft=False):
        HoursEntryFactory(
            assignment=assignment, month=when, hours=D(worked), training_hours=D(training), draft=draft
        )

    hours(a1, month(2025, 1), "151.67", training=7)
    hours(a1, month(2025, 2), "120.50")
    hours(a1, month(2025, 3), 99, draft=True)
    hours(a1, month(2025, 7), 100)
    hours(a2, month(2025, 3), "35.25")
    hours(a2, month(2025, 4), 80)
    hours(a3, month(2025, 2), 14, training=21)
    hours(a4, month(2024, 12), 40)
    hours(a4, month(2025, 1), 60, training=5)
    hours(a4, month(2025, 2), 70, draft=True)
    hours(a5, month(2024, 11), 50)
    hours(a6, month(2025, 2), 50, draft=True)
    hours(a7, month(2025, 2), 10)
    hours(a8, month(2025, 4), 100)
    hours(a8, month(2025, 5), 100)
    hours(a9, month(2025, 4), 60)
    hours(a9, month(2025, 6), "40.50")
    hours(a9, month(2025, 7), 30)

    SiaePurchaseFactory(lot=lot5, company=ei, month=month(2025, 4), amount_invoiced=D(5000))
    SiaePurchaseFactory(lot=lot5, company=ei, month=month(2025, 5), amount_invoiced=D(3000), validated=False)
    SiaePurchaseFactory(lot=lot5, company=ei, month=month(2025, 8), amount_invoiced=D(6000))

    T, K = Outcome.Timing, Outcome.Kind
    OutcomeFactory(participant=p1, timing=T.END, date=datetime.date(2025, 6, 30), kind=K.CDI)
    OutcomeFactory(participant=p2, timing=T.END, date=datetime.date(2025, 4, 30), kind=K.CDD_SHORT)
    OutcomeFactory(participant=p2, timing=T.SIX_MONTHS, date=datetime.date(2025, 10, 31), kind=K.TEMP_6_PLUS)
    OutcomeFactory(participant=p3, timing=T.END, date=datetime.date(2024, 12, 31), kind=K.JOB_SEARCH)
    OutcomeFactory(participant=p3, timing=T.SIX_MONTHS, date=datetime.date(2025, 5, 15), kind=K.TRAINING)
    OutcomeFactory(participant=p5, timing=T.END, date=datetime.date(2025, 6, 30), kind=K.JOB_SEARCH)
    OutcomeFactory(participant=p6, timing=T.END, date=datetime.date(2025, 3, 31), kind=K.CDI)

    return SimpleNamespace(
        cud=cud,
        vgs=vgs,
        m1=m1,
        m2=m2,
        m3=m3,
        lots=SimpleNamespace(cud1=lot1, cud2=lot2, cud3=lot7, unique=lot3, signal=lot4, vgs1=lot5, vgs2=lot6),
        bati=bati,
        flandre=flandre,
        couleurs=couleurs,
        etti=etti,
        geiq=geiq,
        ei=ei,
        people=[p1, p2, p3, p4, p5, p6, p7],
    )
