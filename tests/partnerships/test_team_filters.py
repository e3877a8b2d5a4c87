"""Filters about the team: the journal's « Auteur » lists colleagues through
clauses_site.roles.team_members(); « Seulement les miennes » and « Mes marchés seulement » keep the rows
of the user looking."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clauses_site.months import add_months
from partnerships.filters import JournalFilter
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import JournalEntryFactory

pytestmark = pytest.mark.django_db


def test_the_author_filter_lists_the_team_and_former_authors():
    UserFactory(username="sd", first_name="Sophie", last_name="Deschodt", facilitator=True)
    UserFactory(username="nr", first_name="Nadia", last_name="Responsable", manager=True)
    UserFactory(username="lc", first_name="Léo", last_name="Lecteur", reader=True)  # writes no entry
    gone = UserFactory(
        username="ap", first_name="Anne", last_name="Partie", facilitator=True, is_active=False
    )
    UserFactory(username="bp", first_name="Bruno", last_name="Parti", facilitator=True, is_active=False)
    UserFactory(username="sansnom", first_name="", last_name="", facilitator=True)
    JournalEntryFactory(author=gone)
    field = JournalFilter().form.fields["author"]
    assert [label for value, label in field.choices] == [
        "Tous",
        "sansnom",
        "Anne Partie",
        "Nadia Responsable",
        "Sophie Deschodt",
    ]


def _logged_in(client, user):
    client.force_login(user)
    return client


def test_mine_keeps_the_follow_ups_i_wrote(client):
    me = UserFactory(username="moi", facilitator=True)
    other = UserFactory(username="autre", facilitator=True)
    today = timezone.localdate()
    JournalEntryFactory(subject="La mienne", author=me, follow_up_on=today)
    JournalEntryFactory(subject="Celle d'une collègue", author=other, follow_up_on=today)
    url = reverse("partnerships:journal_follow_ups")
    client = _logged_in(client, me)
    assert sorted(e.subject for e in client.get(url).context["table"].data) == [
        "Celle d'une collègue",
        "La mienne",
    ]
    assert [e.subject for e in client.get(url, {"mine": "on"}).context["table"].data] == ["La mienne"]


def test_mine_keeps_the_outcomes_due_on_my_markets(client):
    me = UserFactory(username="moi", facilitator=True)
    other = UserFactory(username="autre", facilitator=True)
    today = timezone.localdate()
    for name, facilitator in (("Mienne", me), ("Autre", other)):
        AssignmentFactory(
            participant=ParticipantFactory(last_name=name),
            lot__market__facilitator=facilitator,
            starts_on=add_months(today, -12),
            ends_on=add_months(today, -7),
        )
    client = _logged_in(client, me)
    for name in ("outcomes_end", "outcomes_six_months"):
        url = reverse(f"partnerships:{name}")
        everyone = client.get(url).context["table"].data
        assert sorted(a.participant.last_name for a in everyone) == ["Autre", "Mienne"], name
        mine = client.get(url, {"mine": "on"}).context["table"].data
        assert [a.participant.last_name for a in mine] == ["Mienne"], name
