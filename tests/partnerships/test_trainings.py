"""Trainings: trainees, places, the hours recorded on a lot (counted by hours/queries.py only where the
clause counts training, once validated), the participant's page section, the lists."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from clauses_site.roles import FACILITATOR, READER
from hours.models import Assignment, HoursEntry, Modality
from hours.queries import lots_with_hours
from markets.models import Lot
from partnerships import trainings
from partnerships.models import Trainee
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.markets.factories import ClauseFactory, LotFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import TraineeFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def test_split_by_month_follows_the_days_of_training():
    # 10 days in March (22–31), 5 in April (1–5): 70 h → 46,67 + 23,33
    assert trainings.split_by_month(datetime.date(2025, 3, 22), datetime.date(2025, 4, 5), Decimal("70")) == [
        (datetime.date(2025, 3, 1), Decimal("46.67")),
        (datetime.date(2025, 4, 1), Decimal("23.33")),
    ]
    assert trainings.split_by_month(datetime.date(2025, 3, 3), None, Decimal("7")) == [
        (datetime.date(2025, 3, 1), Decimal("7"))
    ]
    three = trainings.split_by_month(datetime.date(2025, 1, 31), datetime.date(2025, 3, 1), Decimal("100"))
    assert sum(h for _, h in three) == Decimal("100")
    assert [m.month for m, _ in three] == [1, 2, 3]


@pytest.fixture
def training_on_lot():
    """A 105 h training from 24/03 to 11/04/2025 (8 days in March, 11 in April) for a lot whose clause
    counts training, credited to Bâti Nord, funded by a temp agency."""
    lot = LotFactory()
    ClauseFactory(lot=lot, training_counts=True)
    company = CompanyFactory(name="Bâti Nord")
    funder = CompanyFactory(name="Intérim Littoral", kind="ETT")
    return TrainingFactory(
        lot=lot,
        company=company,
        funder=funder,
        starts_on=datetime.date(2025, 3, 24),
        ends_on=datetime.date(2025, 4, 11),
        hours=Decimal("105"),
    )


def test_training_hours_are_recorded_on_the_lot_as_a_training_assignment(training_on_lot):
    trainee = TraineeFactory(training=training_on_lot, hours_attended=Decimal("95"))
    user = UserFactory(facilitator=True)
    assignment = trainings.record_training_hours(trainee, user)
    assert (assignment.modality, assignment.contract_type) == (Modality.TRAINING, "autre")
    assert (assignment.lot, assignment.company, assignment.employer.name) == (
        training_on_lot.lot,
        training_on_lot.company,
        "Intérim Littoral",
    )
    assert (assignment.starts_on, assignment.ends_on) == (
        datetime.date(2025, 3, 24),
        datetime.date(2025, 4, 11),
    )
    entries = list(
        assignment.entries.order_by("month").values_list("month", "hours", "training_hours", "status")
    )
    assert entries == [
        (datetime.date(2025, 3, 1), Decimal("0.00"), Decimal("40.00"), "brouillon"),  # 95 × 8/19
        (datetime.date(2025, 4, 1), Decimal("0.00"), Decimal("55.00"), "brouillon"),
    ]
    trainee.refresh_from_db()
    assert trainee.hours_assignment == assignment
    with pytest.raises(ValidationError) as error:
        trainings.record_training_hours(trainee, user)
    assert error.value.messages == [
        "Les heures de formation de cette personne sont déjà reportées sur le lot."
    ]


def test_recorded_training_hours_count_once_validated_and_only_where_the_clause_says_so(training_on_lot):
    trainee = TraineeFactory(training=training_on_lot)
    assignment = trainings.record_training_hours(trainee)
    lot = training_on_lot.lot

    def done():
        return lots_with_hours(Lot.objects.filter(pk=lot.pk)).get().hours_done

    assert done() == Decimal("0")  # drafts do not count
    for entry in assignment.entries.all():
        entry.validate(None)
        entry.save()
    assert done() == Decimal("105.00")
    lot.clause.training_counts = False
    lot.clause.save()
    assert done() == Decimal("0")


def test_training_hours_need_a_lot(client_for):
    trainee = TraineeFactory(training=TrainingFactory())
    response = client_for(FACILITATOR).post(
        reverse("partnerships:trainee_hours", args=[trainee.pk]), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "La formation n'indique pas le lot préparé ni l'entreprise créditée."
    ]
    assert Assignment.objects.count() == 0


def test_recording_hours_through_the_page(client_for, training_on_lot):
    trainee = TraineeFactory(training=training_on_lot)
    client = client_for(FACILITATOR)
    assert (
        client_for(READER).post(reverse("partnerships:trainee_hours", args=[trainee.pk])).status_code == 403
    )
    response = client.post(reverse("partnerships:trainee_hours", args=[trainee.pk]), follow=True)
    assert HoursEntry.objects.filter(assignment__participant=trainee.participant).count() == 2
    assert "reportées sur" in str(list(response.context["messages"])[0])


def test_trainees_are_limited_to_the_places(client_for):
    training = TrainingFactory(places=2)
    TraineeFactory(training=training)
    TraineeFactory(training=training)
    person = ParticipantFactory()
    response = client_for(FACILITATOR).post(
        reverse("partnerships:trainee_create", args=[training.pk]),
        {"participant": person.pk, "outcome": "a_renseigner"},
    )
    assert response.context["form"].non_field_errors() == [
        "La formation est complète : 2 places, 2 stagiaires inscrits."
    ]
    assert Trainee.objects.count() == 2


def test_a_person_is_enrolled_once(client_for):
    trainee = TraineeFactory()
    response = client_for(FACILITATOR).post(
        reverse("partnerships:trainee_create", args=[trainee.training_id]),
        {"participant": trainee.participant_id, "outcome": "a_renseigner"},
    )
    assert response.context["form"].errors["participant"] == [
        "Cette personne est déjà inscrite à cette formation."
    ]


def test_a_training_needs_its_body(client_for):
    response = client_for(FACILITATOR).post(
        reverse("partnerships:training_create"),
        {"title": "CACES", "starts_on": "2025-03-03", "hours": "35", "body_name": ""},
    )
    assert response.context["form"].errors["body"] == [
        "Indiquez l'organisme de formation (dans la liste, ou tapez son nom)."
    ]
    response = client_for(FACILITATOR).post(
        reverse("partnerships:training_create"),
        {"title": "CACES", "starts_on": "2025-03-03", "hours": "35,5", "body_name": "AFPA"},
    )
    assert response.status_code == 302


def test_the_reader_sees_a_training_with_counts_not_names(client_for):
    training = TrainingFactory()
    TraineeFactory(
        training=training, participant=ParticipantFactory(last_name="Dupont"), outcome="embauche_clause"
    )
    TraineeFactory(training=training, outcome="sans_embauche")
    response = client_for(READER).get(reverse("partnerships:training_detail", args=[training.pk]))
    text = response.content.decode()
    assert "DUPONT" not in text
    assert response.context["trainee_total"] == 2
    assert dict(response.context["outcome_counts"])["Embauché(e) sur une clause"] == 1
    assert (
        "DUPONT"
        in client_for(FACILITATOR)
        .get(reverse("partnerships:training_detail", args=[training.pk]))
        .content.decode()
    )


def test_training_list_runs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    funder = CompanyFactory(etti=True)
    for index in range(50):
        training = TrainingFactory(
            funder=funder,
            lot=LotFactory(),
            company=funder,
            starts_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=index),
        )
        TraineeFactory(training=training, outcome="embauche_clause")
        TraineeFactory(training=training)
    client = client_for(READER)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:training_list"))
    rows = response.context["table"].page.object_list
    assert len(rows) == 50
    first = rows[0].record
    assert (first.trainee_count, first.hired_count) == (2, 1)


def test_the_participant_page_section():
    person = ParticipantFactory()
    training = TrainingFactory(title="CACES R482", hours=Decimal("35"))
    TraineeFactory(training=training, participant=person, hours_attended=Decimal("28"))
    template = Template("{% load partnerships_tags %}{% participant_partnerships person %}")
    request = RequestFactory().get("/")
    request.user = UserFactory(facilitator=True)
    html = template.render(Context({"request": request, "person": person}))
    assert "CACES R482" in html and "28,00" in html
    request.user = UserFactory(username="lecteur", reader=True)
    assert "CACES" not in template.render(Context({"request": request, "person": person}))


def test_the_participant_page_shows_trainings(client):
    person = ParticipantFactory()
    training = TrainingFactory(title="CACES R482", hours=Decimal("35"))
    TraineeFactory(training=training, participant=person, hours_attended=Decimal("28"))
    client.force_login(UserFactory(facilitator=True))
    page = client.get(reverse("participants:participant_detail", args=[person.pk])).content.decode()
    assert "CACES R482" in page and "28,00" in page
