import datetime
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from demo import partnerships_data
from demo import seed as demo_data
from demo.users import DEMO_USERS
from partnerships.models import JournalEntry, RecruitmentNeed, Training


class Command(BaseCommand):
    help = (
        "Crée les comptes de démonstration et des données réalistes et déterministes pour le territoire "
        "de Dunkerque (échelle « demo » de design.md) ; --scale national y ajoute neuf territoires écrits "
        "en masse : ~80 000 personnes, ~300 000 mises à l'emploi, ~2,5 millions d'heures du mois "
        "(quelques minutes sur PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help="demo : Dunkerque (~10 000 heures du mois) ; national : Dunkerque et neuf territoires "
            "(~2,5 millions d'heures du mois, sans historique pour celles écrites en masse).",
        )
        parser.add_argument(
            "--status",
            action="store_true",
            help="Affiche « seeded » si la démo est déjà en place, sinon « empty ».",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime d'abord toutes les données métier (pas les comptes).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=demo_data.DEMO_TODAY,
            help=f"Date du jour des données, AAAA-MM-JJ (par défaut {demo_data.DEMO_TODAY:%Y-%m-%d}).",
        )

    def handle(self, *args, scale, status, reset, today, **options):
        if status:
            names = [u[0] for u in DEMO_USERS]
            users = User.objects.filter(username__in=names).count() == len(names)
            self.stdout.write("seeded" if users and demo_data.is_seeded() else "empty")
            return
        if reset:
            for model in (RecruitmentNeed, Training, JournalEntry):  # they point at lots and companies
                model.objects.all().delete()
            demo_data.clear()
        elif demo_data.is_seeded():
            raise CommandError(
                "La base contient déjà des donneurs d'ordre : rien n'est créé (--reset pour tout remplacer)."
            )
        started = time.perf_counter()
        counts = demo_data.seed(
            scale=scale, today=today, log=self.stdout.write if options["verbosity"] > 1 else None
        )
        counts.update(partnerships_data.seed(today))
        seconds = time.perf_counter() - started
        for label, count in counts.items():
            self.stdout.write(f"  {label:<22} {count:>9,}".replace(",", "\u202f"))
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration créées en {seconds:.1f} s."))
