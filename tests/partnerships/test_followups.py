"""Outcomes to record at the end of the contract and six months later: which people are due (computed
from assignments and outcomes), the lists, and recording an outcome from a row."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clauses_site.months import add_months
from clauses_site.roles import FACILITATOR, READER
from participants.models import Outcome
from partnerships import followups
from tests.hours.factories import AssignmentFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 11, 15)


def person(name):
    return ParticipantFactory(last_name=name)


def ended(who, ends_on, starts_on=None):
    starts_on = min(starts_on or D(2025, 1, 6), ends_on)
    return AssignmentFactory(participant=who, starts_on=starts_on, ends_on=ends_on)


@pytest.fixture
def paths():
    """Ten people (see each line); today is 15/11/2025."""
    alice = person("Alice")
    ended(alice, D(2025, 3, 31))  # due at the end and at six months (30/09)
    bruno = person("Bruno")
    ended(bruno, D(2025, 2, 28))  # superseded by his later contract
    ended(bruno, D(2025, 4, 30), starts_on=D(2025, 3, 3))  # due at the end and at six months (30/10)
    chloe = person("Chloe")
    ended(chloe, D(2025, 5, 31))
    OutcomeFactory(participant=chloe, timing=Outcome.Timing.END, date=D(2025, 5, 31))
    OutcomeFactory(participant=chloe, timing=Outcome.Timing.SIX_MONTHS, date=D(2025, 11, 30))  # both recorded
    dylan = person("Dylan")
    ended(dylan, D(2025, 5, 2))  # due on 02/11
    OutcomeFactory(participant=dylan, timing=Outcome.Timing.SIX_MONTHS, date=D(2025, 1, 15))  # an older path
    emma = person("Emma")
    ended(emma, D(2025, 8, 31))  # six months on 28/02/2026: only the end is due
    fanny = person("Fanny")
    ended(fanny, D(2025, 3, 31))
    AssignmentFactory(participant=fanny, starts_on=D(2025, 4, 1), ends_on=None)  # still at work: nothing due
    gael = person("Gael")
    ended(gael, TODAY)  # ends today: nothing due yet
    hugo = person("Hugo")
    ended(hugo, D(2025, 5, 15))  # six months due today
    ines = person("Ines")
    ended(ines, D(2025, 5, 16))  # six months due tomorrow
    jules = person("Jules")
    ended(jules, D(2025, 1, 31))
    ended(jules, D(2025, 1, 31), starts_on=D(2025, 1, 13))  # two contracts ending the same day: one follow-up


def names(assignments):
    return sorted(a.participant.last_name for a in assignments.select_related("participant"))


def test_six_month_follow_ups_due(paths):
    assert names(followups.six_month_outcomes_due(TODAY)) == ["Alice", "Bruno", "Dylan", "Hugo", "Jules"]
    bruno = followups.six_month_outcomes_due(TODAY).get(participant__last_name="Bruno")
    assert bruno.ends_on == D(2025, 4, 30)
    assert followups.six_month_due_on(bruno.ends_on) == D(2025, 10, 30)


def test_end_outcomes_due(paths):
    assert names(followups.end_outcomes_due(TODAY)) == [
        "Alice",
        "Bruno",
        "Dylan",
        "Emma",
        "Hugo",
        "Ines",
        "Jules",
    ]


@pytest.mark.parametrize("today", [TODAY, D(2025, 11, 14), D(2025, 5, 1), D(2026, 3, 1)])
def test_both_counts_in_one_query_are_those_of_the_lists(paths, today, django_assert_num_queries):
    # on 15/11/2025: the seven above at the end, the five above at six months
    expected = (followups.end_outcomes_due(today).count(), followups.six_month_outcomes_due(today).count())
    with django_assert_num_queries(1):
        assert followups.due_counts(today) == expected
    if today == TODAY:
        assert expected == (7, 5)


def test_six_month_follow_ups_soon(paths):
    # Ines (16/11) and Emma (28/02/2026) are ahead; within 30 days: Ines only.
    assert names(followups.six_month_outcomes_soon(TODAY)) == ["Ines"]


@pytest.mark.parametrize(
    "today,latest",
    [
        (D(2025, 11, 15), D(2025, 5, 15)),
        (D(2025, 8, 31), D(2025, 2, 28)),  # 28/02 + 6 months = 28/08; 01/03 + 6 = 01/09
        (D(2025, 2, 28), D(2024, 8, 31)),  # 29, 30 and 31/08 + 6 months all fall on 28/02
        (D(2024, 2, 29), D(2023, 8, 31)),
    ],
)
def test_the_latest_end_whose_six_months_have_passed(today, latest):
    assert followups.latest_end_for_six_months(today) == latest
    assert (
        followups.six_month_due_on(latest)
        <= today
        < followups.six_month_due_on(latest + datetime.timedelta(1))
    )


def test_recording_an_outcome_takes_the_person_off_the_list(paths):
    alice = followups.six_month_outcomes_due(TODAY).get(participant__last_name="Alice")
    outcome = followups.record_outcome(alice, Outcome.Timing.SIX_MONTHS, Outcome.Kind.CDI, TODAY)
    assert (outcome.timing, outcome.kind, outcome.date) == ("6mois", "cdi", TODAY)
    assert "Alice" not in names(followups.six_month_outcomes_due(TODAY))
    assert "Alice" in names(followups.end_outcomes_due(TODAY))  # the end outcome is still to record
    end = followups.record_outcome(alice, Outcome.Timing.END, Outcome.Kind.CDD_SHORT, TODAY)
    assert end.date == D(2025, 3, 31)  # dated the end of the contract
    with pytest.raises(ValidationError) as error:
        followups.record_outcome(alice, Outcome.Timing.END, Outcome.Kind.CDI, TODAY)
    assert error.value.messages == ["Ce suivi n'est plus à faire : la sortie a déjà été enregistrée."]
    assert Outcome.objects.filter(participant=alice.participant).count() == 2


# --- screens ----------------------------------------------------------------------------------------------


@pytest.fixture
def due_now():
    """One person whose last contract ended seven months ago (both outcomes due today)."""
    today = timezone.localdate()
    return AssignmentFactory(
        participant=ParticipantFactory(last_name="Dupont", first_name="Élodie"),
        starts_on=add_months(today, -12),
        ends_on=add_months(today, -7),
    )


def test_the_lists_name_people_for_the_team_only(client_for, due_now):
    for name in ("outcomes_six_months", "outcomes_end"):
        response = client_for(FACILITATOR).get(reverse(f"partnerships:{name}"))
        assert [a.participant.last_name for a in response.context["table"].data] == ["Dupont"], name
        text = response.content.decode()
        assert "DUPONT" in text
        row = text[text.index(f'id="suivi-{due_now.pk}"') :]
        row = row[: row.index("</tr>")]
        assert 'name="csrfmiddlewaretoken"' in row and 'name="kind"' in row  # the two-click form
        assert f'name="timing" value="{"6mois" if name == "outcomes_six_months" else "fin"}"' in row
        assert client_for(READER).get(reverse(f"partnerships:{name}")).status_code == 403


def test_recording_from_a_row_without_javascript(client_for, due_now):
    client = client_for(FACILITATOR)
    url = reverse("partnerships:outcome_record", args=[due_now.pk])
    response = client.post(url, {"timing": "6mois", "kind": "cdd6"}, follow=True)
    outcome = Outcome.objects.get()
    assert (outcome.timing, outcome.kind, outcome.date) == ("6mois", "cdd6", timezone.localdate())
    assert [str(m) for m in response.context["messages"]] == [
        f"Sortie enregistrée pour DUPONT Élodie : {outcome}."
    ]
    assert response.context["table"].data.data.count() == 0  # back on the list, now empty
    again = client.post(url, {"timing": "6mois", "kind": "cdi"}, follow=True)
    assert "déjà été enregistrée" in str(list(again.context["messages"])[0])
    assert Outcome.objects.count() == 1


def test_recording_from_a_row_with_htmx(client_for, due_now):
    client = client_for(FACILITATOR)
    url = reverse("partnerships:outcome_record", args=[due_now.pk])
    response = client.post(url, {"timing": "fin", "kind": ""}, HTTP_HX_REQUEST="true")
    assert "Choisissez la sortie." in response.content.decode()
    assert Outcome.objects.count() == 0
    response = client.post(url, {"timing": "fin", "kind": "interim"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and text.strip().startswith("<tr")
    assert "Sortie enregistrée" in text and "Intérim de moins de 6 mois" in text
    assert Outcome.objects.get().date == due_now.ends_on


def test_the_reader_cannot_record(client_for, due_now):
    url = reverse("partnerships:outcome_record", args=[due_now.pk])
    assert client_for(READER).post(url, {"timing": "fin", "kind": "cdi"}).status_code == 403
    assert Outcome.objects.count() == 0


def test_follow_up_lists_run_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    today = timezone.localdate()
    for index in range(50):
        AssignmentFactory(
            starts_on=add_months(today, -14), ends_on=add_months(today, -7) - datetime.timedelta(index)
        )
    client = client_for(FACILITATOR)
    for name in ("outcomes_six_months", "outcomes_end"):
        with django_assert_max_num_queries(15):
            response = client.get(reverse(f"partnerships:{name}"))
        assert len(response.context["table"].page.object_list) == 50, name
