"""Assignments, monthly hours and SIAE purchases: every rule in clean() and in the database; the
QuerySet methods with exact numbers; the history of who changed what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from clauses_site import roles
from clauses_site.months import first_of_month, last_of_month
from hours import queries
from hours.models import (
    Assignment,
    ContractType,
    HoursEntry,
    SiaePurchase,
    active_in_month,
)
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


def test_a_model_form_does_not_require_the_employer():
    """employer is blank=True: a ModelForm (any screen, the admin) leaves it empty and the model fills it
    with the company credited before the identity constraint is checked."""
    a = AssignmentFactory()
    form_class = modelform_factory(
        Assignment, fields=["participant", "lot", "company", "employer", "contract_type", "starts_on"]
    )
    assert not form_class().fields["employer"].required
    data = {
        "participant": a.participant.pk,
        "lot": a.lot.pk,
        "company": a.company.pk,
        "employer": "",
        "contract_type": a.contract_type,
        "starts_on": "06/01/2025",
    }
    form = form_class(data)
    assert not form.is_valid()  # the same assignment as `a`, once its employer is filled
    assert form.errors == {
        "__all__": ["Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début)."]
    }
    form = form_class({**data, "starts_on": "01/02/2025"})
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.employer == a.company


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
    assert errors_of(same) == {
        "__all__": ["Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début)."]
    }
    integrity_error(same.save)
    same.starts_on = day(2025, 2, 1)
    assert errors_of(same) == {}


def test_is_active_in():
    a = AssignmentFactory(starts_on=day(2025, 1, 6), ends_on=day(2025, 3, 3))
    assert [a.is_active_in(day(2025, m, 1)) for m in (1, 2, 3, 4)] == [True, True, True, False]
    assert not a.is_active_in(day(2024, 12, 31))
    a.ends_on = None
    assert a.is_active_in(day(2030, 1, 1))


def test_assignments_active_in_a_month():
    """Assignment.objects.active_in(month): the contract covers at least one day of the month (any day
    of the month given), as Assignment.is_active_in says."""
    march_only = AssignmentFactory(starts_on=day(2025, 3, 31), ends_on=day(2025, 3, 31))
    spring = AssignmentFactory(starts_on=day(2025, 3, 6), ends_on=day(2025, 5, 1))
    open_ended = AssignmentFactory(starts_on=day(2025, 4, 15), ends_on=None)
    everyone = [march_only, spring, open_ended]

    def active(month):
        return set(Assignment.objects.active_in(month))

    assert active(day(2025, 2, 1)) == set()
    assert active(day(2025, 3, 17)) == {march_only, spring}
    assert active(day(2025, 4, 1)) == {spring, open_ended}
    assert active(day(2025, 5, 31)) == {spring, open_ended}
    assert active(day(2025, 6, 1)) == {open_ended}
    assert active(day(2031, 1, 1)) == {open_ended}
    for month in [day(2025, m, 1) for m in range(1, 13)]:
        assert active(month) == {a for a in everyone if a.is_active_in(month)}
    # The same rule through a relation (a lot's assignments), for filters and aggregates.
    lots = {a.lot for a in Assignment.objects.filter(active_in_month(day(2025, 6, 9)))}
    assert lots == {open_ended.lot}


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


def test_constraints_speak_french_when_validated():
    """Every constraint of HoursEntry, Assignment and SiaePurchase carries a French message, shown when
    Django validates the constraints (a form, full_clean) rather than the database refusing the row."""
    entry = HoursEntryFactory(month=day(2025, 3, 1))

    def messages(instance, exclude=None):
        try:
            instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            return exc.messages
        return []

    twice = HoursEntry(assignment=entry.assignment, month=day(2025, 3, 1), hours=D(1))
    assert messages(twice) == ["Des heures sont déjà saisies pour ce mois et cette mise à l'emploi."]
    bad = HoursEntry(
        assignment=entry.assignment,
        month=day(2025, 4, 2),
        hours=D(745),
        training_hours=D(-1),
        status=HoursEntry.Status.VALIDATED,
    )
    assert sorted(messages(bad)) == [
        "Des heures validées doivent porter la date de leur validation.",
        "Entre 0 et 744 heures de formation dans un mois.",
        "Entre 0 et 744 heures travaillées dans un mois.",
        "Un mois s'enregistre à son premier jour.",
    ]
    a = entry.assignment
    same = Assignment(
        participant=a.participant,
        lot=a.lot,
        company=a.company,
        employer=a.employer,
        contract_type=a.contract_type,
        starts_on=a.starts_on,
        ends_on=day(2024, 1, 1),
    )
    assert sorted(messages(same)) == [
        "Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début).",
        "La fin du contrat ne peut pas précéder son début.",
    ]
    purchase = SiaePurchaseFactory(lot=siae_clause().lot)
    again = SiaePurchase(
        lot=purchase.lot,
        company=purchase.company,
        month=day(2025, 3, 2),
        amount_invoiced=D(-1),
        validated=True,
    )
    assert sorted(messages(again)) == [
        "Le montant facturé ne peut pas être négatif.",
        "Un achat validé doit porter la date de sa validation.",
        "Un mois s'enregistre à son premier jour.",
    ]
    again.month = purchase.month
    assert "Un achat à cette structure est déjà saisi pour ce lot et ce mois." in messages(again)


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
    assert ea.hour_equivalent == D("24.69")  # 740,736 h
    assert SiaePurchase.objects.get(pk=ea.pk).hour_equivalent == D("24.69")


def test_siae_hour_equivalent_follows_the_clause():
    """Not stored: computed when read, from the clause's conversion as it is now."""
    clause = ClauseFactory(siae_labour_share=D("0.4"), siae_hourly_cost=D(25))
    purchase = SiaePurchaseFactory(lot=clause.lot, amount_invoiced=D(10_000))
    assert SiaePurchase.objects.get(pk=purchase.pk).hour_equivalent == D("160.00")  # 10 000 × 40 % ÷ 25
    assert queries.siae_hours(SiaePurchase.objects.all()) == D("160.00")
    clause = Clause.objects.get(pk=clause.pk)
    clause.siae_labour_share = D("0.5")
    clause.save()
    assert SiaePurchase.objects.get(pk=purchase.pk).hour_equivalent == D("200.00")  # 10 000 × 50 % ÷ 25
    assert queries.siae_hours(SiaePurchase.objects.all()) == D("200.00")
    assert list(SiaePurchase.objects.filter(hour_equivalent__gt=D(199)).values_list("hour_equivalent")) == [
        (D("200.00"),)
    ]
    # A conversion removed from the clause (clean() refuses new purchases then): 0 h, not an error.
    Clause.objects.filter(pk=clause.pk).update(siae_hourly_cost=None)
    assert SiaePurchase.objects.get(pk=purchase.pk).hour_equivalent == D(0)


@pytest.mark.parametrize(
    "amount,share,cost,hours",
    [
        (D("1.45"), D("1"), D(2), D("0.73")),  # 0,725 exactly: half up (0,72499… as a binary float)
        (D("0.01"), D("0.5"), D(1), D("0.01")),  # 0,005
        (D("0.01"), D("0.4999"), D(1), D("0.00")),  # 0,004999
        (D("1234.56"), D("0.6"), D(30), D("24.69")),
        (D("9999999999.99"), D("1"), D("0.01"), D("999999999999.00")),
        (D(0), D("0.6"), D(30), D("0.00")),
    ],
)
def test_siae_hour_equivalent_rounds_half_up_like_the_clause(amount, share, cost, hours):
    clause = ClauseFactory(siae_labour_share=share, siae_hourly_cost=cost)
    purchase = SiaePurchaseFactory(lot=clause.lot, amount_invoiced=amount)
    assert clause.siae_hour_equivalent(amount) == hours
    assert SiaePurchase.objects.get(pk=purchase.pk).hour_equivalent == hours


def test_siae_hours_sum_the_rounded_purchases():
    """The total is the sum of each purchase rounded to 2 places (as each is shown), one query."""
    clause = ClauseFactory(siae_labour_share=D(1), siae_hourly_cost=D(2))
    other = ClauseFactory(siae_labour_share=D("0.5"), siae_hourly_cost=D(30))
    for month, amount in [(3, "1.45"), (4, "1.45"), (5, "1.45")]:  # 0,725 → 0,73 each
        SiaePurchaseFactory(lot=clause.lot, month=day(2025, month, 1), amount_invoiced=D(amount))
    SiaePurchaseFactory(lot=other.lot, amount_invoiced=D(3000))  # 50 h
    SiaePurchaseFactory(
        lot=other.lot, company=CompanyFactory(kind="ESAT"), amount_invoiced=D(100), validated=False
    )
    assert queries.siae_hours(SiaePurchase.objects.filter(lot=clause.lot)) == D("2.19")
    assert queries.siae_hours(SiaePurchase.objects.filter(validated=True)) == D("52.19")
    assert queries.siae_hours(SiaePurchase.objects.all()) == D("53.86")  # + 1,666… → 1,67
    assert queries.siae_hours(SiaePurchase.objects.none()) == D(0)


@pytest.mark.parametrize("kind", ["entreprise", "ETT", "formation"])
def test_siae_purchase_only_from_insertion_structures(kind):
    purchase = SiaePurchaseFactory.build(lot=siae_clause().lot, company=CompanyFactory(kind=kind))
    assert errors_of(purchase) == {
        "company": ["Seuls les achats à une SIAE, une EA ou un ESAT se convertissent en heures."]
    }


@pytest.mark.parametrize("kind", ["EI", "ETTI", "AI", "ACI", "EITI", "EA", "ESAT"])
def test_siae_purchase_from_an_siae_an_ea_or_an_esat(kind):
    purchase = SiaePurchaseFactory.build(lot=siae_clause().lot, company=CompanyFactory(kind=kind))
    assert errors_of(purchase) == {}


def test_no_siae_purchase_from_a_geiq():
    """A GEIQ lends people (its hours are entered as assignments); it does not sell work."""
    purchase = SiaePurchaseFactory.build(lot=siae_clause().lot, company=CompanyFactory(kind="GEIQ"))
    assert errors_of(purchase) == {
        "company": [
            "Un GEIQ met des personnes à disposition : saisissez leurs heures (mise à l'emploi), "
            "pas un achat."
        ]
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


def test_siae_purchase_amount_and_validation_date_in_the_database():
    purchase = SiaePurchaseFactory(lot=siae_clause().lot)
    integrity_error(lambda: SiaePurchase.objects.filter(pk=purchase.pk).update(amount_invoiced=D("-0.01")))
    integrity_error(lambda: SiaePurchase.objects.filter(pk=purchase.pk).update(validated_at=None))
    SiaePurchase.objects.filter(pk=purchase.pk).update(validated=False, validated_at=None)
    unvalidated = SiaePurchaseFactory.build(
        lot=purchase.lot, company=purchase.company, month=day(2025, 4, 1), validated=True
    )
    unvalidated.validated_at = None
    assert errors_of(unvalidated) == {"validated": ["Un achat validé doit porter la date de sa validation."]}


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


def test_assignments_and_entries_visible_to_the_team_only(django_assert_num_queries):
    """One QuerySet method for what a user may see (hours' screens and the participant's page): the team
    sees every assignment and entry, with what the pages show fetched in the same query; the read-only
    role none (its screens answer 403 before asking)."""
    entry = HoursEntryFactory(hours=D(35))
    other = AssignmentFactory()
    team, reader = UserFactory(facilitator=True), UserFactory(reader=True)
    assert roles.sees_people(team)  # the role is read once, then kept on the user (as in a request)
    with django_assert_num_queries(1):
        seen = {
            a.pk: (a.participant.last_name, a.lot.market.buyer.name, a.employer.name)
            for a in Assignment.objects.visible_to(team)
        }
    assert set(seen) == {entry.assignment_id, other.pk}
    assert list(entry.assignment.participant.assignments.visible_to(team)) == [entry.assignment]
    with django_assert_num_queries(1):
        rows = [
            (e.assignment.participant.pk, e.assignment.lot.market.buyer.pk)
            for e in HoursEntry.objects.visible_to(team)
        ]
    assert rows == [(entry.assignment.participant_id, entry.assignment.lot.market.buyer_id)]
    assert list(Assignment.objects.visible_to(reader)) == []
    assert list(HoursEntry.objects.visible_to(reader)) == []


def test_every_hours_record_with_a_page_knows_its_url(client_for):
    """get_absolute_url(): an entry's, an assignment's and an import's page; the editing views take their
    success and cancel URLs from it (an entry's deletion is cancelled back to the entry, and goes to its
    assignment once done)."""
    from hours.models import ImportBatch

    entry = HoursEntryFactory(draft=True)
    batch = ImportBatch.objects.create(file_name="suivi.xlsx")
    assert entry.get_absolute_url() == f"/heures/{entry.pk}/"
    assert entry.assignment.get_absolute_url() == f"/heures/mises-a-l-emploi/{entry.assignment_id}/"
    assert batch.get_absolute_url() == f"/heures/imports/{batch.pk}/"
    client = client_for("Responsable")
    page = client.get(f"/heures/{entry.pk}/supprimer/")
    assert page.context["cancel_url"] == f"/heures/{entry.pk}/"
    done = client.post(f"/heures/{entry.pk}/supprimer/")
    assert done.url == f"/heures/mises-a-l-emploi/{entry.assignment_id}/"
    page = client.get(f"/heures/mises-a-l-emploi/{entry.assignment_id}/modifier/")
    assert page.context["cancel_url"] == f"/heures/mises-a-l-emploi/{entry.assignment_id}/"
