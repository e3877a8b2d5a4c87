"""python manage.py export_suivi [--buyer NAME] [--from AAAA-MM-JJ] [--to AAAA-MM-JJ] --output FILE.xlsx"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from clauses_site.months import last_of_month
from clauses_site.text import match_key
from hours.export_suivi import write_suivi
from markets.models import Buyer


def _date(value, end=False):
    if value is None:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"Date invalide : {value} (attendu AAAA-MM-JJ ou AAAA-MM)") from exc
    return last_of_month(month) if end else month


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
