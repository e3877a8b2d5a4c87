"""manage.py restore SRC: a backup folder restored into an empty database and MEDIA_ROOT, then checked."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from clauses_site import backup


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde (dossier écrit par « manage.py backup ») dans une base de données VIDE et "
        "un MEDIA_ROOT vide, puis vérifie le nombre de lignes de chaque table et les empreintes des fichiers "
        "par rapport au manifeste."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="dossier de la sauvegarde")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="base cible, vide (alias Django)")

    def handle(self, src, database, **options):
        try:
            manifest = backup.restore_backup(src, connections[database], settings.MEDIA_ROOT)
        except backup.BackupError as exc:
            raise CommandError(f"Restauration impossible. {exc}") from exc
        files = len(manifest["media"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde du {manifest['created_at']} restaurée et vérifiée : {len(manifest['tables'])} "
                f"tables, {manifest['rows']} lignes, {files} fichier{'s' if files > 1 else ''}, tous "
                "conformes au manifeste (nombre de lignes par table, empreintes SHA-256)."
            )
        )
