"""The demo data's entry points: seed() builds the users and the territories (« demo »: Dunkerque;
« national »: Dunkerque and other territories written in bulk, demo.national), counts() what the
database holds, clear() for --reset.

Everything comes from one random.Random with a fixed seed and a fixed « today » (DEMO_TODAY): two runs
on empty databases give the same records (primary keys aside). Rows are written with bulk_create;
the historized models (Participant, Clause, Award, Assignment, HoursEntry) get their first history
record too (simple_history's bulk_create_with_history), dated when the record would have been made and
signed by the facilitator in charge, so that « who changed what » pages show a believable story.

Shape of the data:
- buyers of every kind (CUD, communes, Dunkerque-Port, Département du Nord, social landlords,
  hospitals…), their contacts and operations (NPNRU neighbourhoods, large works);
- markets spread over every pipeline stage, with the StageChange records of their path, a facilitator
  in charge, lots from the « clause intégrée au DCE » stage on, clauses mixing formula and stated
  hours, awards from « attribué » on with the lot's hours split among the companies;
- companies of every kind (ordinary firms, SIAE, GEIQ, EA, ESAT, temp agencies, training bodies) with
  valid SIRETs, sectors and contacts; participants with French names, criteria, prescribers;
- assignments of every modality and contract type on the lots in execution or finished, monthly hours
  from January 2024 to the current month with gaps and declaration lags (some lots late, some ahead),
  the last months partly in draft; outcomes at the end and six months later; SIAE purchases.
"""

import random

from django.db import connection, transaction

from clauses_site.vocabulary import CRITERIA
from companies.models import Company, Contact, Sector
from demo import national
from demo.common import DEMO_TODAY, SEED, VOLUMES
from demo.external import create_external_users
from demo.national import NationalSize
from demo.territory import Registry, Territory
from demo.users import create_demo_users
from demo.vocabulary import SECTORS
from hours.models import Assignment, HoursEntry, SiaePurchase
from markets.models import Award, Buyer, BuyerContact, Clause, Lot, Market, Operation, StageChange
from participants.models import AccessLog, Criterion, Outcome, Participant
from partnerships.models import Proposal, Trainee


def is_seeded():
    return Buyer.objects.exists()


def reference_data():
    """Sectors, and the criteria (made by a migration, but flushed by live-server tests)."""
    Sector.objects.bulk_create([Sector(name=name) for name in SECTORS], ignore_conflicts=True)
    Criterion.objects.bulk_create(
        [Criterion(code=code, label=label, order=i) for i, (code, label) in enumerate(CRITERIA)],
        ignore_conflicts=True,
    )
    return list(Sector.objects.filter(name__in=SECTORS).order_by("name")), list(Criterion.objects.all())


def seed(scale="demo", today=DEMO_TODAY, seed=SEED, log=None, size=None):
    """Create the demo users and the data; returns the counts. Each territory is one transaction.
    « demo »: Dunkerque; « national »: Dunkerque and the territories of demo.national (`size`: a
    NationalSize, its default unless a test asks for less). Statistics are refreshed at the end."""
    with transaction.atomic():
        users = create_demo_users()
        sectors, criteria = reference_data()
    registry = Registry()
    registry.buyer_names.update(Buyer.objects.values_list("name", flat=True))
    rng = random.Random(seed * 1000)
    with transaction.atomic():
        territory = Territory(0, rng, today, users, registry, sectors, criteria, VOLUMES)
        territory.run(log)
        # before the other territories: the accounts belong to Dunkerque's company and buyer
        create_external_users(users["responsable"])
    if log:
        log(f"{territory.name} : {len(territory.entries)} saisies d'heures")
    if scale == "national":
        national.seed_territories(
            seed, today, users, registry, sectors, criteria, size or NationalSize(), log
        )
    analyze()
    return counts()


def analyze():
    """Fresh planner statistics for the rows just written (PostgreSQL plans on them: without, a query of
    lots with their hours may take minutes instead of milliseconds)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def counts():
    return {
        "donneurs d'ordre": Buyer.objects.count(),
        "opérations": Operation.objects.count(),
        "marchés": Market.objects.count(),
        "changements d'étape": StageChange.objects.count(),
        "lots": Lot.objects.count(),
        "clauses": Clause.objects.count(),
        "attributions": Award.objects.count(),
        "entreprises": Company.objects.count(),
        "contacts": Contact.objects.count() + BuyerContact.objects.count(),
        "participants": Participant.objects.count(),
        "sorties": Outcome.objects.count(),
        "mises à l'emploi": Assignment.objects.count(),
        "heures du mois": HoursEntry.objects.count(),
        "achats SIAE": SiaePurchase.objects.count(),
    }


def clear():
    """Delete every domain record (the users stay): for --reset. The people, assignments and entries
    (millions at the national scale) by one DELETE each, without the ORM's signals (their history rows
    are deleted at the end anyway); what points at them is deleted or emptied first, as the ORM would."""
    with transaction.atomic():
        SiaePurchase.objects.all().delete()
        Proposal.objects.filter(assignment__isnull=False).update(assignment=None)  # SET_NULL
        AccessLog.objects.filter(participant__isnull=False).update(participant=None)  # SET_NULL
        for model in (Outcome, Proposal, Trainee):  # CASCADE from Participant
            model.objects.all().delete()
        for model in (HoursEntry, Assignment, Participant.criteria.through, Participant):
            wipe(model)
        for model in (
            Award,
            Clause,
            StageChange,
            Lot,
            Market,
            Operation,
            BuyerContact,
            Buyer,
            Contact,
            Company,
        ):
            model.objects.all().delete()
        for model in (HoursEntry, Assignment, Participant, Award, Clause):
            model.history.all().delete()


def wipe(model):
    """DELETE every row of the model's table: no signals, no cascades."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
