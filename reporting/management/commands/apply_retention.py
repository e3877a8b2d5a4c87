"""python manage.py apply_retention [--dry-run] [--today AAAA-MM-JJ]

The daily retention rule (reporting/personal_data.py): anonymises the people whose last assignment
ended more than CLAUSES_RETENTION_YEARS years ago (and the people with no assignment whose record has
not changed for as long), deletes the import workbooks uploaded more than 90 days ago (the import and
its report stay), the access-log rows older than a year and the history rows of deleted participants.
--dry-run lists what would be done."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reporting import personal_data


class Command(BaseCommand):
    help = "Applique les durées de conservation des données personnelles (à lancer chaque jour)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="liste sans rien modifier")
        parser.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (essais)")

    def handle(self, *args, dry_run, today, **options):
        if today:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError as exc:
                message = f"Date invalide pour --today : « {today} » (attendu AAAA-MM-JJ)."
                raise CommandError(message, returncode=2) from exc
        run = personal_data.apply_retention(today=today, dry_run=dry_run)
        verb = "à anonymiser" if dry_run else "anonymisées"
        self.stdout.write(f"Personnes {verb} : {len(run.people)}")
        for due in run.people:
            # The identity is printed only in the dry run (once anonymised, only the stand-in remains).
            name = due.person if dry_run else f"fiche n° {due.person.pk}"
            self.stdout.write(f"  - {name} : {due.basis}")
        verb = "à supprimer" if dry_run else "supprimés"
        days = personal_data.IMPORT_FILE_DAYS
        self.stdout.write(f"Classeurs importés de plus de {days} jours {verb} : {len(run.import_files)}")
        for pk, name, uploaded in run.import_files:
            self.stdout.write(f"  - import n° {pk} « {name} » déposé le {uploaded:%d/%m/%Y}")
        verb = "à supprimer" if dry_run else "supprimées"
        self.stdout.write(f"Lignes du journal des accès de plus d'un an {verb} : {run.log_rows}")
        verb = "à effacer" if dry_run else "effacé"
        self.stdout.write(f"Historique de participants supprimés {verb} : {run.deleted_people} personne(s)")
        if dry_run:
            self.stdout.write("Essai à blanc : rien n'a été modifié.")
