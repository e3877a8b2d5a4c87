"""Every figure of docs/formats/bilan-json.md, and the other figures of a bilan, against numbers
computed by hand from tests/reporting/dataset.py (period 01/01/2025 → 30/06/2025)."""

import datetime
from decimal import Decimal

import pytest

from reporting import indicators
from tests.reporting.dataset import END, START, build

D = Decimal
# The JSON masks the sensitive criteria (RQTH, AAH, Réfugié) of 0 to 4 people as "< 5" whatever the
# scope's size (reporting/masking.py); every other criterion is exact.
NO_CRITERIA = {
    "DELD": 0,
    "DETLD": 0,
    "RSA": 0,
    "ASS": 0,
    "AAH": "< 5",
    "RQTH": "< 5",
    "Jeune -26": 0,
    "Senior 50+": 0,
    "PASS IAE": 0,
    "PLIE": 0,
    "QPV": 0,
    "ZRR": 0,
    "Réfugié": "< 5",
    "Autre": 0,
}
NO_MODALITY = {
    "Embauche directe": 0.0,
    "Mise à disposition ETTI": 0.0,
    "Mise à disposition AI": 0.0,
    "Mise à disposition GEIQ": 0.0,
    "Mise à disposition ETT": 0.0,
    "Sous-traitance SIAE": 0.0,
    "Co-traitance SIAE": 0.0,
    "Formation": 0.0,
}
NO_CONTRACT = {
    "CDI": 0,
    "CDD": 0,
    "CDDI": 0,
    "Intérim": 0,
    "Apprentissage": 0,
    "Contrat de professionnalisation": 0,
    "Autre": 0,
}

CUD_JSON = {
    "scope": {
        "kind": "buyer",
        "name": "Communauté Urbaine de Dunkerque",
        "from": "2025-01-01",
        "to": "2025-06-30",
    },
    "lots": [
        {
            "market": "CUD-2024-009",
            "lot": "2",
            "hours_required": 0.0,
            "hours_done": 10.0,
            "hours_done_to_date": 10.0,
        },
        {
            "market": "CUD-2025-001",
            "lot": "1",
            "hours_required": 833.33,
            "hours_done": 387.42,
            "hours_done_to_date": 387.42,
        },
        {
            "market": "CUD-2025-001",
            "lot": "2",
            "hours_required": 200.0,
            "hours_done": 65.0,
            "hours_done_to_date": 105.0,
        },
    ],
    "hours_required": 1033.33,
    "hours_done": 462.42,
    "hours_done_to_date": 502.42,
    "completion_rate": 0.4862,
    "training_hours": 33.0,
    "people": 5,
    "assignments": 5,
    "by_sex": {"F": 3, "H": 2},
    "by_age_band": {"<26": 2, "26-49": 3, "50+": 0},
    "by_level": {"infra 3": 2, "3": 1, "4": 0, "5+": 1, "inconnu": 1},
    "by_criterion": {
        **NO_CRITERIA,
        "DELD": 2,
        "RSA": 1,
        "RQTH": "< 5",  # 1 person, sensitive
        "Senior 50+": 1,
        "Jeune -26": 1,
        "PLIE": 1,
    },
    "qpv": 2,
    "by_modality": {**NO_MODALITY, "Embauche directe": 347.17, "Mise à disposition ETTI": 115.25},
    "by_contract_type": {**NO_CONTRACT, "CDI": 1, "CDD": 1, "Intérim": 1, "Apprentissage": 1, "Autre": 1},
}

BATI_JSON = {
    "scope": {"kind": "company", "name": "Bâti Nord SAS", "from": "2025-01-01", "to": "2025-06-30"},
    "lots": [
        {
            "market": "CUD-2024-009",
            "lot": "2",
            "hours_required": 0.0,
            "hours_done": 10.0,
            "hours_done_to_date": 10.0,
        },
        {
            "market": "CUD-2025-001",
            "lot": "1",
            "hours_required": 733.33,
            "hours_done": 272.17,
            "hours_done_to_date": 272.17,
        },
        {
            "market": "VGS-2025-003",
            "lot": "1",
            "hours_required": 350.0,
            "hours_done": 300.5,
            "hours_done_to_date": 300.5,
        },
    ],
    "hours_required": 1083.33,
    "hours_done": 582.67,
    "hours_done_to_date": 582.67,
    "completion_rate": 0.5379,
    "training_hours": 28.0,
    "people": 4,
    "assignments": 5,
    "by_sex": {"F": 3, "H": 1},
    "by_age_band": {"<26": 2, "26-49": 1, "50+": 1},
    "by_level": {"infra 3": 1, "3": 1, "4": 1, "5+": 1, "inconnu": 0},
    "by_criterion": {**NO_CRITERIA, "DELD": 1, "RSA": 1, "ASS": 1, "Jeune -26": 1, "PLIE": 1},
    "qpv": 3,
    "by_modality": {**NO_MODALITY, "Embauche directe": 482.17, "Mise à disposition GEIQ": 100.5},
    "by_contract_type": {
        **NO_CONTRACT,
        "CDD": 2,
        "Apprentissage": 1,
        "Contrat de professionnalisation": 1,
        "Autre": 1,
    },
}

VGS_MARKET_JSON = {
    "scope": {
        "kind": "market",
        "name": "VGS-2025-003 — Parc du Puythouck",
        "from": "2025-01-01",
        "to": "2025-06-30",
    },
    "lots": [
        {
            "market": "VGS-2025-003",
            "lot": "1",
            "hours_required": 350.0,
            "hours_done": 300.5,
            "hours_done_to_date": 300.5,
        },
        {
            "market": "VGS-2025-003",
            "lot": "2",
            "hours_required": 150.0,
            "hours_done": 0.0,
            "hours_done_to_date": 0.0,
        },
    ],
    "hours_required": 500.0,
    "hours_done": 300.5,
    "hours_done_to_date": 300.5,
    "completion_rate": 0.601,
    "training_hours": 0.0,
    "people": 2,
    "assignments": 2,
    "by_sex": {"F": 1, "H": 1},
    "by_age_band": {"<26": 0, "26-49": 1, "50+": 1},
    "by_level": {"infra 3": 0, "3": 0, "4": 1, "5+": 1, "inconnu": 0},
    "by_criterion": {**NO_CRITERIA, "ASS": 1, "PLIE": 1},
    "qpv": 1,
    "by_modality": {**NO_MODALITY, "Embauche directe": 200.0, "Mise à disposition GEIQ": 100.5},
    "by_contract_type": {**NO_CONTRACT, "CDD": 1, "Contrat de professionnalisation": 1},
}

TERRITORY_JSON = {
    "scope": {
        "kind": "territory",
        "name": "Ensemble du territoire",
        "from": "2025-01-01",
        "to": "2025-06-30",
    },
    "lots": [CUD_JSON["lots"][0], *CUD_JSON["lots"][1:], *VGS_MARKET_JSON["lots"]],
    "hours_required": 1533.33,
    "hours_done": 762.92,
    "hours_done_to_date": 802.92,
    "completion_rate": 0.5236,
    "training_hours": 33.0,
    "people": 6,
    "assignments": 7,
    "by_sex": {"F": 4, "H": 2},
    "by_age_band": {"<26": 2, "26-49": 3, "50+": 1},
    "by_level": {"infra 3": 2, "3": 1, "4": 1, "5+": 1, "inconnu": 1},
    "by_criterion": {
        **NO_CRITERIA,
        "DELD": 2,
        "RSA": 1,
        "RQTH": "< 5",  # 1 person, sensitive
        "Senior 50+": 1,
        "Jeune -26": 1,
        "PLIE": 1,
        "ASS": 1,
    },
    "qpv": 3,
    "by_modality": {
        **NO_MODALITY,
        "Embauche directe": 547.17,
        "Mise à disposition ETTI": 115.25,
        "Mise à disposition GEIQ": 100.5,
    },
    "by_contract_type": {
        **NO_CONTRACT,
        "CDI": 1,
        "CDD": 2,
        "Intérim": 1,
        "Apprentissage": 1,
        "Contrat de professionnalisation": 1,
        "Autre": 1,
    },
}


def test_buyer_json(bilan_data):
    assert indicators.to_json(indicators.for_buyer(bilan_data.cud, START, END)) == CUD_JSON


def test_company_json(bilan_data):
    assert indicators.to_json(indicators.for_company(bilan_data.bati, START, END)) == BATI_JSON


def test_market_json(bilan_data):
    assert indicators.to_json(indicators.for_market(bilan_data.m3, START, END)) == VGS_MARKET_JSON


def test_territory_json(bilan_data):
    assert indicators.to_json(indicators.for_territory(START, END)) == TERRITORY_JSON


def test_json_keys_are_exactly_the_documented_ones(bilan_data):
    documented = [
        "scope",
        "lots",
        "hours_required",
        "hours_done",
        "hours_done_to_date",
        "completion_rate",
        "training_hours",
        "people",
        "assignments",
        "by_sex",
        "by_age_band",
        "by_level",
        "by_criterion",
        "qpv",
        "by_modality",
        "by_contract_type",
    ]
    assert list(indicators.to_json(indicators.for_territory(START, END))) == documented


def test_buyer_other_figures(bilan_data):
    f = indicators.for_buyer(bilan_data.cud, START, END)
    assert f.hours_by_month == (
        (datetime.date(2025, 1, 1), D("216.67")),
        (datetime.date(2025, 2, 1), D("130.50")),
        (datetime.date(2025, 3, 1), D("35.25")),
        (datetime.date(2025, 4, 1), D("80.00")),
        (datetime.date(2025, 5, 1), D(0)),
        (datetime.date(2025, 6, 1), D(0)),
    )
    assert f.prescribers == {"France Travail": 2, "Mission locale": 2, "PLIE": 1}
    assert f.by_commune == {"Grande-Synthe": 5}
    assert {k: n for k, n in f.outcomes_at_end.items() if n} == {"CDI": 1, "CDD de moins de 6 mois": 1}
    assert {k: n for k, n in f.outcomes_at_six_months.items() if n} == {"Formation qualifiante": 1}
    assert (f.people_with_outcome_at_end, f.positive_at_end) == (2, 1)
    assert (f.people_with_outcome_at_six_months, f.positive_at_six_months) == (1, 1)
    assert (f.siae_hours, f.siae_amount, f.siae_purchases) == (D(0), D(0), 0)
    # Lots: people per lot and progress against the expected pro rata on 30/06/2025.
    lots = {(line.market_reference, line.lot): line for line in f.lots}
    lot1 = lots["CUD-2025-001", "1"]
    assert (lot1.people, lot1.training_hours, lot1.hours_source) == (3, D(28), "formula")
    assert lot1.progress.expected == D("416.67")  # 6 of 12 months of 833,33 h
    assert lots["CUD-2025-001", "2"].progress.expected == D(200)  # ended in 03/2025
    assert lots["CUD-2025-001", "2"].hours_source == "stated"
    assert lots["CUD-2024-009", "2"].progress.expected is None  # no dates
    assert f.progress.expected == D("616.67")
    assert f.progress.rate == D("0.4862") and f.completion_rate == D("0.4862")
    # Companies: the credited company (not the employer ETTI), shares of the lots in scope.
    companies = {c.name: c for c in f.companies}
    assert list(companies) == ["Bâti Nord SAS", "Couleurs Littoral", "Flandre Sous-Traitance"]
    bati, couleurs, flandre = companies.values()
    assert (bati.hours_required, bati.hours_done, bati.hours_done_to_date, bati.people) == (
        D("733.33"),
        D("282.17"),
        D("282.17"),
        3,
    )
    assert bati.training_hours == D(28) and bati.progress.expected == D("366.67")
    assert (flandre.hours_required, flandre.hours_done, flandre.people) == (D(100), D("115.25"), 1)
    assert flandre.progress.expected == D(50)
    assert (couleurs.hours_required, couleurs.hours_done, couleurs.hours_done_to_date) == (
        D(200),
        D(65),
        D(105),
    )
    assert sum(c.hours_done for c in f.companies) == f.hours_done
    assert sum(line.hours_done for line in f.lots) == f.hours_done
    assert f.hours_per_person == D("92.48")  # 462,42 ÷ 5


def test_company_other_figures(bilan_data):
    f = indicators.for_company(bilan_data.bati, START, END)
    assert [m[1] for m in f.hours_by_month] == [D("151.67"), D("130.50"), D(0), D(160), D(100), D("40.50")]
    assert f.prescribers == {"Mission locale": 2, "PLIE": 1, "Non renseigné": 1}
    assert {k: n for k, n in f.outcomes_at_end.items() if n} == {"CDI": 1, "Recherche d'emploi": 1}
    assert (f.people_with_outcome_at_end, f.positive_at_end, f.people_with_outcome_at_six_months) == (2, 1, 0)
    # The SIAE purchase of the lot it holds: 5 000 € × 60 % ÷ 30 €/h; not the draft nor August's.
    assert (f.siae_hours, f.siae_amount, f.siae_purchases) == (D(100), D(5000), 1)
    assert [(c.name, c.hours_required, c.hours_done) for c in f.companies] == [
        ("Bâti Nord SAS", D("1083.33"), D("582.67"))
    ]


def test_subcontractor_company(bilan_data):
    f = indicators.for_company(bilan_data.flandre, START, END)
    assert (f.hours_required, f.hours_done, f.people, f.assignments) == (D(100), D("115.25"), 1, 1)
    assert f.by_age_band == {"<26": 0, "26-49": 1, "50+": 0}  # 49 on 14/03/2025, the eve of 50
    assert (f.siae_hours, f.siae_purchases) == (D(0), 0)


def test_the_siae_itself_sees_its_purchases(bilan_data):
    f = indicators.for_company(bilan_data.ei, START, END)
    assert (f.siae_hours, f.people, f.hours_done, f.lots) == (D(100), 0, D(0), ())


def test_market_and_territory_other_figures(bilan_data):
    m = indicators.for_market(bilan_data.m3, START, END)
    assert (m.siae_hours, m.siae_amount) == (D(100), D(5000))
    assert [m[1] for m in m.hours_by_month] == [D(0), D(0), D(0), D(160), D(100), D("40.50")]
    t = indicators.for_territory(START, END)
    assert [m[1] for m in t.hours_by_month] == [
        D("216.67"),
        D("130.50"),
        D("35.25"),
        D(240),
        D(100),
        D("40.50"),
    ]
    assert t.prescribers == {"France Travail": 2, "Mission locale": 2, "PLIE": 1, "Non renseigné": 1}
    assert (t.people_with_outcome_at_end, t.positive_at_end) == (3, 1)
    assert (t.people_with_outcome_at_six_months, t.positive_at_six_months) == (1, 1)
    assert (t.siae_hours, t.siae_purchases) == (D(100), 1)
    assert [c.name for c in t.companies] == ["Bâti Nord SAS", "Couleurs Littoral", "Flandre Sous-Traitance"]
    # Couleurs Littoral owes its 200 h on CUD lot 2 and its 150 h on VGS lot 2 (holder, no commitment).
    assert t.companies[1].hours_required == D(350)


def test_a_lot_that_ended_before_the_period_counts_when_it_has_hours_in_it(bilan_data):
    f = indicators.for_buyer(bilan_data.cud, datetime.date(2024, 11, 1), datetime.date(2024, 11, 30))
    lots = {(line.market_reference, line.lot) for line in f.lots}
    # 11/2024: lot Unique (running and with hours), lot 2 of CUD-2025-001 (running since 06/2024).
    assert lots == {("CUD-2024-009", "Unique"), ("CUD-2025-001", "2")}
    assert (f.hours_required, f.hours_done) == (D(1400), D(50))
    assert f.by_age_band == {"<26": 1, "26-49": 0, "50+": 0}  # P4: 24 on 01/06/2023


def test_earliest_assignment_in_the_period_gives_the_age(bilan_data):
    # P4 is 24 at the start of A5 (2023, no hours in 2025), 26 at the start of A7 (11/2024): 26-49.
    f = indicators.for_company(bilan_data.bati, START, END)
    assert f.by_age_band["26-49"] == 1


def test_empty_period(bilan_data):
    f = indicators.for_buyer(bilan_data.vgs, datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert (f.hours_required, f.completion_rate, f.people, f.lots) == (D(0), D(0), 0, ())
    assert f.by_sex == {"F": 0, "H": 0}
    assert len(f.hours_by_month) == 12


def test_masked_small_scope(bilan_data):
    f = indicators.for_market(bilan_data.m3, START, END)
    masked = indicators.to_json(f, anonymise_small=True)
    assert masked["by_sex"] == {"F": "< 3", "H": "< 3"}
    assert masked["by_level"] == {"infra 3": 0, "3": 0, "4": "< 3", "5+": "< 3", "inconnu": 0}
    assert masked["qpv"] == "< 3"
    assert masked["by_contract_type"]["CDD"] == "< 3"
    # Totals and hours stay exact.
    assert (masked["people"], masked["hours_done"], masked["by_modality"]["Embauche directe"]) == (
        2,
        300.5,
        200.0,
    )
    m = f.masked()
    assert m.lots[0].people == "< 3" and m.companies[0].people == "< 3"
    assert m.outcomes_at_end["Recherche d'emploi"] == "< 3" and m.positive_at_end == 0
    # The plain figures are untouched.
    assert indicators.to_json(f)["by_sex"] == {"F": 1, "H": 1}


def test_no_masking_from_ten_people(db):
    from tests.hours.factories import AssignmentFactory, HoursEntryFactory
    from tests.markets.factories import ClauseFactory

    lot = ClauseFactory().lot
    for i in range(10):
        a = AssignmentFactory(lot=lot, participant__sex="H" if i else "F")
        HoursEntryFactory(assignment=a, month=datetime.date(2025, 3, 1))
    f = indicators.for_market(lot.market, START, END)
    assert f.people == 10
    assert indicators.to_json(f, anonymise_small=True)["by_sex"] == {"F": 1, "H": 9}


def test_scope_start(bilan_data):
    assert indicators.scope_start("market", bilan_data.m2) == datetime.date(2023, 1, 1)
    assert indicators.scope_start("buyer", bilan_data.vgs) == datetime.date(2025, 1, 1)  # lot 2's start
    assert indicators.scope_start("company", bilan_data.flandre) == datetime.date(2025, 1, 1)
    assert indicators.scope_start("territory", None) == datetime.date(2023, 1, 1)


@pytest.mark.parametrize("scope", ["buyer", "company", "market", "territory"])
def test_queries_are_constant(db, scope, django_assert_max_num_queries):
    """At most 25 queries, and the same number with three times the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(data):
        obj = {"buyer": data.cud, "company": data.bati, "market": data.m1, "territory": None}[scope]
        with CaptureQueriesContext(connection) as ctx:
            indicators.for_scope(scope, obj, START, END)
        return len(ctx.captured_queries)

    data = build()
    with django_assert_max_num_queries(25):
        first = run(data)
    _more_data(data)
    assert run(data) == first


def _more_data(data):
    from tests.hours.factories import AssignmentFactory, HoursEntryFactory
    from tests.markets.factories import AwardFactory, ClauseFactory
    from tests.participants.factories import OutcomeFactory

    for market in (data.m1, data.m1, data.m2):
        lot = ClauseFactory(lot__market=market).lot
        AwardFactory(lot=lot, company=data.bati)
        for m in range(1, 7):
            a = AssignmentFactory(lot=lot, company=data.bati, participant__criteria=["DELD", "PLIE"])
            HoursEntryFactory(assignment=a, month=datetime.date(2025, m, 1))
            OutcomeFactory(participant=a.participant)
