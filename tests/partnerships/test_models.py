"""Model rules of partnerships: ROME codes, positions, dates, trainees, journal entries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.models import JournalEntry, RecruitmentNeed, Trainee
from tests.hours.factories import AssignmentFactory
from tests.markets.factories import BuyerFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import (
    JournalEntryFactory,
    NeedFactory,
    TraineeFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed,stored", [("F1703", "F1703"), ("f1703", "F1703"), (" k 2204 ", "K2204")])
def test_rome_code_is_stored_upper_case_without_spaces(typed, stored):
    need = NeedFactory.build(lot=NeedFactory().lot, company=NeedFactory().company, rome_code=typed)
    need.full_clean()
    assert need.rome_code == stored


@pytest.mark.parametrize("typed", ["F170", "17030", "FF1703", "F17033", "F-1703"])
def test_a_malformed_rome_code_is_refused_in_french(typed):
    need = NeedFactory.build(lot=NeedFactory().lot, company=NeedFactory().company, rome_code=typed)
    with pytest.raises(ValidationError) as error:
        need.full_clean()
    assert error.value.message_dict["rome_code"] == [
        "Code ROME : une lettre suivie de quatre chiffres (ex. F1703)."
    ]


def test_a_need_has_at_least_one_position():
    need = NeedFactory.build(lot=NeedFactory().lot, company=NeedFactory().company, positions=0)
    with pytest.raises(ValidationError) as error:
        need.full_clean()
    assert error.value.message_dict["positions"] == ["Au moins un poste."]
    with pytest.raises(IntegrityError), transaction.atomic():
        RecruitmentNeed.objects.filter(pk=NeedFactory().pk).update(positions=0)


def test_duration_label():
    assert NeedFactory.build(duration_months=6, duration_note="").duration_label == "6 mois"
    assert NeedFactory.build(duration_months=None, duration_note="tout le chantier").duration_label == (
        "tout le chantier"
    )
    assert NeedFactory.build(duration_months=3, duration_note="renouvelable").duration_label == (
        "3 mois — renouvelable"
    )


def test_need_search_ignores_accents_and_case():
    NeedFactory(job="Électricien", rome_code="F1602")
    NeedFactory(job="Maçon", rome_code="F1703")
    assert [n.job for n in RecruitmentNeed.objects.search("electricien")] == ["Électricien"]
    assert [n.job for n in RecruitmentNeed.objects.search("MACON f1703")] == ["Maçon"]


def test_a_training_ends_after_it_starts_and_names_its_body_once():
    training = TrainingFactory.build(starts_on=datetime.date(2025, 3, 10), ends_on=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as error:
        training.full_clean()
    assert error.value.message_dict["ends_on"] == ["La fin ne peut pas précéder le début."]


def test_a_training_on_a_lot_names_the_company_credited():
    lot = NeedFactory().lot
    training = TrainingFactory.build(lot=lot, company=None)
    with pytest.raises(ValidationError) as error:
        training.full_clean()
    assert error.value.message_dict["company"] == [
        "Indiquez l'entreprise du lot à qui créditer les heures de formation."
    ]


def test_trainee_hours_default_to_the_training_and_cannot_exceed_it():
    trainee = TraineeFactory(training=TrainingFactory(hours=Decimal("105")))
    assert trainee.hours == Decimal("105")
    trainee.hours_attended = Decimal("70")
    assert trainee.hours == Decimal("70")
    trainee.hours_attended = Decimal("105.5")
    with pytest.raises(ValidationError) as error:
        trainee.full_clean()
    assert error.value.message_dict["hours_attended"] == ["Plus que la durée de la formation (105,00 h)."]


def test_a_trainee_hired_on_a_clause_points_to_their_own_assignment():
    trainee = TraineeFactory()
    someone_else = AssignmentFactory()
    trainee.hired_assignment = someone_else
    trainee.outcome = Trainee.Outcome.HIRED_CLAUSE
    with pytest.raises(ValidationError) as error:
        trainee.full_clean()
    assert error.value.message_dict == {
        "hired_assignment": ["Cette mise à l'emploi est celle d'une autre personne."]
    }
    trainee.hired_assignment = AssignmentFactory(participant=trainee.participant)
    trainee.outcome = Trainee.Outcome.NOT_HIRED
    with pytest.raises(ValidationError) as error:
        trainee.full_clean()
    assert list(error.value.message_dict) == ["outcome"]


def test_one_person_once_per_training_and_per_need():
    trainee = TraineeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Trainee.objects.create(training=trainee.training, participant=trainee.participant)


def test_a_follow_up_comes_after_the_action():
    entry = JournalEntryFactory.build(date=datetime.date(2025, 3, 10), follow_up_on=datetime.date(2025, 3, 9))
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert error.value.message_dict["follow_up_on"] == [
        "La relance ne peut pas précéder la date de l'action."
    ]


def test_a_follow_up_done_has_its_date_in_the_database():
    entry = JournalEntryFactory(follow_up_on=datetime.date(2025, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(follow_up_done=True)
    entry.mark_done(None)
    entry.save()
    entry.refresh_from_db()
    assert entry.follow_up_done and entry.follow_up_done_at is not None


def test_follow_ups_due_include_today_and_skip_those_done():
    today = datetime.date(2025, 5, 15)
    late = JournalEntryFactory(subject="En retard", follow_up_on=datetime.date(2025, 5, 1))
    due_today = JournalEntryFactory(subject="Aujourd'hui", follow_up_on=today)
    JournalEntryFactory(subject="Demain", follow_up_on=datetime.date(2025, 5, 16))
    done = JournalEntryFactory(subject="Faite", follow_up_on=datetime.date(2025, 4, 1))
    done.mark_done(None)
    done.save()
    JournalEntryFactory(subject="Sans relance")
    assert set(JournalEntry.objects.follow_ups_due(today)) == {late, due_today}


def test_entries_concerning_a_buyer_include_those_about_its_markets():
    cud = BuyerFactory(name="CUD")
    other = BuyerFactory(name="Ville de Gravelines")
    market = MarketFactory(buyer=cud)
    direct = JournalEntryFactory(subject="Sensibilisation CUD", buyers=[cud])
    through_market = JournalEntryFactory(subject="Lancement", markets=[market])
    both = JournalEntryFactory(subject="Comité", buyers=[cud], markets=[market])
    JournalEntryFactory(subject="Autre", buyers=[other])
    found = list(JournalEntry.objects.concerning(cud).order_by("subject"))
    assert found == [both, through_market, direct]
    assert list(JournalEntry.objects.concerning(market).order_by("subject")) == [both, through_market]


def test_proposal_unique_per_need():
    need = NeedFactory()
    person = ParticipantFactory()
    need.proposals.create(participant=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        need.proposals.create(participant=person)
