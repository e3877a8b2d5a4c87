"""manage.py backup DEST: the database and MEDIA_ROOT copied into the folder DEST, with a manifest."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from clauses_site import backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (PostgreSQL : pg_dump -Fc ; SQLite : copie en ligne) et les fichiers "
        "de MEDIA_ROOT dans le dossier DEST (nouveau ou vide), avec un manifeste (migrations, nombre de "
        "lignes par table, empreintes SHA-256)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="dossier de la sauvegarde (créé s'il n'existe pas ; doit être vide)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="base à sauvegarder (alias Django)")

    def handle(self, dest, database, **options):
        try:
            manifest = backup.write_backup(dest, connections[database], settings.MEDIA_ROOT)
        except backup.BackupError as exc:
            raise CommandError(f"Sauvegarde impossible. {exc}") from exc
        size = sum(entry["size"] for entry in manifest["files"].values())
        files = len(manifest["media"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {dest} : base {backup.ENGINE_NAMES[manifest['engine']]}, "
                f"{len(manifest['tables'])} tables, {manifest['rows']} lignes ; "
                f"{files} fichier{'s' if files > 1 else ''} ; {size / 1e6:.1f} Mo en tout. "
                f"Manifeste : {backup.MANIFEST}."
            )
        )
