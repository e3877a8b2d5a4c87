"""python manage.py import_suivi FILE.xlsx [--dry-run] [--user USERNAME]

Exit status: 0 imported (or valid in a dry run), 1 refused (nothing written), 2 unreadable file.

--user NAME: the import is that person's, with her rights: she must be an editor (Responsable or
Facilitatrice); hours are validated in her name if she may validate them (clauses_site.roles.can_validate),
written as drafts otherwise, and then a validated entry the file would change refuses its row (and so
the file). Without --user the import is the system's (whoever runs manage.py on the server): hours are
validated with no validator named, as before the rule existed."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clauses_site import roles
from hours.suivi import run_import


class Progress:
    """A one-line progress bar, on a terminal only."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, phase, done, total):
        now = time.monotonic()
        if now - self.last < 0.2 and isinstance(done, int) and done != total:
            return
        self.last = now
        if isinstance(done, int) and total:
            ratio = min(done / total, 1)
            filled = int(ratio * self.WIDTH)
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            text = f"{phase:<9} [{bar}] {ratio:4.0%}  {done:,} / {total:,} lignes".replace(",", "\u202f")
        elif isinstance(done, int):
            text = f"{phase:<9} {done:,} lignes".replace(",", "\u202f")
        else:
            text = f"{phase:<9} {done}…"
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self.shown = True

    def close(self):
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


class Command(BaseCommand):
    help = "Importe un tableau de suivi des heures (.xlsx) : tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("file", help="le classeur .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="vérifie sans rien enregistrer")
        parser.add_argument(
            "--user",
            help="identifiant de la personne qui importe (tracé sur les heures) : ses droits s'appliquent "
            "(heures en brouillon si elle ne peut pas valider) ; sans --user, l'import est celui du "
            "système et valide les heures",
        )

    def handle(self, *args, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            self.stderr.write(f"Fichier introuvable : {file}")
            sys.exit(2)
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Utilisateur inconnu : {user}")
            if not account.is_active or not roles.can_edit(account):
                raise CommandError(
                    f"{user} ne peut pas importer d'heures : il faut le rôle Responsable ou Facilitatrice "
                    "et un compte actif."
                )
        progress = Progress(self.stdout._out) if self.stdout.isatty() else None
        try:
            report = run_import(path, file_name=path.name, user=account, dry_run=dry_run, progress=progress)
        finally:
            if progress:
                progress.close()
        out = self.stderr if report.fatal else self.stdout
        for line in report.lines():
            out.write(line)
        if report.fatal:
            sys.exit(2)
        if report.refused:
            sys.exit(1)
