import datetime

import factory

from participants.models import CRITERIA, Criterion, Outcome, Participant


def criterion(code):
    """The criterion of that code (re-created if a live-server test flushed the table)."""
    label = dict(CRITERIA)[code]
    return Criterion.objects.get_or_create(code=code, defaults={"label": label})[0]


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    last_name = factory.Sequence(lambda n: f"Nom{n}")
    first_name = factory.Iterator(["Élodie", "Karim", "Sandrine", "Mehdi", "Aurélie", "Kevin"])
    birth_date = datetime.date(1987, 3, 12)
    sex = Participant.Sex.FEMALE
    commune = "Grande-Synthe"
    qpv = True
    level = Participant.Level.LEVEL_3
    prescriber = "PLIE"

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        """criteria=["DELD", "RSA"]"""
        if create and extracted:
            self.criteria.set([criterion(code) for code in extracted])


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    participant = factory.SubFactory(ParticipantFactory)
    timing = Outcome.Timing.END
    date = datetime.date(2025, 6, 30)
    kind = Outcome.Kind.CDI
