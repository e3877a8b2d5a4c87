"""manage.py backup DEST: the database and MEDIA_ROOT copied into the folder DEST, with a manifest."""

from clauses_site import backup


class Command(
    backup.FolderCommand,
    folder=("dest", "dossier de la sauvegarde (créé s'il n'existe pas ; doit être vide)"),
    database="base à sauvegarder (alias Django)",
    failure="Sauvegarde impossible.",
):
    help = (
        "Sauvegarde la base de données (PostgreSQL : pg_dump -Fc ; SQLite : copie en ligne) et les fichiers "
        "de MEDIA_ROOT dans le dossier DEST (nouveau ou vide), avec un manifeste (migrations, nombre de "
        "lignes par table, empreintes SHA-256)."
    )

    def run(self, folder, connection, media_root):
        return backup.write_backup(folder, connection, media_root)

    def summary(self, folder, manifest):
        size = sum(entry["size"] for entry in manifest["files"].values())
        return (
            f"Sauvegarde écrite dans {folder} : base {backup.ENGINE_NAMES[manifest['engine']]}, "
            f"{len(manifest['tables'])} tables, {manifest['rows']} lignes ; "
            f"{backup.files_count(manifest)} ; {size / 1e6:.1f} Mo en tout. Manifeste : {backup.MANIFEST}."
        )
