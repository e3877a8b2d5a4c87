"""The admin is the manager's: every page of our models opens for the manager (and only for the
manager), shows the clause's two numbers of hours, records who changed hours, speaks French."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from hours.models import HoursEntry
from markets.models import Stage, StageChange
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory, SiaePurchaseFactory
from tests.markets.factories import AwardFactory, ClauseFactory, OperationFactory
from tests.participants.factories import OutcomeFactory

pytestmark = pytest.mark.django_db
APPS = ["companies", "markets", "participants", "hours"]


def our_models():
    return [m for m in admin.site._registry if m._meta.app_label in APPS]


@pytest.fixture
def data():
    clause = ClauseFactory(stated_hours=Decimal(1000))  # 833,33 h by the formula, 1 000 h stated
    AwardFactory(lot=clause.lot, hours_committed=Decimal(600))
    OperationFactory(buyer=clause.lot.market.buyer)
    entry = HoursEntryFactory(assignment=AssignmentFactory(lot=clause.lot), draft=True)
    SiaePurchaseFactory(lot=ClauseFactory(siae_labour_share=Decimal("0.5"), siae_hourly_cost=Decimal(30)).lot)
    OutcomeFactory(participant=entry.assignment.participant)
    return {"clause": clause, "entry": entry}


def test_every_model_of_the_domain_is_in_the_admin():
    names = {m.__name__ for m in our_models()}
    assert names >= {
        "Company",
        "Contact",
        "Sector",
        "Buyer",
        "Operation",
        "Market",
        "Lot",
        "Clause",
        "Award",
        "StageChange",
        "Participant",
        "Criterion",
        "Outcome",
        "Assignment",
        "HoursEntry",
        "SiaePurchase",
    }


def test_manager_opens_every_list_add_and_change_page(client, manager, data):
    client.force_login(manager)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in our_models():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{info}_changelist")).status_code == 200, info
        assert client.get(reverse(f"{info}_changelist"), {"q": "dunkerque"}).status_code == 200, info
        assert client.get(reverse(f"{info}_add")).status_code == 200, info
        obj = model.objects.first()
        if obj is not None:
            assert client.get(reverse(f"{info}_change", args=[obj.pk])).status_code == 200, info


def test_other_roles_stay_out(client, facilitator, reader, data):
    url = reverse("admin:hours_hoursentry_changelist")
    for user in (facilitator, reader):
        client.force_login(user)
        assert client.get(url).status_code == 302  # not staff: to the admin's login page
    staff_facilitator = UserFactory(username="staff-facilitatrice", facilitator=True, is_staff=True)
    client.force_login(staff_facilitator)
    assert client.get(url).status_code == 403
    assert "hours" not in client.get(reverse("admin:index")).content.decode()


def test_clause_shows_both_numbers_of_hours(client, manager, data):
    client.force_login(manager)
    lot = data["clause"].lot
    page = client.get(reverse("admin:markets_lot_change", args=[lot.pk])).content.decode()
    assert "Heures par la formule" in page and "833,33" in page
    assert "1\xa0000,00" in page or "1000,00" in page
    assert "le nombre fixé par l&#x27;acheteur" in page
    listing = client.get(reverse("admin:markets_clause_changelist")).content.decode()
    assert "833,33" in listing


def test_manager_validates_hours_and_the_history_says_who(client, manager, data):
    entry = data["entry"]
    client.force_login(manager)
    url = reverse("admin:hours_hoursentry_change", args=[entry.pk])
    form = {
        "assignment": entry.assignment_id,
        "month": "01/03/2025",
        "hours": "120,5",
        "training_hours": "0",
        "status": HoursEntry.Status.VALIDATED,
        "source": HoursEntry.Source.MANUAL,
        "source_file": "",
    }
    response = client.post(url, {**form, "hours": "800"})
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur est inférieure ou égale à 744." in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal("151.67") and entry.status == HoursEntry.Status.DRAFT

    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.hours == Decimal("120.50") and entry.validated_by == manager and entry.validated_at
    last = entry.history.first()
    assert (last.history_user, last.hours, last.status) == (manager, Decimal("120.50"), "validee")
    history = client.get(reverse("admin:hours_hoursentry_history", args=[entry.pk]))
    assert history.status_code == 200


def test_changing_a_stage_in_the_admin_records_it(client, manager, data):
    market = data["clause"].lot.market
    client.force_login(manager)
    url = reverse("admin:markets_market_change", args=[market.pk])
    page = client.get(url)
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form.update(
        {
            "buyer": market.buyer_id,
            "reference": market.reference,
            "title": market.title,
            "stage": Stage.FINISHED,
            "stage_reached_on": "02/03/2026",
            "starts_on": "01/01/2025",
            "ends_on": "31/12/2025",
            "facilitator": manager.pk,
            "estimated_amount": "",
            "estimated_hours": "",
        }
    )
    for prefix in ("lots", "stage_changes"):
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = StageChange.objects.get(market=market)
    assert (change.stage, change.date, change.by) == (Stage.FINISHED, datetime.date(2026, 3, 2), manager)


def test_hours_list_runs_a_constant_number_of_queries(client, manager, django_assert_max_num_queries):
    for _ in range(50):
        HoursEntryFactory()
    client.force_login(manager)
    for name in ("hours_hoursentry", "hours_assignment", "markets_award", "markets_clause", "markets_lot"):
        with django_assert_max_num_queries(15):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_the_manager_manages_the_team_accounts(client):
    from django.contrib.auth.models import Group, User

    manager = UserFactory(username="chef", manager=True)
    client.force_login(manager)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nouvelle",
            "password1": "Dunkerque-2026!",
            "password2": "Dunkerque-2026!",
            "first_name": "Léa",
            "groups": [Group.objects.get(name="Responsable").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="nouvelle")
    assert created.groups.filter(name="Responsable").exists() and created.is_staff
    assert not created.is_superuser


def test_the_manager_cannot_touch_a_superuser_nor_grant_superuser(client):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(UserFactory(username="chef", manager=True))
    response = client.post(reverse("admin:auth_user_change", args=[root.pk]), {"username": "pirate"})
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.username == "root"
    other = UserFactory(username="claire", facilitator=True)
    page = client.get(reverse("admin:auth_user_change", args=[other.pk])).content.decode()
    assert 'name="is_superuser"' not in page


def test_a_facilitator_cannot_manage_accounts(client):
    client.force_login(UserFactory(username="claire", facilitator=True, is_staff=True))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
