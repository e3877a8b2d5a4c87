"""manage.py restore SRC: a backup folder restored into an empty database and MEDIA_ROOT, then checked."""

from clauses_site import backup


class Command(
    backup.FolderCommand,
    folder=("src", "dossier de la sauvegarde"),
    database="base cible, vide (alias Django)",
    failure="Restauration impossible.",
):
    help = (
        "Restaure une sauvegarde (dossier écrit par « manage.py backup ») dans une base de données VIDE et "
        "un MEDIA_ROOT vide, puis vérifie le nombre de lignes de chaque table et les empreintes des fichiers "
        "par rapport au manifeste."
    )

    def run(self, folder, connection, media_root):
        return backup.restore_backup(folder, connection, media_root)

    def summary(self, folder, manifest):
        return (
            f"Sauvegarde du {manifest['created_at']} restaurée et vérifiée : {len(manifest['tables'])} "
            f"tables, {manifest['rows']} lignes, {backup.files_count(manifest)}, tous "
            "conformes au manifeste (nombre de lignes par table, empreintes SHA-256)."
        )
