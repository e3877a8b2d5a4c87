"""The team's activity per facilitator, against hand-built data seen on 10/03/2026."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from hours.models import Assignment, HoursEntry
from markets.models import Stage
from reporting import activity
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import ClauseFactory, MarketFactory

D = Decimal
TODAY = datetime.date(2026, 3, 10)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def month(year, m):
    return datetime.date(year, m, 1)


def lot_of(reference, facilitator, stage=Stage.EXECUTION, **kwargs):
    m = MarketFactory(
        reference=reference,
        facilitator=facilitator,
        stage=stage,
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2026, 12, 31),
        **kwargs,
    )
    return ClauseFactory(lot__market=m, lot__number="1").lot


def entries(assignment, months, **kwargs):
    return [HoursEntryFactory(assignment=assignment, month=m, hours=D(100), **kwargs) for m in months]


@pytest.fixture
def team(db):
    claire = UserFactory(username="claire", first_name="Claire", last_name="Vasseur", facilitator=True)
    manon = UserFactory(username="manon", first_name="Manon", last_name="Lefebvre", facilitator=True)
    boss = UserFactory(username="sophie", first_name="Sophie", last_name="Declercq", manager=True)
    UserFactory(username="lecteur", reader=True)
    lots = {
        "A": lot_of("MA", claire),
        "B": lot_of("MB", claire),
        "C": lot_of("MC", manon),
        "D": lot_of("MD", manon),
        "E": lot_of("ME", None),
    }
    lot_of("MF", claire, stage=Stage.STUDY)
    lot_of("MG", claire, stage=Stage.FINISHED)
    lot_of("MH", manon, archived=True)
    a1 = AssignmentFactory(lot=lots["A"], starts_on=datetime.date(2025, 9, 15), ends_on=None)
    entries(a1, [month(2025, 9), month(2025, 10), month(2025, 11), month(2025, 12)])
    (jan_draft,) = entries(a1, [month(2026, 1)], draft=True)
    a2 = AssignmentFactory(lot=lots["A"], starts_on=datetime.date(2025, 10, 1), ends_on=None)
    entries(a2, [month(2025, 10), month(2025, 11), month(2025, 12)])  # January missing: late
    a3 = AssignmentFactory(lot=lots["B"], starts_on=datetime.date(2026, 1, 10), ends_on=None)
    (b_draft,) = entries(a3, [month(2026, 1)], draft=True)  # February missing: not late yet
    a4 = AssignmentFactory(
        lot=lots["C"], starts_on=datetime.date(2025, 11, 1), ends_on=datetime.date(2025, 12, 31)
    )
    entries(a4, [month(2025, 11)])  # December missing (its last month): late
    AssignmentFactory(lot=lots["C"], starts_on=datetime.date(2026, 3, 1), ends_on=None)  # starts this month
    a6 = AssignmentFactory(lot=lots["D"], starts_on=datetime.date(2025, 6, 1), ends_on=None)
    entries(a6, [month(2025, m) for m in range(6, 13)] + [month(2026, 1), month(2026, 2)])  # up to date

    # Entered this month by Claire (Paris time): two entries; one the evening before (28/02) does not count.
    def entered(entry, by, when):
        HoursEntry.objects.filter(pk=entry.pk).update(entered_by=by, created_at=when)

    entered(jan_draft, claire, datetime.datetime(2026, 3, 1, 0, 30, tzinfo=PARIS))
    entered(b_draft, claire, datetime.datetime(2026, 3, 9, 14, 0, tzinfo=PARIS))
    entered(
        HoursEntry.objects.get(assignment=a6, month=month(2026, 2)),
        claire,
        datetime.datetime(2026, 2, 28, 23, 30, tzinfo=PARIS),
    )
    # Assignments created this month by Manon (history's creation record).
    history = Assignment.history.filter(history_type="+")
    history.filter(id=a6.pk).update(
        history_user=manon, history_date=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
    )
    history.filter(id=a4.pk).update(
        history_user=manon, history_date=datetime.datetime(2026, 2, 27, 9, 0, tzinfo=PARIS)
    )
    return {"claire": claire, "manon": manon, "boss": boss, "lots": lots}


def test_activity_per_facilitator(team):
    result = activity.build(today=TODAY)
    assert result.month == month(2026, 3) and result.late_before == month(2026, 1)
    members = {m.name: m for m in result.members}
    # the team by first then last name, as every list of colleagues (clauses_site.roles.team_members)
    assert list(members) == ["Claire Vasseur", "Manon Lefebvre", "Sophie Declercq", "Sans facilitatrice"]
    claire, manon, nobody = (
        members["Claire Vasseur"],
        members["Manon Lefebvre"],
        members["Sans facilitatrice"],
    )
    assert (claire.markets, claire.markets_in_execution) == (3, 2)  # MA MB MF; not MG (finished)
    assert (manon.markets, manon.markets_in_execution) == (2, 2)  # MC MD; not MH (archived)
    assert (nobody.markets, nobody.markets_in_execution) == (1, 1)
    assert (claire.entries_entered, claire.hours_entered) == (2, D(200))
    assert (manon.assignments_entered, claire.assignments_entered) == (1, 0)
    assert (claire.drafts, claire.draft_hours, manon.drafts) == (2, D(200), 0)
    assert members["Sophie Declercq"].markets == 0


def test_oldest_month_not_collected(team):
    lots = team["lots"]
    result = activity.build(today=TODAY)
    members = {m.name: m for m in result.members}
    claire = {c.lot.pk: c for c in members["Claire Vasseur"].lots}
    manon = {c.lot.pk: c for c in members["Manon Lefebvre"].lots}
    # MA: A2's January is missing (A1's only February): the lot's oldest is January → 2 months: late.
    assert (claire[lots["A"].pk].oldest_missing, claire[lots["A"].pk].months_late) == (month(2026, 1), 2)
    assert claire[lots["A"].pk].late
    # MB: February (last month) is being collected: not late.
    assert (claire[lots["B"].pk].oldest_missing, claire[lots["B"].pk].late) == (month(2026, 2), False)
    # MC: A4 ended in December without its December hours; the assignment starting in March is not due.
    assert (manon[lots["C"].pk].oldest_missing, manon[lots["C"].pk].months_late) == (month(2025, 12), 3)
    assert manon[lots["D"].pk].oldest_missing is None and not manon[lots["D"].pk].late
    assert [c.lot.market.reference for c in members["Manon Lefebvre"].lots] == ["MC", "MD"]
    nobody = members["Sans facilitatrice"].lots
    assert [(c.lot.market.reference, c.oldest_missing, c.late) for c in nobody] == [("ME", None, False)]
    assert sorted(c.lot.market.reference for c in result.late_lots) == ["MA", "MC"]


def test_activity_page(client, team, django_assert_max_num_queries, monkeypatch):
    import reporting.views_dashboard as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: TODAY)
    client.force_login(team["boss"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reporting:activity"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Claire Vasseur" in html and "Manon Lefebvre" in html
    assert "Heures non remontées depuis 2 mois" in html
    assert 'data-testid="late-lot"' in html and html.count('data-testid="late-lot"') == 2


def test_activity_is_refused_to_a_reader(client, team):
    client.force_login(UserFactory(username="lecteur"))
    assert client.get(reverse("reporting:activity")).status_code == 403
