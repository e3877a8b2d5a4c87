"""The « national » builder (demo.national) at a tiny size: exact volumes, deterministic, entries that obey
the models' rules, the busiest lot-month, and primary-key sequences that still work after the bulk writes.
The full size (seed_demo --scale national) is measured by hand on PostgreSQL, not here: too slow."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from clauses_site.months import add_months, first_of_month
from demo import national
from demo import seed as demo_seed
from demo.territory import Registry
from demo.users import create_demo_users
from hours.models import Assignment, HoursEntry, LotMonthHours
from markets.models import Lot
from participants.models import AccessLog, Participant

pytestmark = pytest.mark.django_db
TODAY = demo_seed.DEMO_TODAY
SIZE = national.NationalSize(territories=2, people=150, assignments=600, busiest=30)


class Rollback(Exception):
    pass


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build():
    users = create_demo_users()
    sectors, criteria = demo_seed.reference_data()
    return national.seed_territories(demo_seed.SEED, TODAY, users, Registry(), sectors, criteria, SIZE)


def fingerprint():
    """What a change in the generated rows would move (natural keys: primary keys of the rolled back run
    are not reused by PostgreSQL's sequences)."""
    entries = HoursEntry.objects.order_by(
        "assignment__participant__identity_key", "assignment__starts_on", "month"
    )
    return {
        "counts": demo_seed.counts(),
        "hours": HoursEntry.objects.aggregate(h=Sum("hours"), t=Sum("training_hours")),
        "validated": HoursEntry.objects.validated().count(),
        "first entries": list(
            entries.values_list(
                "assignment__participant__identity_key", "month", "hours", "status", "source"
            )[:30]
        ),
    }


def test_national_builder_at_a_tiny_size(fast_passwords):
    with pytest.raises(Rollback), transaction.atomic():
        assert build() == ["Calais"]
        first = fingerprint()
        raise Rollback
    assert not HoursEntry.objects.exists()
    build()
    assert fingerprint() == first  # deterministic

    # The volumes asked for: people, and assignments (plus those added to the busiest lot).
    assert Participant.objects.count() == SIZE.people
    assert SIZE.assignments < Assignment.objects.count() < SIZE.assignments + SIZE.busiest
    entries = HoursEntry.objects.count()
    assert 4 * Assignment.objects.count() < entries < 20 * Assignment.objects.count()
    # Every entry lies inside its contract, from January 2024 to this month; validated ones say who
    # and when; drafts only in the last three months.
    span = HoursEntry.objects.order_by("month").values_list("month", flat=True)
    assert span.first() == datetime.date(2024, 1, 1) and span.last() == datetime.date(2026, 11, 1)
    started = HoursEntry.objects.annotate(start=TruncMonth("assignment__starts_on"))
    assert not started.filter(month__lt=F("start")).exists()
    assert not HoursEntry.objects.filter(month__gt=F("assignment__ends_on")).exists()
    assert not HoursEntry.objects.validated().filter(
        Q(validated_at__isnull=True) | Q(validated_by__isnull=True)
    )
    assert not HoursEntry.objects.validated().filter(validated_at__date__gt=TODAY).exists()
    assert not HoursEntry.objects.drafts().filter(month__lt=datetime.date(2026, 9, 1)).exists()
    assert HoursEntry.objects.drafts().filter(month=datetime.date(2026, 11, 1)).exists()
    assert HoursEntry.objects.validated().count() > 0.9 * entries
    for obj in [
        *HoursEntry.objects.order_by("pk")[::50],
        *Assignment.objects.order_by("pk")[::20],
        *Participant.objects.order_by("pk")[::10],
    ]:
        obj.full_clean()
    assert Participant.objects.filter(criteria__isnull=False).distinct().count() == SIZE.people
    # One lot with the busiest crowd (the monthly grid's worst case): `busiest` people at work together
    # in its first month, most with an entry.
    crowd = HoursEntry.objects.values("assignment__lot").annotate(n=Count("pk")).order_by("-n")[0]
    lot = Lot.objects.get(pk=crowd["assignment__lot"])
    month = max(first_of_month(lot.starts_on), datetime.date(2024, 1, 1))
    at_work = Assignment.objects.filter(lot=lot, starts_on__lt=add_months(month, 1))
    assert at_work.filter(Q(ends_on__gte=month) | Q(ends_on__isnull=True)).count() == SIZE.busiest
    assert HoursEntry.objects.filter(assignment__lot=lot, month=month).count() >= 0.9 * SIZE.busiest
    # The primary keys chosen by the bulk writes leave the sequences right: the next rows get new keys.
    person = Participant(last_name="Nouvelle", first_name="Personne", birth_date=datetime.date(1990, 5, 1))
    person.compute_keys()
    person.save()
    assert person.pk == SIZE.people + 1
    a = Assignment.objects.order_by("pk").last()
    a.pk = None
    a.participant = person
    a.save()
    assert a.pk == Assignment.objects.count()

    # --reset (demo.seed.clear): people, assignments and entries go by one DELETE each; what points at
    # them is emptied as the ORM would (an access log keeps its line, without the person); no history.
    log = AccessLog.objects.create(participant=person, action=AccessLog.Action.PAGE, user_label="responsable")
    demo_seed.clear()
    connection.check_constraints()  # no row left pointing at a deleted one (deferred on PostgreSQL)
    assert not Participant.objects.exists() and not Assignment.objects.exists()
    assert not HoursEntry.objects.exists() and not LotMonthHours.objects.exists()
    assert not HoursEntry.history.exists() and not Assignment.history.exists()
    assert not Participant.history.exists() and not Participant.criteria.through.objects.exists()
    log.refresh_from_db()
    assert log.participant is None
