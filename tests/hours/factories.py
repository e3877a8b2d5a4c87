import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from hours.models import Assignment, ContractType, HoursEntry, Modality, SiaePurchase
from tests.companies.factories import CompanyFactory
from tests.markets.factories import LotFactory
from tests.participants.factories import ParticipantFactory


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    participant = factory.SubFactory(ParticipantFactory)
    lot = factory.SubFactory(LotFactory)
    company = factory.SubFactory(CompanyFactory)
    employer = factory.SelfAttribute("company")
    modality = Modality.DIRECT_HIRE
    contract_type = ContractType.CDD
    job = "Maçon"
    starts_on = datetime.date(2025, 1, 6)
    ends_on = datetime.date(2025, 12, 31)


class HoursEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursEntry

    assignment = factory.SubFactory(AssignmentFactory)
    month = datetime.date(2025, 3, 1)
    hours = Decimal("151.67")
    training_hours = Decimal(0)
    status = HoursEntry.Status.VALIDATED
    validated_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=HoursEntry.Status.DRAFT, validated_at=None)
        declared = factory.Trait(
            status=HoursEntry.Status.DECLARED, source=HoursEntry.Source.DECLARATION, validated_at=None
        )


class SiaePurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiaePurchase

    lot = factory.SubFactory(LotFactory)
    company = factory.SubFactory(CompanyFactory, ei=True)
    month = datetime.date(2025, 3, 1)
    amount_invoiced = Decimal("10000")
    validated = True
    validated_at = factory.LazyAttribute(lambda o: timezone.now() if o.validated else None)


def people_at_work(lot, company, count, start=datetime.date(2025, 1, 6), first_name="Élodie"):
    """`count` people (« Nom0000 »…) on `lot` for `company` since `start`, in bulk (a grid of a
    thousand rows in a second): their assignments, in the grid's order."""
    from participants.models import Participant

    people = [ParticipantFactory.build(last_name=f"Nom{n:04d}", first_name=first_name) for n in range(count)]
    for person in people:
        person.compute_keys()
    return Assignment.objects.bulk_create(
        Assignment(
            participant=p,
            lot=lot,
            company=company,
            employer=company,
            contract_type="CDD",
            starts_on=start,
        )
        for p in Participant.objects.bulk_create(people)
    )
