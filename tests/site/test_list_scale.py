"""The big lists at the national scale (issue 14 item 2): the entries list counts at most so many rows
(« plus de 10 000 résultats »), its order is total (month, then primary key: one index scan), the
facilitator filter's choices are one row per colleague, and the pages run the same number of queries
whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hours.filters import facilitators
from hours.views import EntryList
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

ENTRIES = reverse("hours:entry_list")
PARTICIPANTS = reverse("participants:participant_list")

pytestmark = pytest.mark.django_db


def entries(count, month=datetime.date(2025, 3, 1), lot=None):
    lot = lot or LotFactory()
    return [HoursEntryFactory(assignment=AssignmentFactory(lot=lot), month=month) for _ in range(count)]


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_entry_count_stops_at_the_limit(client_for, monkeypatch):
    entries(5)
    client = client_for("Responsable")
    monkeypatch.setattr(EntryList, "count_limit", 3)
    response = client.get(ENTRIES)
    assert response.context["result_count"] == 3
    assert response.context["result_count_capped"] is True
    assert 'data-testid="result-count" aria-live="polite">plus de 3 résultats<' in response.content.decode()
    monkeypatch.setattr(EntryList, "count_limit", 5)  # exactly the limit: the exact count
    response = client.get(ENTRIES)
    assert (response.context["result_count"], response.context["result_count_capped"]) == (5, False)
    assert 'aria-live="polite">5 résultats<' in response.content.decode()


def test_capped_list_pages_stop_at_the_limit(client_for, monkeypatch):
    entries(7)
    monkeypatch.setattr(EntryList, "count_limit", 4)
    monkeypatch.setattr(EntryList, "table_pagination", {"per_page": 2})
    response = client_for("Responsable").get(ENTRIES + "?page=2")
    table = response.context["table"]
    assert (table.paginator.num_pages, len(table.page.object_list)) == (2, 2)


def test_filtered_entries_counted_exactly_under_the_limit(client_for):
    drafts = entries(3)
    for entry in drafts[:2]:
        entry.status = entry.Status.DRAFT
        entry.save()
    response = client_for("Responsable").get(ENTRIES + "?status=brouillon")
    assert (response.context["result_count"], response.context["result_count_capped"]) == (2, False)


def test_entries_newest_month_first_then_newest_entry(client_for):
    march = entries(3)
    april = entries(2, month=datetime.date(2025, 4, 1))
    response = client_for("Responsable").get(ENTRIES)
    shown = [e.pk for e in response.context["table"].page.object_list.data]
    assert shown == [april[1].pk, april[0].pk, march[2].pk, march[1].pk, march[0].pk]
    response = client_for("Responsable").get(ENTRIES + "?sort=month")
    shown = [e.pk for e in response.context["table"].page.object_list.data]
    assert shown == [march[0].pk, march[1].pk, march[2].pk, april[0].pk, april[1].pk]


def test_facilitator_choices_one_row_per_colleague():
    claire = UserFactory(username="claire", first_name="Claire", facilitator=True)
    gone = UserFactory(username="ines", first_name="Inès", facilitator=True, is_active=False)
    UserFactory(username="sophie", first_name="Sophie", facilitator=True)  # no market
    for _ in range(3):
        MarketFactory(facilitator=claire)
    MarketFactory(facilitator=gone)
    MarketFactory(facilitator=None)
    assert [u.username for u in facilitators()] == ["claire", "ines"]
    # The markets in a subquery: no join multiplying each colleague by their markets (squared).
    assert 'JOIN "markets_market"' not in str(facilitators().query)


def test_entry_list_queries_do_not_grow_with_the_rows(client_for):
    client = client_for("Responsable")
    entries(3)
    few, _ = queries_of(client, ENTRIES)
    entries(60)
    many, response = queries_of(client, ENTRIES)
    assert len(response.context["table"].page.object_list) == 50
    assert many == few


def test_assignments_newest_start_first_then_newest(client_for):
    lot = LotFactory()
    same_day = [AssignmentFactory(lot=lot, starts_on=datetime.date(2025, 2, 3)) for _ in range(3)]
    later = AssignmentFactory(lot=lot, starts_on=datetime.date(2025, 5, 1))
    response = client_for("Responsable").get(reverse("hours:assignment_list"))
    shown = [a.pk for a in response.context["table"].page.object_list.data]
    assert shown == [later.pk, same_day[2].pk, same_day[1].pk, same_day[0].pk]


def test_participants_contracts_counted_per_row_not_by_a_grouped_join(client_for):
    busy = ParticipantFactory(last_name="Aubert")
    ParticipantFactory(last_name="Bernard")  # no contract: 0
    AssignmentFactory(participant=busy)
    AssignmentFactory(participant=busy, starts_on=datetime.date(2025, 6, 2))
    client = client_for("Facilitatrice")
    count, response = queries_of(client, PARTICIPANTS)
    rows = response.context["table"].page.object_list.data
    assert [(p.last_name, p.assignment_count) for p in rows] == [("Aubert", 2), ("Bernard", 0)]
    assert response.context["result_count"] == 2
    with CaptureQueriesContext(connection) as captured:
        client.get(PARTICIPANTS)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1 and "hours_assignment" not in counts[0]  # a plain count of people
    ParticipantFactory.create_batch(55)
    assert queries_of(client, PARTICIPANTS)[0] == count


def test_assignment_list_queries_do_not_grow_with_the_rows(client_for):
    client = client_for("Responsable")
    lot = LotFactory()
    AssignmentFactory(lot=lot)
    few, _ = queries_of(client, reverse("hours:assignment_list"))
    for _ in range(55):
        HoursEntryFactory(assignment=AssignmentFactory(lot=lot))
    assert queries_of(client, reverse("hours:assignment_list"))[0] == few


def test_lot_page_lists_the_most_recent_assignments_and_counts_them_all(client_for, monkeypatch):
    from markets import views as market_views

    lot = LotFactory()
    person = ParticipantFactory()
    for day in (3, 10, 17):
        AssignmentFactory(lot=lot, participant=person, starts_on=datetime.date(2025, 2, day))
    AssignmentFactory(lot=lot, starts_on=datetime.date(2025, 1, 6))
    monkeypatch.setattr(market_views, "LOT_ASSIGNMENTS_SHOWN", 2)
    url = reverse("markets:lot_detail", args=[lot.pk])
    response = client_for("Facilitatrice").get(url)
    shown = [a.starts_on.day for a in response.context["assignments"]]
    assert (shown, response.context["assignment_count"], response.context["people"]) == ([17, 10], 4, 2)
    html = response.content.decode()
    assert '<span class="badge text-bg-light border">4</span>' in html
    assert f'href="{reverse("hours:assignment_list")}?lot={lot.pk}">toutes les mises à l' in html
    html = client_for("Lecteur").get(url).content.decode()  # read-only role: no link to the people
    assert "Les 2 plus récentes." in html and "toutes les mises" not in html
    monkeypatch.setattr(market_views, "LOT_ASSIGNMENTS_SHOWN", 4)
    assert "plus récentes" not in client_for("Facilitatrice").get(url).content.decode()


def test_assignment_count_stops_at_the_limit(client_for, monkeypatch):
    from hours.views import AssignmentList

    lot = LotFactory()
    AssignmentFactory.create_batch(3, lot=lot)
    monkeypatch.setattr(AssignmentList, "count_limit", 2)
    response = client_for("Responsable").get(reverse("hours:assignment_list"))
    assert (response.context["result_count"], response.context["result_count_capped"]) == (2, True)
    assert "plus de 2 résultats" in response.content.decode()


def test_market_stage_filter_without_distinct(client_for):
    from markets.models import Stage

    running = MarketFactory(stage=Stage.EXECUTION)
    awarded = MarketFactory(stage=Stage.AWARDED)
    MarketFactory(stage=Stage.PUBLISHED)
    client = client_for("Facilitatrice")
    url = reverse("markets:market_list") + f"?stage={Stage.EXECUTION}&stage={Stage.AWARDED}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert sorted(m.pk for m in response.context["table"].page.object_list.data) == [running.pk, awarded.pk]
    assert response.context["result_count"] == 2
    markets = [q["sql"] for q in captured.captured_queries if 'FROM "markets_market"' in q["sql"]]
    assert markets and not any("DISTINCT" in sql for sql in markets)


def test_lot_page_queries_do_not_grow_with_the_assignments(client_for):
    lot = LotFactory()
    HoursEntryFactory(assignment=AssignmentFactory(lot=lot))
    client = client_for("Facilitatrice")
    url = reverse("markets:lot_detail", args=[lot.pk])
    few, _ = queries_of(client, url)
    for n in range(30):
        HoursEntryFactory(assignment=AssignmentFactory(lot=lot), draft=bool(n % 2))
    assert queries_of(client, url)[0] == few


def test_participants_and_market_lists_queries_do_not_grow_with_the_rows(client_for):
    client = client_for("Responsable")
    lot = LotFactory()
    AssignmentFactory(lot=lot)
    urls = [PARTICIPANTS, reverse("markets:market_list") + "?stage=execution&stage=attribue"]
    few = [queries_of(client, url)[0] for url in urls]
    for _ in range(55):
        market = MarketFactory(stage="execution")
        AssignmentFactory(lot=LotFactory(market=market))
    assert [queries_of(client, url)[0] for url in urls] == few
