"""Assignments, monthly hours and SIAE purchases: every rule in clean() and in the database; the
QuerySet methods with exact numbers; the history of who changed what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hours.models import Assignment, ContractType, HoursEntry, SiaePurchase, first_of_month, last_of_month
from markets.models import Clause
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory, SiaePurchaseFactory
from tests.markets.factories import AwardFactory, ClauseFactory

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date
OUTSIDE = "Ce mois est hors du contrat (du 06/01/2025 au 31/12/2025)."


def errors_of(instance, **kwargs):
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_month_helpers():
    assert first_of_month(day(2025, 3, 17)) == day(2025, 3, 1)
    assert last_of_month(day(2024, 2, 10)) == day(2024, 2, 29)
    assert last_of_month(day(2025, 12, 1)) == day(2025, 12, 31)


# --- assignments ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ends_on,valid",
    [(day(2025, 1, 5), False), (day(2025, 1, 6), True), (None, True), (day(2026, 1, 1), True)],
)
def test_assignment_end_not_before_start(ends_on, valid):
    assignment = AssignmentFactory.build(
        participant=AssignmentFactory().participant,
        lot=ClauseFactory().lot,
        company=CompanyFactory(),
        ends_on=ends_on,
    )
    expected = {} if valid else {"ends_on": ["La fin du contrat ne peut pas précéder son début."]}
    assert errors_of(assignment) == expected
    if not valid:
        integrity_error(lambda: AssignmentFactory(ends_on=ends_on))


def test_employer_defaults_to_the_company_credited():
    company, etti = CompanyFactory(), CompanyFactory(etti=True)
    a = AssignmentFactory(company=company, employer=None)
    assert a.employer == company and not a.employer_differs
    lent = AssignmentFactory(company=company, employer=etti, modality="etti", contract_type=ContractType.TEMP)
    assert lent.employer_differs
    unsaved = Assignment(
        participant=a.participant, lot=a.lot, company=company, contract_type="CDI", starts_on=day(2025, 2, 1)
    )
    assert errors_of(unsaved) == {}
    assert unsaved.employer_id == company.pk


def test_one_assignment_per_person_lot_employer_contract_and_start():
    a = AssignmentFactory()
    same = Assignment(
        participant=a.participant,
        lot=a.lot,
        company=a.company,
        employer=a.employer,
        contract_type=a.contract_type,
        starts_on=a.starts_on,
    )
    errors = errors_of(same)
    assert list(errors) == ["__all__"] and "existe déjà" in errors["__all__"][0]
    integrity_error(same.save)
    same.starts_on = day(2025, 2, 1)
    assert errors_of(same) == {}


def test_is_active_in():
    a = AssignmentFactory(starts_on=day(2025, 1, 6), ends_on=day(2025, 3, 3))
    assert [a.is_active_in(day(2025, m, 1)) for m in (1, 2, 3, 4)] == [True, True, True, False]
    assert not a.is_active_in(day(2024, 12, 31))
    a.ends_on = None
    assert a.is_active_in(day(2030, 1, 1))


# --- hours entries --------------------------------------------------------------------------------------


def test_one_entry_per_assignment_and_month():
    entry = HoursEntryFactory(month=day(2025, 3, 1))
    twice = HoursEntry(assignment=entry.assignment, month=day(2025, 3, 20), hours=D(10))
    assert errors_of(twice) == {
        "month": ["Des heures sont déjà saisies pour ce mois et cette mise à l'emploi."]
    }
    integrity_error(twice.save)  # saved as 01/03/2025 too
    entry.hours = D(12)
    assert errors_of(entry) == {}


def test_month_is_stored_as_its_first_day():
    entry = HoursEntryFactory(month=day(2025, 3, 17))
    entry.refresh_from_db()
    assert entry.month == day(2025, 3, 1)
    other = HoursEntry(assignment=entry.assignment, month=day(2025, 4, 30), hours=D(1))
    assert errors_of(other) == {} and other.month == day(2025, 4, 1)
    integrity_error(lambda: HoursEntry.objects.filter(pk=entry.pk).update(month=day(2025, 3, 15)))


@pytest.mark.parametrize(
    "month,error",
    [
        (day(2024, 12, 1), OUTSIDE),
        (day(2025, 1, 1), None),  # the contract starts on the 6th: its month counts
        (day(2025, 12, 1), None),
        (day(2026, 1, 1), OUTSIDE),
    ],
)
def test_month_inside_the_contract(month, error):
    entry = HoursEntryFactory.build(assignment=AssignmentFactory(), month=month)
    assert errors_of(entry) == ({"month": [error]} if error else {})


def test_month_of_an_open_ended_contract():
    assignment = AssignmentFactory(ends_on=None)
    assert errors_of(HoursEntryFactory.build(assignment=assignment, month=day(2030, 1, 1))) == {}
    assert errors_of(HoursEntryFactory.build(assignment=assignment, month=day(2024, 12, 1))) == {
        "month": ["Ce mois est hors du contrat (du 06/01/2025)."]
    }


@pytest.mark.parametrize("field", ["hours", "training_hours"])
@pytest.mark.parametrize(
    "value,message",
    [
        (D("-0.01"), "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        (D(0), None),
        (D(744), None),
        (D("744.01"), "Assurez-vous que cette valeur est inférieure ou égale à 744."),
    ],
)
def test_hours_between_0_and_744(field, value, message):
    entry = HoursEntryFactory.build(assignment=AssignmentFactory(), **{field: value})
    assert errors_of(entry) == ({field: [message]} if message else {})
    if message:
        integrity_error(lambda: HoursEntryFactory(**{field: value}))


def test_validated_entries_carry_their_date():
    entry = HoursEntryFactory.build(
        assignment=AssignmentFactory(), status=HoursEntry.Status.VALIDATED, validated_at=None
    )
    assert errors_of(entry) == {"status": ["Des heures validées doivent porter la date de leur validation."]}
    integrity_error(entry.save)
    manager = UserFactory(manager=True)
    entry.validate(manager)
    assert errors_of(entry) == {}
    entry.save()
    assert entry.is_validated and entry.validated_by == manager and entry.validated_at is not None
    entry.reopen()
    entry.save()
    entry.refresh_from_db()
    assert (entry.status, entry.validated_by, entry.validated_at) == (HoursEntry.Status.DRAFT, None, None)


def test_hours_queryset_methods():
    a = AssignmentFactory(starts_on=day(2024, 11, 1), ends_on=None)
    HoursEntryFactory(assignment=a, month=day(2024, 12, 1), hours=D("100.25"))
    HoursEntryFactory(assignment=a, month=day(2025, 1, 1), hours=D("151.67"))
    HoursEntryFactory(assignment=a, month=day(2025, 2, 1), hours=D("120.50"))
    HoursEntryFactory(assignment=a, month=day(2025, 3, 1), hours=D(35), draft=True)
    HoursEntryFactory(assignment=a, month=day(2025, 4, 1), hours=D(10))

    def total(qs):
        return sum((e.hours for e in qs), D(0))

    assert total(HoursEntry.objects.validated()) == D("382.42")
    assert total(HoursEntry.objects.drafts()) == D(35)
    # In a period given by any days: months compared month to month.
    assert total(HoursEntry.objects.validated().in_period(day(2025, 1, 15), day(2025, 3, 31))) == D("272.17")
    assert total(HoursEntry.objects.in_period(day(2025, 1, 1), day(2025, 3, 1))) == D("307.17")
    assert total(HoursEntry.objects.validated().until(day(2025, 1, 31))) == D("251.92")
    assert total(HoursEntry.objects.until(day(2024, 11, 30))) == D(0)


# --- SIAE purchases -------------------------------------------------------------------------------------


def siae_clause(**kwargs):
    return ClauseFactory(siae_labour_share=D("0.6"), siae_hourly_cost=D(30), **kwargs)


def test_siae_purchase_converted_with_the_clause():
    purchase = SiaePurchaseFactory(lot=siae_clause().lot, month=day(2025, 3, 12), amount_invoiced=D(10_000))
    assert errors_of(purchase) == {}
    purchase.refresh_from_db()
    assert purchase.hour_equivalent == D("200.00")  # 10 000 × 60 % ÷ 30 €/h
    assert purchase.month == day(2025, 3, 1)
    ea = SiaePurchaseFactory(
        lot=purchase.lot, company=CompanyFactory(kind="EA"), amount_invoiced=D("1234.56")
    )
    assert ea.hour_equivalent == D("24.69")


@pytest.mark.parametrize("kind", ["entreprise", "ETT", "formation"])
def test_siae_purchase_only_from_insertion_structures(kind):
    purchase = SiaePurchaseFactory.build(lot=siae_clause().lot, company=CompanyFactory(kind=kind))
    assert errors_of(purchase) == {
        "company": ["Seuls les achats à une SIAE, une EA ou un ESAT se convertissent en heures."]
    }


def test_siae_purchase_only_when_the_clause_sets_the_conversion():
    message = {"lot": ["La clause de ce lot ne fixe pas la conversion des achats SIAE en heures."]}
    without_conversion = SiaePurchaseFactory.build(lot=ClauseFactory().lot, company=CompanyFactory(ei=True))
    assert errors_of(without_conversion) == message
    without_clause = SiaePurchaseFactory.build(lot=AwardFactory().lot, company=CompanyFactory(ei=True))
    assert errors_of(without_clause) == message


def test_siae_purchase_once_per_lot_company_and_month():
    purchase = SiaePurchaseFactory(lot=siae_clause().lot)
    integrity_error(
        lambda: SiaePurchaseFactory(lot=purchase.lot, company=purchase.company, month=day(2025, 3, 31))
    )
    integrity_error(lambda: SiaePurchase.objects.filter(pk=purchase.pk).update(month=day(2025, 3, 2)))


# --- history --------------------------------------------------------------------------------------------


def test_history_records_who_changed_hours():
    facilitator, manager = UserFactory(facilitator=True), UserFactory(manager=True)
    entry = HoursEntry(assignment=AssignmentFactory(), month=day(2025, 3, 1), hours=D(100))
    entry._history_user = facilitator
    entry.save()
    entry = HoursEntry.objects.get(pk=entry.pk)
    entry.hours = D("151.67")
    entry.validate(manager)
    entry._history_user = manager
    entry.save()
    records = list(entry.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.hours, r.status) for r in records] == [
        ("+", facilitator, D(100), "brouillon"),
        ("~", manager, D("151.67"), "validee"),
    ]
    changed = {c.field for c in records[1].diff_against(records[0]).changes}
    assert {"hours", "status", "validated_by", "validated_at"} <= changed


def test_history_records_who_changed_a_clause_an_award_an_assignment():
    manager = UserFactory(manager=True)
    clause = ClauseFactory()
    clause = Clause.objects.get(pk=clause.pk)
    clause.stated_hours = D(900)
    clause._history_user = manager
    clause.save()
    last = clause.history.first()
    assert (last.history_user, last.stated_hours, last.hours_required) == (manager, D(900), D(900))
    assert clause.history.count() == 2
    assert AwardFactory().history.count() == 1
    assert AssignmentFactory().history.count() == 1
