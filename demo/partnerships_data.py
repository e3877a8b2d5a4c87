"""Demonstration data for partnerships, on top of the demo territory (demo.seed): site launch meetings
and their recruitment needs, people proposed (some hired earlier: linked to their assignment), meetings
with buyers and follow-ups (some due), the Club ESS, and short trainings with temp agencies. Seeded by
`manage.py seed_demo` after the territories."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from clauses_site import roles
from clauses_site.months import add_months
from companies.models import Company
from hours.models import Assignment
from markets.models import Buyer, Lot, Market, Stage
from participants.models import Participant
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed, Trainee, Training

# (keyword of the lot's title, job, ROME code)
JOBS = [
    ("gros œuvre", "Maçon", "F1703"),
    ("gros œuvre", "Coffreur bancheur", "F1701"),
    ("démolition", "Ouvrier de démolition", "F1704"),
    ("charpente", "Soudeur", "H2913"),
    ("couverture", "Couvreur", "F1610"),
    ("menuiserie", "Menuisier poseur", "F1607"),
    ("plâtrerie", "Plaquiste", "F1604"),
    ("peinture", "Peintre en bâtiment", "F1606"),
    ("sols", "Carreleur", "F1608"),
    ("plomberie", "Plombier chauffagiste", "F1603"),
    ("électricité", "Électricien", "F1602"),
    ("éclairage", "Électricien", "F1602"),
    ("vrd", "Ouvrier VRD", "F1702"),
    ("voirie", "Ouvrier VRD", "F1702"),
    ("réseaux", "Canalisateur", "F1705"),
    ("espaces verts", "Ouvrier paysagiste", "A1203"),
    ("nettoyage", "Agent de propreté", "K2204"),
    ("collecte", "Ripeur", "K2303"),
]
DEFAULT_JOB = ("Manœuvre BTP", "F1704")
SKILLS = [
    "Port des EPI, travail en hauteur",
    "Permis B souhaité",
    "CACES R482 apprécié",
    "Habilitation électrique B0 H0V",
    "Savoir lire un plan simple",
    "",
]
TRAININGS = [
    ("Préparation aux métiers du gros œuvre", Decimal("140"), "gros œuvre"),
    ("Sécurité sur chantier et gestes et postures", Decimal("35"), ""),
    ("Habilitation électrique B0 H0V", Decimal("14"), "lectricit"),
    ("Peintre en bâtiment — remise à niveau", Decimal("105"), "peinture"),
    ("CACES R482 engins de chantier", Decimal("35"), "vrd"),
    ("Agent de propreté et d'hygiène", Decimal("70"), "nettoyage"),
    ("Ouvrier paysagiste — découverte du métier", Decimal("70"), "espaces verts"),
    ("Travail en hauteur et port du harnais", Decimal("7"), ""),
]
PEOPLE_MET = [
    "Conducteur de travaux, chef de chantier",
    "Directeur de l'opération, chargée de mission insertion",
    "Responsable RH de l'entreprise, conductrice de travaux",
    "Chef de projet du maître d'ouvrage, coordonnateur SPS",
]


def job_for(lot):
    title = f"{lot.title} {lot.market.title}".lower()
    choices = [(job, rome) for keyword, job, rome in JOBS if keyword in title]
    return choices or [DEFAULT_JOB]


def seed(today, seed=8, log=None):
    """Create the partnerships demo data (one transaction); returns the counts."""
    rng = random.Random(seed)
    users = list(roles.team_members())
    if not users:
        users = [None]
    with transaction.atomic():
        _meetings_and_needs(rng, today, users)
        _buyer_meetings(rng, today, users)
        _trainings(rng, today)
    counts = {
        "entrées du journal": JournalEntry.objects.count(),
        "besoins": RecruitmentNeed.objects.count(),
        "propositions": Proposal.objects.count(),
        "formations": Training.objects.count(),
        "stagiaires": Trainee.objects.count(),
    }
    if log:
        log(counts)
    return counts


def _meetings_and_needs(rng, today, users):
    """A site launch meeting for markets starting around today (a year back, six months ahead), with the
    needs of the companies awarded their lots."""
    markets = list(
        Market.objects.filter(
            starts_on__gte=add_months(today, -12),
            starts_on__lte=add_months(today, 6),
            lots__awards__isnull=False,
        )
        .select_related("buyer")
        .distinct()
        .order_by("starts_on", "pk")
    )
    rng.shuffle(markets)
    for market in markets[:30]:
        meeting_day = market.starts_on - datetime.timedelta(days=rng.randint(10, 30))
        lots = list(
            Lot.objects.filter(market=market, awards__isnull=False).select_related("market").distinct()
        )
        companies = list(Company.objects.filter(awards__lot__in=lots).distinct())
        follow_up = meeting_day + datetime.timedelta(days=rng.choice([15, 30, 45]))
        entry = JournalEntry.objects.create(
            kind=JournalEntry.Kind.SITE_LAUNCH,
            date=meeting_day,
            subject=f"Lancement du chantier — {market.title}"[:200],
            people_met=rng.choice(PEOPLE_MET),
            notes=(
                "Présentation de la clause sociale et des modalités (embauche directe, ETTI, GEIQ). "
                "Recueil des besoins de recrutement des entreprises."
            ),
            follow_up_on=follow_up,
            author=rng.choice(users),
        )
        if follow_up < today - datetime.timedelta(days=20):
            entry.mark_done(entry.author)
            entry.save()
        entry.markets.add(market)
        entry.buyers.add(market.buyer)
        entry.companies.add(*companies)
        for lot in lots[:3]:
            award_company = Company.objects.filter(awards__lot=lot).order_by("pk").first()
            job, rome = rng.choice(job_for(lot))
            start = (lot.starts_on or market.starts_on) + datetime.timedelta(days=rng.randint(0, 90))
            need = RecruitmentNeed.objects.create(
                lot=lot,
                company=award_company,
                meeting=entry,
                job=job,
                rome_code=rome if rng.random() < 0.8 else "",
                positions=rng.choice([1, 1, 2, 2, 3]),
                expected_start=start,
                duration_months=rng.choice([None, 3, 6, 6, 12]),
                skills=rng.choice(SKILLS),
                training_needed=rng.choice(
                    ["", "", "Sécurité sur chantier (SST)", "Remise à niveau du métier"]
                ),
                created_by=entry.author,
            )
            _proposals(rng, need, today)


def _proposals(rng, need, today):
    """People proposed for past needs: those already hired on the lot by the company are linked to their
    assignment (retained); others are proposed or refused."""
    if need.expected_start > today + datetime.timedelta(days=30):
        return
    hired = list(
        Assignment.objects.filter(lot=need.lot, company=need.company).order_by("starts_on", "pk")[
            : need.positions
        ]
    )
    for assignment in hired:
        Proposal.objects.get_or_create(
            need=need,
            participant_id=assignment.participant_id,
            defaults={
                "state": Proposal.State.RETAINED,
                "assignment": assignment,
                "comment": "Profil adapté.",
            },
        )
    others = list(Participant.objects.exclude(assignments__lot=need.lot).order_by("?")[: rng.randint(0, 2)])
    for person in others:
        Proposal.objects.get_or_create(
            need=need,
            participant=person,
            defaults={
                "state": rng.choice([Proposal.State.PROPOSED, Proposal.State.REFUSED]),
                "comment": rng.choice(["Motivé, disponible rapidement.", "À revoir : mobilité.", ""]),
            },
        )
    retained = need.proposals.filter(state=Proposal.State.RETAINED).count()
    if retained >= need.positions:
        need.status = RecruitmentNeed.Status.FILLED
    elif need.proposals.exists():
        need.status = RecruitmentNeed.Status.PROPOSED
    need.save(update_fields=["status"])


#: Whom the team meets and what is said, by kind of meeting.
MEETINGS = {
    JournalEntry.Kind.BUYER_AWARENESS: (
        "Service de la commande publique",
        "Présentation du calcul des heures et des marchés réservés ; estimation à transmettre.",
    ),
    JournalEntry.Kind.ESS_CLUB: (
        "Structures de l'IAE, GEIQ BTP, entreprises adaptées",
        "Présentation de la liste des marchés à venir et de la plaquette des structures.",
    ),
    JournalEntry.Kind.STEERING: (
        "Élus et services du donneur d'ordre",
        "Point d'avancement des heures par lot ; bilan à envoyer.",
    ),
}


def _meeting(kind, day, subject, **fields):
    people_met, notes = MEETINGS[kind]
    return JournalEntry.objects.create(
        kind=kind, date=day, subject=subject[:200], people_met=people_met, notes=notes, **fields
    )


def _buyer_meetings(rng, today, users):
    """Awareness meetings with buyers about markets of the pipeline, steering committees, the Club ESS,
    calls; some follow-ups due."""
    pipeline = list(
        Market.objects.filter(stage__in=[Stage.SPOTTED, Stage.STUDY, Stage.PROPOSED]).select_related("buyer")[
            :20
        ]
    )
    for index, market in enumerate(pipeline):
        day = today - datetime.timedelta(days=rng.randint(5, 120))
        entry = _meeting(
            JournalEntry.Kind.BUYER_AWARENESS,
            day,
            f"Clause sociale envisagée — {market.title}",
            follow_up_on=day + datetime.timedelta(days=rng.choice([21, 30, 60])),
            author=users[index % len(users)],
        )
        entry.buyers.add(market.buyer)
        entry.markets.add(market)
    for month in range(1, 5):
        day = add_months(today, -3 * month).replace(day=12)
        entry = _meeting(
            JournalEntry.Kind.ESS_CLUB, day, "Club ESS — présentation des marchés à venir", author=users[0]
        )
        entry.companies.add(*Company.objects.insertion_structures().order_by("?")[:6])
    for buyer in Buyer.objects.order_by("name_key")[:8]:
        day = today - datetime.timedelta(days=rng.randint(10, 200))
        entry = _meeting(
            JournalEntry.Kind.STEERING,
            day,
            f"Comité de suivi des clauses — {buyer.name}",
            follow_up_on=day + datetime.timedelta(days=30) if rng.random() < 0.5 else None,
            author=rng.choice(users),
        )
        entry.buyers.add(buyer)


def _trainings(rng, today):
    bodies = list(Company.objects.filter(kind=Company.Kind.TRAINING).order_by("pk")[:6])
    funders = list(Company.objects.filter(kind__in=[Company.Kind.ETT, Company.Kind.ETTI]).order_by("pk")[:6])
    people = list(Participant.objects.order_by("pk")[:200])
    for index, (title, hours, keyword) in enumerate(TRAININGS):
        start = add_months(today, rng.randint(-8, 3)).replace(day=rng.randint(1, 20))
        days = int(hours // 7) or 1
        lot = None
        company = None
        if keyword:
            lot = (
                Lot.objects.filter(title__icontains=keyword, awards__isnull=False, clause__isnull=False)
                .order_by("pk")
                .first()
            )
            company = Company.objects.filter(awards__lot=lot).order_by("pk").first() if lot else None
            lot = lot if company else None
        training = Training.objects.create(
            title=title,
            body=bodies[index % len(bodies)] if bodies else None,
            body_name="" if bodies else "AFPA Dunkerque",
            funder=funders[index % len(funders)] if funders else None,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=days + 2 * (days // 5)),
            hours=hours,
            places=rng.choice([8, 10, 12]),
            lot=lot,
            company=company,
            notes="Action montée avec l'agence d'intérim pour préparer les recrutements du chantier.",
        )
        for person in rng.sample(people, rng.randint(4, training.places)):
            past = training.ends_on < today
            Trainee.objects.create(
                training=training,
                participant=person,
                outcome=rng.choice(
                    [
                        Trainee.Outcome.HIRED_CLAUSE,
                        Trainee.Outcome.HIRED_OTHER,
                        Trainee.Outcome.NOT_HIRED,
                        Trainee.Outcome.PENDING,
                    ]
                )
                if past
                else Trainee.Outcome.PENDING,
            )
