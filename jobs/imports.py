"""The tracking-sheet import as jobs (hours/suivi): the preview (the file read and planned, a dry run,
then kept with its report in an ImportBatch) and the confirmation (the import for real, in one
transaction, with the rights of the person who confirms). The reading reports its progress every
2 000 rows (« Lecture : ligne 12 000 sur 50 000 »), the writing each kind of record it writes. Once
the confirmation is committed, PostgreSQL's statistics of the tables it wrote are refreshed (ANALYZE).

The uploaded file waits under CLAUSES_JOBS_DIR/uploads/ (personal data: removed as soon as the preview
has kept its own copy in the batch, or has failed)."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection
from django.urls import reverse

from clauses_site import formatting
from companies.models import Company
from hours.models import Assignment, HoursEntry, ImportBatch
from hours.models_summary import LotMonthHours
from hours.suivi import ImportReport, UnreadableFile, annotated_workbook, batches
from jobs import tasks
from jobs.models import Job
from jobs.progress import JobFailed
from jobs.tasks import Outcome, work_dir
from markets.models import Lot
from participants.models import Participant


def written_tables():
    """The tables a large import fills: the entries, the assignments, the people (and their publics),
    the lot × month summary the dashboard and the bilans read, the lots and companies it may create."""
    models = (HoursEntry, Assignment, Participant, LotMonthHours, Lot, Company)
    return [m._meta.db_table for m in models] + [Participant.criteria.through._meta.db_table]


def analyze_written_tables():
    """PostgreSQL: ANALYZE what the import wrote, once its transaction is committed. Autovacuum would do
    it some minutes later; until then the planner would plan the dashboard's and the bilans' queries on
    the statistics of the tables before the import (none at all for a first import), and may choose a
    plan that never ends (issue 14, item 3). SQLite: nothing (its planner reads no statistics we keep)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in written_tables():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


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


def discard_upload(job):
    """The file a preview job waited on, removed (the job was lost before it could do it)."""
    folder = job.params.get("upload", "")
    if folder and folder.isalnum():
        shutil.rmtree(_uploads() / folder, ignore_errors=True)


def start_confirm(user, batch):
    title = f"Import de « {batch.file_name} » : enregistrement"
    return tasks.start(user, Job.Kind.IMPORT_CONFIRM, title, {"batch": batch.pk})


def start_annotated(user, batch, name):
    """Queue the refused file given back with its faulty cells highlighted (name: the file's name)."""
    title = f"Import refusé de « {batch.file_name} » : classeur annoté des erreurs"
    return tasks.start(user, Job.Kind.IMPORT_ANNOTATED, title, {"batch": batch.pk, "name": name})


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
    if report.imported:
        progress.step("Mise à jour des statistiques de la base…")
        analyze_written_tables()
    url = reverse("hours:import_detail", args=[batch.pk])
    if not report.imported:
        return Outcome(summary="Le fichier a été refusé à la confirmation : rien n'a été enregistré", url=url)
    entries = report.counts["entries"]
    created = _count(entries.created, "heure mensuelle créée", "heures mensuelles créées")
    return Outcome(
        summary=f"Tableau importé : {created}, {_count(entries.updated, 'modifiée', 'modifiées')}", url=url
    )


def annotated(job, progress):
    """The refused workbook, its faulty cells in red with a comment (openpyxl reads and rewrites every
    cell: ~30 s for 50 000 rows, two minutes at the import's limit of 200 000)."""
    batch = ImportBatch.objects.filter(pk=job.params["batch"]).first()
    if batch is None or batch.status != ImportBatch.Status.REFUSED or not batch.file:
        raise JobFailed("Cet import refusé n'a plus de fichier à annoter : il a été supprimé entre-temps.")
    report = ImportReport.from_dict(batch.report)
    errors = _count(report.error_count, "cellule en erreur", "cellules en erreur")
    progress.step(f"Lecture de « {batch.file_name} » et surlignage des {errors}…")
    try:
        with batch.file.open("rb") as handle:
            data = annotated_workbook(handle, report.errors, report.sheet)
    except UnreadableFile as exc:  # another sheet of the workbook exceeds the import's limits
        raise JobFailed(f"Le classeur annoté n'a pas pu être produit : {exc}") from exc
    path = work_dir(job) / job.params["name"]
    path.write_bytes(data)
    return Outcome(
        summary=f"{errors} surlignée{'s' if report.error_count > 1 else ''}", path=path, name=path.name
    )
