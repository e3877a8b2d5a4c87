"""python manage.py export_suivi [--buyer NAME] [--from AAAA-MM-JJ] [--to AAAA-MM-JJ] --output FILE.xlsx"""

import time

from django.core.management.base import BaseCommand, CommandError

from clauses_site.months import parse_date
from clauses_site.text import match_key
from hours.suivi import write_suivi
from markets.models import Buyer


def _date(value, end=False):
    if value is None:
        return None
    day = parse_date(value, end=end)
    if day is None:
        raise CommandError(f"Date invalide : {value} (attendu AAAA-MM-JJ ou AAAA-MM)")
    return day


class Command(BaseCommand):
    help = "Exporte les heures validées au format du tableau de suivi (.xlsx), réimportable tel quel."

    def add_arguments(self, parser):
        parser.add_argument("--buyer", help="nom du donneur d'ordre (casse et accents ignorés)")
        parser.add_argument("--from", dest="start", help="premier mois : AAAA-MM-JJ ou AAAA-MM")
        parser.add_argument("--to", dest="end", help="dernier mois : AAAA-MM-JJ ou AAAA-MM")
        parser.add_argument("--output", required=True, help="le fichier .xlsx à écrire")

    def handle(self, *args, buyer, start, end, output, **options):
        found = None
        if buyer:
            found = Buyer.objects.filter(name_key=match_key(buyer)).first()
            if found is None:
                raise CommandError(f"Donneur d'ordre inconnu : {buyer}")
        start, end = _date(start), _date(end, end=True)
        if start and end and end < start:
            raise CommandError("La fin de la période précède son début.")
        began = time.monotonic()
        with open(output, "wb") as stream:
            write_suivi(stream, buyer=found, start=start, end=end)
        seconds = f"{time.monotonic() - began:.1f}".replace(".", ",")
        self.stdout.write(f"Tableau de suivi écrit dans {output} ({seconds} s).")
