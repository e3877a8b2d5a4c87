"""Buyers, markets, lots, clauses and awards: every rule, in clean() and in the database."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from markets.models import (
    BUYER_NAME_TAKEN,
    ENDS_BEFORE_START,
    LOT_NUMBER_TAKEN,
    Award,
    Buyer,
    Clause,
    Lot,
    Market,
    Stage,
    StageChange,
    fr_number,
    hours_from_formula,
)
from tests.companies.factories import CompanyFactory
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date
NO_VOLUME = (
    "Une clause sans volume d'heures n'est pas applicable : indiquez le nombre d'heures "
    "ou les éléments du calcul."
)
PARTIAL = "Pour calculer les heures, renseignez la part de main-d'œuvre, le taux et le coût horaire."


def errors_of(instance, **kwargs):
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- buyers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        "COMMUNAUTE URBAINE DE DUNKERQUE",
        "communauté urbaine de dunkerque",
        "Communauté-Urbaine  de Dunkerque",
    ],
)
def test_buyer_name_is_unique_ignoring_case_and_accents(other):
    Buyer.objects.create(name="Communauté Urbaine de Dunkerque", kind=Buyer.Kind.INTERCOMMUNALITY)
    assert errors_of(Buyer(name=other, kind=Buyer.Kind.INTERCOMMUNALITY)) == {"name": [BUYER_NAME_TAKEN]}
    integrity_error(lambda: Buyer.objects.create(name=other))


def test_buyer_exact_duplicate_gives_one_message():
    Buyer.objects.create(name="Vilogia")
    assert errors_of(Buyer(name="Vilogia", kind=Buyer.Kind.SOCIAL_LANDLORD)) == {"name": [BUYER_NAME_TAKEN]}


def test_buyer_different_names_and_renaming_itself():
    cud = Buyer.objects.create(name="Communauté Urbaine de Dunkerque")
    other = Buyer(name="Ville de Dunkerque", kind=Buyer.Kind.COMMUNE)
    assert errors_of(other) == {}
    cud.name = "COMMUNAUTÉ URBAINE DE DUNKERQUE"
    assert errors_of(cud) == {}


def test_buyer_matching_and_search():
    cud = Buyer.objects.create(name="Communauté Urbaine de Dunkerque")
    port = Buyer.objects.create(name="Dunkerque-Port", kind=Buyer.Kind.PORT)
    assert Buyer.objects.matching("communaute urbaine  de DUNKERQUE") == cud
    assert Buyer.objects.matching("Dunkerque Port") == port
    assert Buyer.objects.matching("Grande-Synthe") is None
    assert set(Buyer.objects.search("DUNKERQUE")) == {cud, port}
    assert list(Buyer.objects.search("communaute")) == [cud]


# --- markets --------------------------------------------------------------------------------------------


def test_market_reference_is_unique_per_buyer():
    market = MarketFactory(reference="CUD-2025-014")
    same_buyer = Market(buyer=market.buyer, reference="CUD-2025-014", title="Autre")
    assert errors_of(same_buyer) == {
        "reference": ["Ce donneur d'ordre a déjà un marché avec cette référence."]
    }
    integrity_error(lambda: MarketFactory(buyer=market.buyer, reference="CUD-2025-014"))
    other_buyer = Market(buyer=BuyerFactory(), reference="CUD-2025-014", title="Autre")
    assert errors_of(other_buyer) == {}
    other_buyer.save()
    market.title = "Nouveau titre"
    assert errors_of(market) == {}


@pytest.mark.parametrize(
    "starts_on,ends_on,valid",
    [
        (day(2025, 1, 1), day(2024, 12, 31), False),
        (day(2025, 1, 1), day(2025, 1, 1), True),
        (day(2025, 1, 1), None, True),
        (None, day(2025, 1, 1), True),
    ],
)
def test_market_and_lot_end_not_before_start(starts_on, ends_on, valid):
    market = MarketFactory.build(buyer=BuyerFactory(), starts_on=starts_on, ends_on=ends_on)
    assert errors_of(market) == ({} if valid else {"ends_on": [ENDS_BEFORE_START]})
    lot = Lot(market=MarketFactory(), number="1", starts_on=starts_on, ends_on=ends_on)
    assert errors_of(lot) == ({} if valid else {"ends_on": [ENDS_BEFORE_START]})
    if not valid:
        integrity_error(lambda: MarketFactory(starts_on=starts_on, ends_on=ends_on))
        integrity_error(lambda: LotFactory(starts_on=starts_on, ends_on=ends_on))


def test_market_operation_belongs_to_its_buyer():
    operation = OperationFactory(name="NPNRU Banc-Vert")
    market = MarketFactory.build(buyer=BuyerFactory(), operation=operation)
    assert errors_of(market) == {"operation": ["Cette opération appartient à un autre donneur d'ordre."]}
    market.buyer = operation.buyer
    assert errors_of(market) == {}


def test_market_in_stage_search_and_move_to():
    user = User.objects.create(username="facilitatrice-x")
    spotted = MarketFactory(stage=Stage.SPOTTED, title="Réhabilitation du groupe scolaire Lamartine")
    running = MarketFactory(stage=Stage.EXECUTION, reference="GS-2025-001", title="Voirie")
    assert list(Market.objects.in_stage(Stage.SPOTTED)) == [spotted]
    assert set(Market.objects.in_stage(Stage.SPOTTED, Stage.EXECUTION)) == {spotted, running}
    assert list(Market.objects.search("rehabilitation LAMARTINE")) == [spotted]
    assert list(Market.objects.search("gs-2025")) == [running]

    spotted.move_to(Stage.STUDY, user=user, on=day(2025, 2, 3))
    spotted.move_to(Stage.STUDY, user=user, on=day(2025, 2, 4))  # same stage: nothing recorded
    spotted.move_to(Stage.PROPOSED, on=day(2025, 3, 10))
    spotted.refresh_from_db()
    assert (spotted.stage, spotted.stage_reached_on) == (Stage.PROPOSED, day(2025, 3, 10))
    changes = list(StageChange.objects.filter(market=spotted).values_list("stage", "date", "by"))
    assert changes == [(Stage.STUDY, day(2025, 2, 3), user.pk), (Stage.PROPOSED, day(2025, 3, 10), None)]
    assert Stage.DROPPED not in Stage.pipeline() and len(Stage.pipeline()) == 8


# --- lots -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,key",
    [
        ("3", "3"),
        ("Lot 3", "3"),
        ("lot n°3", "3"),
        ("Lot N° 03", "3"),
        ("LOT 3", "3"),
        ("n° 3", "3"),
        ("No 3", "3"),
        ("3 bis", "3bis"),
        ("Lot 3 bis", "3bis"),
        ("Unique", "unique"),
        ("Lot unique", "unique"),
        ("10", "10"),
        ("0", "0"),
    ],
)
def test_lot_number_key(typed, key):
    assert Lot.key_for(typed) == key


@pytest.mark.parametrize("other", ["Lot 3", "lot n°3", "03"])
def test_lot_number_is_unique_per_market(other):
    lot = LotFactory(number="3")
    assert errors_of(Lot(market=lot.market, number=other)) == {"number": [LOT_NUMBER_TAKEN]}
    integrity_error(lambda: Lot.objects.create(market=lot.market, number=other))
    assert errors_of(Lot(market=MarketFactory(), number=other)) == {}
    assert errors_of(Lot(market=lot.market, number="3 bis")) == {}
    lot.number = "Lot 3"
    assert errors_of(lot) == {}


def test_lot_str():
    assert str(LotFactory(number="lot n°3", title="Peinture intérieure")) == "Lot 3 — Peinture intérieure"
    assert str(LotFactory(number="Unique", title="")) == "Unique"


def test_lot_querysets():
    market = MarketFactory()
    january = LotFactory(market=market, starts_on=day(2025, 1, 1), ends_on=day(2025, 1, 31))
    open_ended = LotFactory(market=market, starts_on=day(2025, 3, 1), ends_on=None)
    undated = LotFactory(market=market, starts_on=None, ends_on=None)
    ClauseFactory(lot=january)
    assert list(Lot.objects.running_on(day(2025, 1, 31))) == [january]
    assert list(Lot.objects.running_on(day(2026, 6, 1))) == [open_ended]
    assert list(Lot.objects.running_on(day(2025, 2, 15))) == []
    assert set(Lot.objects.overlapping(day(2025, 1, 15), day(2025, 2, 28))) == {january, undated}
    assert set(Lot.objects.overlapping(day(2024, 1, 1), day(2024, 12, 31))) == {undated}
    assert set(Lot.objects.overlapping(day(2025, 2, 1), day(2030, 1, 1))) == {open_ended, undated}
    assert list(Lot.objects.with_clause()) == [january]


# --- clauses --------------------------------------------------------------------------------------------


def test_formula_hours_1_000_000_x_50_pct_x_5_pct_over_30():
    assert hours_from_formula(D(1_000_000), D("0.5"), D("0.05"), D(30)) == D("833.33")
    clause = ClauseFactory()
    assert errors_of(clause) == {}
    assert (clause.hours_required, clause.formula_hours, clause.hours_source) == (
        D("833.33"),
        D("833.33"),
        "formula",
    )
    clause.refresh_from_db()
    assert clause.hours_required == D("833.33")


def test_stated_hours_win_and_both_are_shown():
    clause = ClauseFactory(stated_hours=D(1000))
    assert errors_of(clause) == {}
    assert clause.hours_required == D(1000)
    assert clause.formula_hours == D("833.33")
    assert clause.hours_source == "stated"


def test_stated_hours_alone():
    clause = ClauseFactory(stated_hours=D(400), labour_share=None, insertion_rate=None, hourly_cost=None)
    assert errors_of(clause) == {}
    assert (clause.hours_required, clause.formula_hours, clause.hours_source) == (D(400), None, "stated")


def test_formula_amount_replaces_the_lot_amount():
    clause = ClauseFactory(formula_amount=D(600_000))  # 600 000 × 0,5 × 0,05 ÷ 30 = 500
    assert clause.hours_required == D("500.00")


def test_clause_without_volume_is_refused():
    lot = LotFactory()
    clause = Clause(lot=lot)
    assert errors_of(clause) == {"stated_hours": [NO_VOLUME]}


@pytest.mark.parametrize("missing", [{"hourly_cost": None}, {"insertion_rate": None}, {"labour_share": None}])
@pytest.mark.parametrize("stated", [None, D(500)])
def test_partial_formula_is_refused_even_with_stated_hours(missing, stated):
    clause = ClauseFactory.build(lot=LotFactory(), stated_hours=stated, **missing)
    assert errors_of(clause) == {"labour_share": [PARTIAL]}


def test_formula_amount_alone_is_a_partial_formula():
    clause = Clause(lot=LotFactory(), stated_hours=D(10), formula_amount=D(1000))
    assert errors_of(clause) == {"labour_share": [PARTIAL]}


def test_formula_without_any_amount_is_refused():
    clause = ClauseFactory.build(lot=LotFactory(amount=None))
    assert errors_of(clause) == {
        "formula_amount": ["Pour calculer les heures, indiquez le montant (celui du lot est vide)."]
    }
    clause.stated_hours = D(200)  # stated: the formula is simply not shown
    assert errors_of(clause) == {}
    clause.save()
    assert (clause.hours_required, clause.formula_hours) == (D(200), None)


def test_eligible_publics_must_be_known_codes():
    clause = ClauseFactory.build(lot=LotFactory(), eligible_publics=["QPV", "RSA"])
    assert errors_of(clause) == {}
    clause.eligible_publics = ["QPV", "XYZ", "ABC"]
    assert errors_of(clause) == {"eligible_publics": ["Critères inconnus : ABC, XYZ."]}


@pytest.mark.parametrize(
    "field,value",
    [
        ("labour_share", D("1.5")),
        ("insertion_rate", D("-0.01")),
        ("hourly_cost", D(0)),
        ("stated_hours", D(-1)),
    ],
)
def test_clause_numbers_out_of_range(field, value):
    clause = ClauseFactory.build(lot=LotFactory(), **{field: value})
    assert field in errors_of(clause)
    integrity_error(lambda: ClauseFactory(**{field: value}))


def test_hours_required_cannot_be_negative_in_the_database():
    clause = ClauseFactory()
    integrity_error(lambda: Clause.objects.filter(pk=clause.pk).update(hours_required=D(-1)))


def test_siae_conversion_needs_both_numbers():
    clause = ClauseFactory.build(lot=LotFactory(), siae_labour_share=D("0.6"))
    assert errors_of(clause) == {
        "siae_hourly_cost": [
            "La conversion des achats SIAE demande la part de main-d'œuvre et le coût horaire."
        ]
    }
    clause.siae_hourly_cost = D(30)
    assert errors_of(clause) == {}
    assert clause.siae_hour_equivalent(D(10_000)) == D("200.00")  # 10 000 × 60 % ÷ 30
    assert ClauseFactory.build().siae_hour_equivalent(D(10_000)) is None


def test_changing_the_lot_amount_recomputes_a_formula_clause():
    clause = ClauseFactory()
    lot = Lot.objects.get(pk=clause.lot_id)
    lot.amount = D(2_000_000)
    lot.save()
    clause.refresh_from_db()
    assert clause.hours_required == D("1666.67")
    stated = ClauseFactory(stated_hours=D(100))
    stated.lot.amount = D(5)
    stated.lot.save()
    stated.refresh_from_db()
    assert stated.hours_required == D(100)


def test_one_clause_per_lot():
    clause = ClauseFactory()
    assert "lot" in errors_of(Clause(lot=clause.lot, stated_hours=D(1)))
    integrity_error(lambda: Clause.objects.create(lot=clause.lot, stated_hours=D(1)))


def test_clause_cannot_drop_below_the_awards_commitments():
    clause = ClauseFactory()
    AwardFactory(lot=clause.lot, hours_committed=D(800))
    clause.stated_hours = D(700)
    assert errors_of(clause) == {
        "stated_hours": [
            "Les entreprises de ce lot se sont engagées sur 800,00 h : plus que les 700,00 h dues. "
            "Réduisez d'abord leurs engagements."
        ]
    }
    clause.stated_hours = D(800)
    assert errors_of(clause) == {}
    clause.stated_hours = None
    clause.hourly_cost = D(35)  # 714,29 h by the formula
    assert list(errors_of(clause)) == [NON_FIELD_ERRORS]


# --- awards ---------------------------------------------------------------------------------------------


def test_award_commitments_do_not_exceed_the_lot_hours():
    clause = ClauseFactory()  # 833,33 h
    holder = AwardFactory(lot=clause.lot, hours_committed=D(500))
    co = Award(
        lot=clause.lot, company=CompanyFactory(), role=Award.Role.CO_CONTRACTOR, hours_committed=D("333.33")
    )
    assert errors_of(co) == {}
    co.save()
    extra = Award(
        lot=clause.lot, company=CompanyFactory(), role=Award.Role.SUBCONTRACTOR, hours_committed=D("0.01")
    )
    assert errors_of(extra) == {
        "hours_committed": [
            "Les engagements dépasseraient les heures dues par le lot (833,33 h ; déjà réparties : 833,33 h)."
        ]
    }
    extra.hours_committed = D(0)
    assert errors_of(extra) == {}
    holder.hours_committed = D("500.01")  # its own 500 h are not counted twice
    assert "hours_committed" in errors_of(holder)
    holder.hours_committed = D(400)
    assert errors_of(holder) == {}


def test_award_without_clause_or_commitment():
    lot = LotFactory()
    assert errors_of(Award(lot=lot, company=CompanyFactory(), hours_committed=D(10))) == {}
    assert errors_of(Award(lot=ClauseFactory().lot, company=CompanyFactory(), hours_committed=None)) == {}


def test_award_company_once_per_lot_and_positive():
    award = AwardFactory()
    twice = Award(lot=award.lot, company=award.company, role=Award.Role.SUBCONTRACTOR)
    assert errors_of(twice) == {"company": ["Cette entreprise est déjà attributaire de ce lot."]}
    integrity_error(lambda: Award.objects.create(lot=award.lot, company=award.company))
    negative = Award(lot=LotFactory(), company=CompanyFactory(), hours_committed=D(-1))
    assert "hours_committed" in errors_of(negative)
    integrity_error(lambda: AwardFactory(hours_committed=D(-1)))


def test_fr_number():
    assert fr_number(D("833.333")) == "833,33"
    assert fr_number(D(1234567)) == "1\xa0234\xa0567,00"
