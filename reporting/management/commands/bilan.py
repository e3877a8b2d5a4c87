"""python manage.py bilan (--buyer NAME | --company NAME-or-SIRET | --market REF | --territory)
    --from AAAA-MM-JJ --to AAAA-MM-JJ --format pdf|xlsx|json --output PATH-or-"-"
    [--anonymise-small] [--commentary TEXT] [--facilitator NAME]

Writes a bilan (docs/formats/bilan-json.md for JSON). --market may be combined with --buyer when
a reference is used by several buyers. Unknown scope, ambiguous reference, bad date or inverted
period: a French message and exit status 2. The file is not archived (the Bilans page archives)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from reporting import bilan, indicators, scopes


class Command(BaseCommand):
    help = "Écrit le bilan d'un donneur d'ordre, d'une entreprise, d'un marché ou du territoire."

    def add_arguments(self, parser):
        parser.add_argument("--buyer", metavar="NOM", help="donneur d'ordre (nom)")
        parser.add_argument("--company", metavar="NOM-OU-SIRET", help="entreprise (nom ou SIRET)")
        parser.add_argument("--market", metavar="REF", help="marché (référence)")
        parser.add_argument("--territory", action="store_true", help="tout le territoire")
        parser.add_argument("--from", dest="start", required=True, metavar="AAAA-MM-JJ")
        parser.add_argument("--to", dest="end", required=True, metavar="AAAA-MM-JJ")
        parser.add_argument("--format", dest="fmt", choices=list(bilan.FORMATS), default="pdf")
        parser.add_argument(
            "--output", required=True, metavar="FICHIER", help='chemin, ou "-" : sortie standard'
        )
        parser.add_argument(
            "--anonymise-small",
            action="store_true",
            help="JSON/xlsx : effectifs de 1 ou 2 notés « < 3 » dans un périmètre de moins de 10 personnes "
            "(toujours appliqué au PDF)",
        )
        parser.add_argument("--commentary", default="", help="commentaire de la facilitatrice (PDF, xlsx)")
        parser.add_argument("--facilitator", default="", help="nom imprimé sur la couverture du PDF")

    def handle(self, *args, buyer, company, market, territory, start, end, fmt, output, **options):
        try:
            figures = self._figures(buyer, company, market, territory, start, end)
        except scopes.ScopeError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        data = bilan.render(
            fmt,
            figures,
            commentary=options["commentary"],
            facilitator=options["facilitator"],
            anonymise_small=options["anonymise_small"],
        )
        if output == "-":
            if fmt == "json":
                self.stdout.write(data.decode(), ending="")
            else:
                stream = getattr(self.stdout._out, "buffer", None) or sys.stdout.buffer
                stream.write(data)
                stream.flush()
            return
        try:
            with open(output, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise CommandError(f"Impossible d'écrire « {output} » : {exc.strerror}.", returncode=2) from exc
        self.stderr.write(f"Bilan écrit : {output} ({len(data)} octets).")

    def _figures(self, buyer, company, market, territory, start, end):
        chosen = [name for name, value in (("--company", company), ("--market", market)) if value]
        if territory:
            chosen.append("--territory")
        if buyer and not market:
            chosen.append("--buyer")
        if len(chosen) != 1:
            raise scopes.ScopeError(
                "Choisissez un périmètre, et un seul : --buyer, --company, --market (avec --buyer au besoin) "
                "ou --territory."
            )
        start = scopes.parse_date(start, "de début (--from)")
        end = scopes.parse_date(end, "de fin (--to)", end=True)  # « 2025-06 »: to 30 June
        scopes.check_period(start, end)
        if market:
            the_buyer = scopes.find_buyer(buyer) if buyer else None
            return indicators.for_market(scopes.find_market(market, the_buyer), start, end)
        if buyer:
            return indicators.for_buyer(scopes.find_buyer(buyer), start, end)
        if company:
            return indicators.for_company(scopes.find_company(company), start, end)
        return indicators.for_territory(start, end)
