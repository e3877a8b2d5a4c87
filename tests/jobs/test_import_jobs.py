"""The tracking-sheet import as jobs: the upload keeps the file and queues its preview (the request
answers at once); the job reads, plans and keeps the batch, then sends the browser to the preview; the
confirmation is a job too, in one transaction: a failure writes nothing and says why in French."""

import io
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hours.models import Assignment, HoursEntry, ImportBatch
from hours.models_summary import LotMonthHours
from hours.suivi import planner
from jobs import imports
from jobs.models import Job
from jobs.progress import Progress
from markets.models import Buyer
from participants.models import Participant
from tests.hours.suivi import TITLES, line, months, workbook
from tests.jobs.factories import files_under, run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THREE_MONTHS = workbook(months("03/2025", "04/2025", "05/2025"))
NO_MONTH = workbook([line()], titles=[t for t in TITLES if t != "Mois"])


def upload(client, data, name="suivi.xlsx"):
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(reverse("hours:import_upload"), {"file": file})


def test_the_upload_keeps_the_file_and_answers_at_once(editor, manager, queued, jobs_dir):
    response = upload(editor, THREE_MONTHS, "suivi-mars.xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.user) == (Job.Kind.IMPORT_PREVIEW, Job.Status.QUEUED, manager)
    assert job.title == "Import de « suivi-mars.xlsx » : analyse du fichier"
    assert files_under(jobs_dir / "uploads") == ["suivi.xlsx"] and not ImportBatch.objects.exists()

    job = run(job)
    batch = ImportBatch.objects.get()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_url == reverse("hours:import_detail", args=[batch.pk])
    assert job.result_summary == "3 lignes lues, prêtes à importer"
    assert (batch.status, batch.rows_read, batch.entries_created) == (ImportBatch.Status.PENDING, 3, 3)
    assert batch.file_name == "suivi-mars.xlsx" and batch.uploaded_by == manager
    assert files_under(jobs_dir / "uploads") == []  # personal data: the waiting copy is gone
    polled = editor.get(reverse("jobs:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == job.result_url  # the browser goes on to the preview


def test_a_long_accented_file_name_is_kept_as_typed_and_stored_under_a_short_one(editor, queued, jobs_dir):
    """200 accented letters are 400 bytes: more than a file system takes for one name (was an OSError)."""
    name = "Relevé des heures d'été " + "é" * 200 + ".xlsx"
    upload(editor, workbook([line(), line(month="04/2025", hours=800)]), name)
    job = run(Job.objects.get())
    assert job.status == Job.Status.DONE, job.error
    batch = ImportBatch.objects.get()
    assert batch.file_name == name[:255]
    stored = batch.file.name.rsplit("/", 1)[-1]
    assert stored.startswith("Releve-des-heures-d-ete-eeee") and stored.endswith(".xlsx")
    assert len(stored.encode()) <= 100 and batch.file.size == batch.file_size
    job = run(
        Job.objects.get(pk=editor.get(reverse("hours:import_annotated", args=[batch.pk])).url.split("/")[-2])
    )
    assert job.status == Job.Status.DONE, job.error
    assert job.result_name.startswith("Releve-des-heures") and job.result_name.endswith("-erreurs.xlsx")


def test_an_unreadable_file_fails_in_french_and_keeps_nothing(editor, queued, jobs_dir):
    upload(editor, NO_MONTH)
    job = run(Job.objects.get())
    assert job.status == Job.Status.FAILED
    assert job.error == "Fichier illisible : colonnes obligatoires absentes : « Mois »."
    assert not ImportBatch.objects.exists() and files_under(jobs_dir / "uploads") == []


def test_run_at_once_the_upload_goes_straight_to_the_preview_or_the_form(editor):
    """Under the immediate backend (or a job finished before the answer) nothing changes for the user."""
    response = upload(editor, THREE_MONTHS)
    assert response.url == reverse("hours:import_detail", args=[ImportBatch.objects.get().pk])
    response = upload(editor, NO_MONTH)
    assert response.status_code == 400
    assert "Fichier illisible : colonnes obligatoires absentes : « Mois »" in unescape(
        response.content.decode()
    )


def test_the_reading_reports_every_2000_rows_in_french(manager):
    job = Job.objects.create(user=manager, kind=Job.Kind.IMPORT_PREVIEW, title="Essai")
    progress = Progress(job, every=0)
    report = imports._reporter(progress)
    report("lecture", 12_000, 50_001)
    assert Job.objects.values_list("step", "done", "total").get() == (
        "Lecture : ligne 12\xa0000 sur 50\xa0001",
        12_000,
        50_001,
    )
    report("lecture", 50_001, 50_001)
    assert Job.objects.get().step == "Lecture terminée : vérification des lignes…"
    report("écriture", "marchés", None)
    assert Job.objects.get().step == "Enregistrement : marchés"


def _pending_batch(client):
    """A previewed batch waiting for its confirmation (its preview job run)."""
    upload(client, THREE_MONTHS)
    run(Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW))
    return ImportBatch.objects.get()


def test_the_confirmation_is_a_job_that_imports_in_one_go(
    editor, manager, queued, django_capture_on_commit_callbacks
):
    batch = _pending_batch(editor)
    response = editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=Job.Kind.IMPORT_CONFIRM)
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert HoursEntry.objects.count() == 0  # queued: nothing imported by the request
    # Confirmed twice while the first is waiting: one job only.
    again = editor.post(reverse("hours:import_confirm", args=[batch.pk]), follow=True)
    assert "déjà en cours d'enregistrement" in unescape(again.content.decode())
    assert Job.objects.filter(kind=Job.Kind.IMPORT_CONFIRM).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    batch.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_summary == "Tableau importé : 3 heures mensuelles créées, 0 modifiée"
    assert job.result_url == reverse("hours:import_detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.IMPORTED and not batch.file
    assert HoursEntry.objects.count() == 3


def test_a_confirmation_failing_half_way_writes_nothing(editor, queued, monkeypatch):
    batch = _pending_batch(editor)
    writes = planner.Planner.apply

    def apply_then_fail(self, *args, **kwargs):
        writes(self, *args, **kwargs)  # everything written…
        raise RuntimeError("coupure")  # …then the failure

    monkeypatch.setattr(planner.Planner, "apply", apply_then_fail)
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind=Job.Kind.IMPORT_CONFIRM)
    with pytest.raises(RuntimeError):  # re-raised for the worker's log and its task record
        run(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Le traitement s'est arrêté sur une erreur inattendue (RuntimeError).")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING and batch.file  # may be confirmed again
    assert HoursEntry.objects.count() == 0 and not Buyer.objects.exists()


def test_a_batch_cancelled_before_its_confirmation_runs_is_not_imported(editor, queued):
    batch = _pending_batch(editor)
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    editor.post(reverse("hours:import_cancel", args=[batch.pk]))
    job = run(Job.objects.get(kind=Job.Kind.IMPORT_CONFIRM))
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "Cet import n'est plus en attente de confirmation (il est « annulé ») : rien n'a été enregistré."
    )
    assert HoursEntry.objects.count() == 0


def _analysed(tables):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)", [tables])
        return sorted(row[0] for row in cursor.fetchall())


def test_postgresql_has_statistics_of_what_an_import_wrote_right_after_it(editor, queued):
    """The confirmation ANALYZEs the tables it wrote: the planner has statistics at once (without, it
    plans the dashboard's queries for empty tables, issue 14, item 3)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    tables = imports.written_tables()
    batch = _pending_batch(editor)
    assert _analysed(tables) == []  # nothing analysed yet (the rows of a test's transaction)
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    job = run(Job.objects.get(kind=Job.Kind.IMPORT_CONFIRM))
    assert job.status == Job.Status.DONE, job.error
    expected = {m._meta.db_table for m in (HoursEntry, Assignment, Participant, LotMonthHours)}
    assert expected <= set(_analysed(tables))


def test_the_annotated_workbook_of_a_refused_file_is_a_job(editor, manager, queued, jobs_dir):
    upload(editor, workbook([line(), line(month="04/2025", hours=800)]), "refusé.xlsx")
    run(Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED
    response = editor.get(reverse("hours:import_annotated", args=[batch.pk]))
    job = Job.objects.get(kind=Job.Kind.IMPORT_ANNOTATED)
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert job.title == "Import refusé de « refusé.xlsx » : classeur annoté des erreurs"
    job = run(job)
    assert job.status == Job.Status.DONE, job.error
    assert (job.result_name, job.result_summary) == ("refuse-erreurs.xlsx", "1 cellule en erreur surlignée")
    download = editor.get(reverse("jobs:job_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    hours = book["Heures"].cell(row=3, column=TITLES.index("Heures") + 1)
    assert (hours.value, hours.fill.fgColor.rgb) == (800, "00FFC7CE")
    assert book["Heures"].cell(row=2, column=TITLES.index("Heures") + 1).fill.fgColor.rgb != "00FFC7CE"


def test_the_annotated_workbook_of_a_batch_deleted_meanwhile_fails_in_french(editor, queued, jobs_dir):
    upload(editor, workbook([line(hours=800)]))
    run(Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW))
    batch = ImportBatch.objects.get()
    editor.get(reverse("hours:import_annotated", args=[batch.pk]))
    batch.delete()
    job = run(Job.objects.get(kind=Job.Kind.IMPORT_ANNOTATED))
    assert job.status == Job.Status.FAILED and not job.result_file
    assert job.error == "Cet import refusé n'a plus de fichier à annoter : il a été supprimé entre-temps."
    assert files_under(jobs_dir / "tmp") == []


def test_a_batch_imported_meanwhile_is_not_marked_cancelled(
    editor, queued, django_capture_on_commit_callbacks
):
    """The cancel re-reads the batch under its row lock (held by a confirmation under way until it commits):
    a cancel that arrives after the hours were written says so and changes nothing."""
    batch = _pending_batch(editor)
    editor.post(reverse("hours:import_confirm", args=[batch.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        run(Job.objects.get(kind=Job.Kind.IMPORT_CONFIRM))
    # The page the user cancels from was shown while the batch was pending.
    response = editor.post(reverse("hours:import_cancel", args=[batch.pk]), follow=True)
    assert "a déjà été enregistré : il ne peut plus être annulé" in unescape(response.content.decode())
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert HoursEntry.objects.count() == 3


def test_cancel_reads_the_status_again_rather_than_trusting_the_callers_copy(editor, queued):
    from hours.suivi import batches

    batch = _pending_batch(editor)
    stale = ImportBatch.objects.get(pk=batch.pk)  # read while pending
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTED)
    assert batches.cancel(stale) is False
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.IMPORTED
    assert stale.status == ImportBatch.Status.IMPORTED
