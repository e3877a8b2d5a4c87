"""python manage.py rebuild_summaries [--check]

Recomputes the lot × month summary of validated hours (hours.summary) from the entries, and puts its
triggers back in place. --check compares without writing and fails when they differ.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hours import summary


class Command(BaseCommand):
    help = (
        "Recalcule le récapitulatif des heures validées par lot et par mois à partir des heures saisies "
        "(et réinstalle ses déclencheurs) ; --check compare sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="comparer sans écrire ; échoue si le récapitulatif diffère"
        )

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            differences = summary.differences()
            for lot, month, have, want in differences[:20]:
                self.stdout.write(f"lot {lot}, {month:%m/%Y} : enregistré {have}, recalculé {want}")
            if differences:
                raise CommandError(
                    f"Le récapitulatif diffère des heures saisies sur {len(differences)} ligne(s) "
                    "(lot, mois) : lancez « manage.py rebuild_summaries »."
                )
            if not summary.installed():
                raise CommandError(
                    "Des déclencheurs du récapitulatif manquent : lancez « manage.py rebuild_summaries »."
                )
            self.stdout.write(f"Récapitulatif exact ({time.monotonic() - started:.1f} s).")
            return
        with transaction.atomic():
            summary.install()
            rows = summary.rebuild()
        self.stdout.write(
            f"Récapitulatif recalculé : {rows} ligne(s) (lot, mois) en {time.monotonic() - started:.1f} s."
        )
