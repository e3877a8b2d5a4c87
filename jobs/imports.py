"""The tracking-sheet import as jobs (hours/suivi): the preview (the file read and planned, a dry run,
then kept with its report in an ImportBatch) and the confirmation (the import for real, in one
transaction, with the rights of the person who confirms). The reading reports its progress every
2 000 rows (« Lecture : ligne 12 000 sur 50 000 »), the writing each kind of record it writes.

The uploaded file waits under CLAUSES_JOBS_DIR/uploads/ (personal data: removed as soon as the preview
has kept its own copy in the batch, or has failed)."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.urls import reverse

from clauses_site import formatting
from hours.models import ImportBatch
from hours.suivi import batches
from jobs import tasks
from jobs.models import Job
from jobs.progress import JobFailed
from jobs.tasks import Outcome


def _count(n, singular, plural):
    """« 1 ligne lue », « 0 modifiée », « 12 000 lignes lues »."""
    return f"{formatting.integer(n)} {plural if n > 1 else singular}"


def _uploads():
    return Path(settings.CLAUSES_JOBS_DIR) / "uploads"


def start_preview(user, upload, name):
    """Keep the uploaded file and queue its preview; returns the Job."""
    folder = uuid.uuid4().hex
    path = _uploads() / folder / "suivi.xlsx"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    title = f"Import de « {name} » : analyse du fichier"
    return tasks.start(user, Job.Kind.IMPORT_PREVIEW, title, {"upload": folder, "name": name})


def start_confirm(user, batch):
    title = f"Import de « {batch.file_name} » : enregistrement"
    return tasks.start(user, Job.Kind.IMPORT_CONFIRM, title, {"batch": batch.pk})


def confirm_under_way(batch):
    """The confirmation of this batch already queued or running, if any."""
    return Job.objects.unfinished().filter(kind=Job.Kind.IMPORT_CONFIRM, params__batch=batch.pk).first()


def _reporter(progress):
    """The importer's callback(phase, done, total) → the job's step."""

    def report(phase, done, total):
        if phase != "lecture":
            progress.step(f"Enregistrement : {done}")
        elif total and done < total:
            progress.update(done, total, "Lecture : ligne {done} sur {total}")
        elif done and not total:
            progress.update(done, 0, "Lecture : ligne {done}")
        else:  # the reading's last call
            done = total or 0
            progress.update(done, done, "Lecture terminée : vérification des lignes…", force=True)

    return report


def preview(job, progress):
    folder = _uploads() / job.params["upload"]
    path, name = folder / "suivi.xlsx", job.params["name"]
    if not path.exists():
        raise JobFailed(f"Le fichier « {name} » déposé n'est plus là : déposez-le à nouveau.")
    progress.step(f"Lecture de « {name} »…")
    try:
        with path.open("rb") as handle:
            upload = File(handle, name=name)
            report, batch = batches.preview(upload, name, job.user, progress=_reporter(progress))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if batch is None:
        raise JobFailed(f"Fichier illisible : {report.fatal}")
    rows = _count(report.rows_read, "ligne lue", "lignes lues")
    if report.refused:
        summary = f"{rows}, {_count(report.error_count, 'erreur', 'erreurs')} : fichier refusé"
    else:
        summary = f"{rows}, prêtes à importer" if report.rows_read > 1 else f"{rows}, prête à importer"
    return Outcome(summary=summary, url=reverse("hours:import_detail", args=[batch.pk]))


def confirm(job, progress):
    # Written before the transaction: on SQLite the steps inside it are only seen once it is committed.
    progress.step("Lecture, vérification et enregistrement du fichier…")
    with progress.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=job.params["batch"]).first()
        if batch is None:
            raise JobFailed("Cet import n'existe plus : il a été supprimé.")
        if batch.status != ImportBatch.Status.PENDING:
            status = batch.get_status_display().lower()
            raise JobFailed(
                f"Cet import n'est plus en attente de confirmation (il est « {status} ») : "
                "rien n'a été enregistré."
            )
        if not batch.file:
            raise JobFailed("Le fichier de cet import n'est plus là : déposez-le à nouveau.")
        progress.step(f"Lecture de « {batch.file_name} »…")
        report = batches.confirm(batch, job.user, progress=_reporter(progress))
    url = reverse("hours:import_detail", args=[batch.pk])
    if not report.imported:
        return Outcome(summary="Le fichier a été refusé à la confirmation : rien n'a été enregistré", url=url)
    entries = report.counts["entries"]
    created = _count(entries.created, "heure mensuelle créée", "heures mensuelles créées")
    return Outcome(
        summary=f"Tableau importé : {created}, {_count(entries.updated, 'modifiée', 'modifiées')}", url=url
    )
