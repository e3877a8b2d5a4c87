from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from jobs import tasks
from jobs.models import Job
from tests.jobs.factories import JobFactory, dead_worker


def test_finished_jobs_older_than_the_limit_go_with_their_files(db, capsys):
    now = timezone.now()
    old = JobFactory(done_with_file=True, finished_at=now - timedelta(days=31))
    failed = JobFactory(status=Job.Status.FAILED, finished_at=now - timedelta(days=40))
    recent = JobFactory(done_with_file=True, finished_at=now - timedelta(days=29))
    running = JobFactory(status=Job.Status.RUNNING, created_at=now - timedelta(days=60))
    old_path = Path(old.result_file.path)
    call_command("prune_jobs", "--days", "30")
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not old_path.exists() and Path(recent.result_file.path).exists()
    assert capsys.readouterr().out == "2 traitement(s) supprimé(s), 1 fichier(s).\n"
    assert failed.pk not in Job.objects.values_list("pk", flat=True)


def test_a_running_job_whose_worker_is_gone_is_marked_interrupted(db, capsys):
    gone = JobFactory(status=Job.Status.RUNNING, worker=dead_worker())
    call_command("prune_jobs")
    gone.refresh_from_db()
    assert (gone.status, gone.error) == (Job.Status.FAILED, tasks.INTERRUPTED)
    assert capsys.readouterr().out.startswith(
        "1 traitement(s) interrompu(s) : leur processus n'existe plus.\n"
    )
