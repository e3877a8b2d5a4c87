"""manage.py prune_jobs [--days 30]: finished jobs older than that are deleted with the files they
produced (« Mes traitements » is a working list, not an archive: the bilans of a grouped sending stay
archived under Bilans). First, the running jobs whose worker process on this machine is gone are marked
interrupted (tasks.fail_if_lost: their waiting upload removed). Run it daily beside
prune_db_task_results (django-tasks-db's own records)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import fail_if_lost


class Command(BaseCommand):
    help = "Supprime les traitements finis depuis plus de --days jours, et leurs fichiers."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="âge en jours (défaut : 30)")

    def handle(self, *args, days, **options):
        lost = sum(
            fail_if_lost(job) for job in Job.objects.filter(status=Job.Status.RUNNING).exclude(worker="")
        )
        if lost:
            self.stdout.write(f"{lost} traitement(s) interrompu(s) : leur processus n'existe plus.")
        old = Job.objects.filter(
            status__in=(Job.Status.DONE, Job.Status.FAILED),
            finished_at__lt=timezone.now() - timedelta(days=days),
        )
        files = 0
        for job in old.exclude(result_file=""):
            job.result_file.delete(save=False)
            files += 1
        count, _ = old.delete()
        self.stdout.write(f"{count} traitement(s) supprimé(s), {files} fichier(s).")
