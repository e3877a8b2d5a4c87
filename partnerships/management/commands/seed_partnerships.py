import datetime

from django.core.management.base import BaseCommand, CommandError

from partnerships import demo
from partnerships.models import JournalEntry, RecruitmentNeed, Training


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration des partenariats (journal, besoins, propositions, formations) "
        "sur le territoire de démonstration (à lancer après seed_demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
        parser.add_argument(
            "--reset", action="store_true", help="Supprime d'abord les données des partenariats."
        )

    def handle(self, *args, today, reset, **options):
        from clauses_site import demo_data

        today = today or demo_data.DEMO_TODAY
        if reset:
            for model in (RecruitmentNeed, Training, JournalEntry):
                model.objects.all().delete()
        elif JournalEntry.objects.exists():
            raise CommandError("Des données de partenariats existent déjà (--reset pour les remplacer).")
        counts = demo.seed(today)
        for label, count in counts.items():
            self.stdout.write(f"  {label:<22} {count:>9,}".replace(",", "\u202f"))
