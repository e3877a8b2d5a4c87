"""The one task of the framework (django.tasks, run by `manage.py db_worker` from django-tasks-db), and
how screens start a Job.

    job = jobs.tasks.start(request.user, Job.Kind.BILANS_ZIP, "Bilans groupés du …", {"start": "…"})
    return redirect(job)          # the job's page, which polls until the work is done

run_job runs the Job's runner (RUNNERS: kind → "module.function(job, progress) -> Outcome"). The runner
keeps its writes in progress.atomic(); whatever fails, the Job is marked failed afterwards, outside that
transaction, with a French message: the runner's own (JobFailed) or a general one naming the error.
"""

import logging
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from jobs.models import Job
from jobs.progress import JobFailed, Progress

logger = logging.getLogger(__name__)

#: What a job leaves behind when its worker dies without running its own clean-up (kind → function(job)).
DISCARDS = {Job.Kind.IMPORT_PREVIEW: "jobs.imports.discard_upload"}

RUNNERS = {
    Job.Kind.BILANS_ZIP: "jobs.bilans.build_zip",
    Job.Kind.IMPORT_PREVIEW: "jobs.imports.preview",
    Job.Kind.IMPORT_CONFIRM: "jobs.imports.confirm",
    Job.Kind.IMPORT_ANNOTATED: "jobs.imports.annotated",
    Job.Kind.SUIVI_EXPORT: "jobs.exports.suivi",
    Job.Kind.LIST_EXPORT: "jobs.exports.list_export",
}

UNEXPECTED = (
    "Le traitement s'est arrêté sur une erreur inattendue ({error}). Rien n'a été enregistré : "
    "vous pouvez le relancer ; si l'erreur revient, signalez-la à l'administrateur avec l'heure ci-dessous."
)
INTERRUPTED = (
    "Le traitement a été interrompu (arrêt du serveur de traitements). Rien n'a été enregistré : relancez-le."
)


@dataclass
class Outcome:
    """What a runner produced: a file (a temporary path, moved under CLAUSES_JOBS_DIR), a page to go
    to, and a one-line summary (« 12 bilans »)."""

    summary: str = ""
    path: Path | None = None
    name: str = ""
    url: str = ""


def start(user, kind, title, params, once=False):
    """Record a Job for the user and hand it to the worker; returns at once (the task is queued in the
    request's transaction, so that the worker sees the Job and its task together). once: while the same
    user's job of that kind and those params is unfinished, that job is returned instead of a second one
    (an export link followed twice, a page reloaded)."""
    if once:
        for waiting in Job.objects.visible_to(user).unfinished().filter(kind=kind):
            if waiting.params == params and not fail_if_lost(waiting):
                return waiting
    job = Job.objects.create(user=user, kind=kind, title=title[:200], params=params)
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


@task()
def run_job(job_id):
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return None
    job.status, job.started_at, job.worker = Job.Status.RUNNING, timezone.now(), this_worker()
    Job.objects.filter(pk=job.pk).update(
        status=job.status, started_at=job.started_at, worker=job.worker, step="Démarrage…"
    )
    progress = Progress(job)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            outcome = import_string(RUNNERS[job.kind])(job, progress)
        _succeed(job, outcome)
    except JobFailed as exc:
        _fail(job, str(exc))
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, UNEXPECTED.format(error=type(exc).__name__))
        raise
    except BaseException:
        _fail(job, INTERRUPTED)
        raise
    finally:
        progress.close()
        shutil.rmtree(_work_path(job), ignore_errors=True)
    return job.status


def this_worker():
    """« host:pid » of the process running a job."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _process_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def is_lost(job):
    """A running job whose worker process is gone (killed, out of memory, machine restarted): it will
    never end by itself. Known only for a worker on this machine; elsewhere the job is left as it is."""
    if job.status != Job.Status.RUNNING or not job.worker:
        return False
    host, _, pid = job.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not _process_exists(int(pid))


def fail_if_lost(job):
    """Mark a lost job failed (INTERRUPTED) and remove what it left (its work folder, an upload that
    waited for it); True when it was lost. Only a job still running with that same worker is changed."""
    if not is_lost(job):
        return False
    changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
        status=Job.Status.FAILED, error=INTERRUPTED, finished_at=timezone.now()
    )
    if changed:
        logger.warning("Job %s (%s): worker %s gone, marked interrupted", job.pk, job.kind, job.worker)
        shutil.rmtree(_work_path(job), ignore_errors=True)
        if job.kind in DISCARDS:
            import_string(DISCARDS[job.kind])(job)
    job.refresh_from_db()
    return True


def _fail(job, message):
    job.status, job.error = Job.Status.FAILED, message
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message, finished_at=timezone.now())


def _succeed(job, outcome):
    job.status, job.finished_at = Job.Status.DONE, timezone.now()
    job.result_summary, job.result_url = outcome.summary[:300], outcome.url[:300]
    job.step, job.done = "Terminé", job.total
    if outcome.path is not None:
        job.result_name = outcome.name[:200]
        with open(outcome.path, "rb") as handle:
            job.result_file.save(outcome.name, File(handle), save=False)
        Path(outcome.path).unlink(missing_ok=True)
    job.save()


def _work_path(job):
    return Path(settings.CLAUSES_JOBS_DIR) / "tmp" / str(job.pk)


def work_dir(job):
    """A temporary folder of the job's own (CLAUSES_JOBS_DIR/tmp/<id>), removed when the job ends."""
    path = _work_path(job)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
