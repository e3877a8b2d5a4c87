"""seed_demo: the demo scale of design.md, deterministic, valid by the models' own rules, with the demo
users of every role; --status tells ./run whether to seed."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import TruncMonth

from clauses_site import roles
from companies.models import Company
from demo import seed as demo_data
from demo.users import DEMO_USERS
from hours import queries
from hours.models import Assignment, ContractType, HoursEntry, Modality, SiaePurchase
from markets.models import Award, Buyer, Clause, Lot, Market, Stage, StageChange
from participants.models import Outcome, Participant

pytestmark = pytest.mark.django_db
TODAY = demo_data.DEMO_TODAY


class Rollback(Exception):
    pass


def status():
    out = StringIO()
    call_command("seed_demo", "--status", stdout=out)
    return out.getvalue().strip()


def fingerprint():
    """A few aggregates that any change in the generated data would move."""
    return {
        "counts": demo_data.counts(),
        "validated hours": queries.total_hours(HoursEntry.objects.validated()),
        "draft hours": HoursEntry.objects.drafts().aggregate(s=Sum("hours"))["s"],
        "hours owed": Clause.objects.aggregate(s=Sum("hours_required"))["s"],
        "lot amounts": Lot.objects.aggregate(s=Sum("amount"))["s"],
        "markets": list(Market.objects.order_by("reference").values_list("reference", "title", "stage")[:20]),
        "people": list(
            Participant.objects.order_by("identity_key").values_list("identity_key", flat=True)[:20]
        ),
        "sirets": list(
            Company.objects.exclude(siret="").order_by("siret").values_list("siret", flat=True)[:20]
        ),
    }


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def analyze():
    """PostgreSQL plans the queries below on statistics: without ANALYZE it has none for rows inserted in
    this test's own transaction, and one plan (lots with hours) then took minutes or seconds depending on
    what ran before in the worker. ANALYZE sees the transaction's own rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def test_seed_demo(fast_passwords):
    assert status() == "empty"
    with pytest.raises(Rollback), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        analyze()
        first = fingerprint()
        raise Rollback  # back to an empty database, for a second run
    assert status() == "empty" and not Buyer.objects.exists()

    out = StringIO()
    call_command("seed_demo", stdout=out)
    analyze()
    assert "Données de démonstration créées" in out.getvalue()
    assert fingerprint() == first  # deterministic
    assert status() == "seeded"
    with pytest.raises(CommandError, match="contient déjà"):
        call_command("seed_demo", stdout=StringIO())

    check_volumes()
    check_users()
    check_variety()
    check_rules()
    check_progress()


def check_volumes():
    counts = demo_data.counts()
    expected = {
        "donneurs d'ordre": (35, 45),
        "marchés": (280, 320),
        "lots": (500, 700),
        "entreprises": (380, 420),
        "participants": (580, 620),
        "mises à l'emploi": (1150, 1250),
        "heures du mois": (9000, 11500),
    }
    for label, (low, high) in expected.items():
        assert low <= counts[label] <= high, (label, counts[label])
    assert counts["changements d'étape"] > 1000 and counts["achats SIAE"] > 50 and counts["sorties"] > 100
    span = HoursEntry.objects.order_by("month").values_list("month", flat=True)
    assert span.first() == datetime.date(2024, 1, 1) and span.last() == datetime.date(2026, 11, 1)


def check_users():
    for username, _first, _last, role in DEMO_USERS:
        user = User.objects.get(username=username)
        assert roles.role_of(user) == role and user.check_password("demo-clauses")
    in_charge = Counter(Market.objects.values_list("facilitator__username", flat=True))
    assert set(in_charge) == {"facilitatrice", "facilitatrice2", "responsable"}


def check_variety():
    assert set(Market.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Buyer.objects.values_list("kind", flat=True)) >= {
        "epci",
        "commune",
        "port",
        "departement",
        "region",
        "etat",
        "bailleur",
        "hopital",
        "autre",
    }
    for name in [
        "Communauté Urbaine de Dunkerque",
        "Ville de Dunkerque",
        "Dunkerque-Port",
        "Département du Nord",
        "Flandre Opale Habitat",
        "Partenord Habitat",
        "Vilogia",
        "Centre hospitalier de Dunkerque",
    ]:
        assert Buyer.objects.filter(name=name).exists(), name
    assert Market.objects.filter(operation__name="NPNRU Banc-Vert").exists()
    assert set(Company.objects.values_list("kind", flat=True)) == set(Company.Kind.values)
    assert set(Assignment.objects.values_list("modality", flat=True)) == set(Modality.values)
    assert set(Assignment.objects.values_list("contract_type", flat=True)) == set(ContractType.values)
    assert set(Award.objects.values_list("role", flat=True)) == set(Award.Role.values)
    sources = Counter(c.hours_source for c in Clause.objects.select_related("lot"))
    assert sources["formula"] > 100 and sources["stated"] > 100
    both = Clause.objects.filter(stated_hours__isnull=False, labour_share__isnull=False).count()
    assert both > 50  # stated hours win, and the formula is shown next to them
    assert Participant.objects.filter(last_name__regex=r"[éèëïîôÉ]").exists()
    assert Participant.objects.filter(first_name__contains="-").exists()
    assert set(Outcome.objects.values_list("timing", flat=True)) == set(Outcome.Timing.values)
    assert Outcome.objects.filter(Outcome.positive_q()).exists() and Outcome.objects.exclude(
        Outcome.positive_q()
    )
    assert StageChange.objects.filter(stage=Stage.DROPPED).exists()
    # The most recent months are partly in draft; older ones are validated.
    by_month = dict(
        HoursEntry.objects.filter(month__gte=datetime.date(2026, 9, 1))
        .values_list("month")
        .annotate(drafts=Count("pk", filter=Q(status="brouillon")))
        .values_list("month", "drafts")
    )
    assert by_month[datetime.date(2026, 11, 1)] > 0 and by_month[datetime.date(2026, 10, 1)] > 0
    assert not HoursEntry.objects.drafts().filter(month__lt=datetime.date(2026, 9, 1)).exists()
    assert SiaePurchase.objects.filter(hour_equivalent__gt=0).exists()


def check_rules():
    """Rows written by bulk_create obey the rules the models enforce on save and in clean()."""
    for model, step in [
        (Company, 20),
        (Buyer, 5),
        (Market, 20),
        (Lot, 40),
        (Clause, 40),
        (Award, 40),
        (Participant, 40),
        (Assignment, 80),
        (HoursEntry, 800),
        (SiaePurchase, 40),
    ]:
        for obj in model.objects.order_by("pk")[::step]:
            obj.full_clean()
    # Hours owed are the clauses' own computation; commitments never exceed them.
    for clause in Clause.objects.select_related("lot")[::7]:
        assert clause.hours_required == clause.compute_hours_required()
    committed = (
        Award.objects.filter(lot=OuterRef("lot"))
        .order_by()
        .values("lot")
        .annotate(s=Sum("hours_committed"))
        .values("s")
    )
    over = F("hours_required") + Value(Decimal("0.001"))  # SQLite sums decimals as floats
    assert not Clause.objects.annotate(c=Subquery(committed)).filter(c__gt=over).exists()
    # Every entry lies inside its contract; a validated one carries who and when.
    entries = HoursEntry.objects.annotate(start=TruncMonth("assignment__starts_on"))
    assert not entries.filter(month__lt=F("start")).exists()
    assert not HoursEntry.objects.filter(month__gt=F("assignment__ends_on")).exists()
    assert not HoursEntry.objects.validated().filter(
        Q(validated_at__isnull=True) | Q(validated_by__isnull=True)
    )
    assert not HoursEntry.objects.filter(month__gt=TODAY).exists()
    # History: the first record of historized rows names who made them.
    assert HoursEntry.history.filter(history_user__isnull=False).count() == HoursEntry.objects.count()
    assert Participant.history.count() == Participant.objects.count()


def check_progress():
    """Some lots late, some ahead (hours/queries.py, the one way of counting)."""
    lots = queries.lots_with_hours(
        Lot.objects.with_clause().filter(market__stage=Stage.EXECUTION), None, TODAY
    )
    progress = [queries.lot_progress(lot, TODAY, TODAY) for lot in lots]
    late = sum(p.lagging for p in progress)
    ahead = sum(1 for p in progress if p.expected and p.done > p.expected * Decimal("1.1"))
    assert late > 20 and ahead > 20 and len(progress) - late - ahead > 50, (late, ahead, len(progress))
