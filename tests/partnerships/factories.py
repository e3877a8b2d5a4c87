import datetime
from decimal import Decimal

import factory

from partnerships.models import JournalEntry, Proposal, RecruitmentNeed, Trainee, Training
from tests.companies.factories import CompanyFactory
from tests.markets.factories import LotFactory
from tests.participants.factories import ParticipantFactory


class JournalEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JournalEntry
        skip_postgeneration_save = True

    kind = JournalEntry.Kind.SITE_LAUNCH
    date = datetime.date(2025, 3, 10)
    subject = factory.Sequence(lambda n: f"Réunion de lancement {n}")
    people_met = "Conducteur de travaux"

    @factory.post_generation
    def markets(self, create, extracted, **kwargs):
        if create and extracted:
            self.markets.set(extracted)

    @factory.post_generation
    def buyers(self, create, extracted, **kwargs):
        if create and extracted:
            self.buyers.set(extracted)

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            self.companies.set(extracted)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecruitmentNeed

    lot = factory.SubFactory(LotFactory)
    company = factory.SubFactory(CompanyFactory)
    job = "Maçon"
    rome_code = "F1703"
    positions = 1
    expected_start = datetime.date(2025, 4, 1)

    class Params:
        filled = factory.Trait(status=RecruitmentNeed.Status.FILLED)
        cancelled = factory.Trait(status=RecruitmentNeed.Status.CANCELLED)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    need = factory.SubFactory(NeedFactory)
    participant = factory.SubFactory(ParticipantFactory)
    comment = "Motivée, disponible tout de suite."


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"Préparation aux métiers du BTP {n}")
    body_name = "AFPA Dunkerque"
    starts_on = datetime.date(2025, 3, 3)
    ends_on = datetime.date(2025, 3, 21)
    hours = Decimal("105")
    places = 10

    class Params:
        for_lot = factory.Trait(
            lot=factory.SubFactory(LotFactory), company=factory.SubFactory(CompanyFactory)
        )


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    training = factory.SubFactory(TrainingFactory)
    participant = factory.SubFactory(ParticipantFactory)
