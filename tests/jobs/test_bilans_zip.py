"""« Envoyer un bilan groupé » as a job: the request starts it and goes to the job's page; the job
archives every buyer's PDF and keeps the zip for its owner; a failure leaves no bilan, no file, no zip."""

import io
import zipfile
from html import unescape

import pytest
from django.urls import reverse

from jobs import bilans, tasks
from jobs.models import Job
from jobs.progress import Progress
from reporting.models import Bilan
from tests.factories import UserFactory
from tests.jobs.factories import files_under

BATCH = {"batch_start": "2025-01-01", "batch_end": "2025-06-30"}
NAMES = [
    "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf",
    "bilan-ville-de-grande-synthe-2025-01-01-2025-06-30.pdf",
]


def test_the_request_queues_the_job_and_answers_at_once(client, manager, bilan_data, monkeypatch):
    """With the database backend (as in production) the request only records the job and its task."""
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(tasks, "run_job", tasks.run_job.using(backend="database"))
    client.force_login(manager)
    response = client.post(reverse("reporting:bilan_batch"), BATCH)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and job.user == manager
    assert job.params == {"start": "2025-01-01", "end": "2025-06-30"}
    assert job.title == "Bilans groupés des donneurs d'ordre du 01/01/2025 au 30/06/2025"
    assert DBTaskResult.objects.get().id.hex == job.task_id.replace("-", "")
    assert not Bilan.objects.exists()  # nothing made yet: the worker does it


def test_the_job_archives_every_buyer_and_keeps_the_zip_for_its_owner(
    client, manager, bilan_data, jobs_dir, monkeypatch
):
    steps = []
    write = Progress._write
    monkeypatch.setattr(
        Progress, "_write", lambda self, fields: (steps.append(fields.get("step")), write(self, fields))
    )
    client.force_login(manager)
    response = client.post(reverse("reporting:bilan_batch"), BATCH, follow=True)
    job = Job.objects.get()
    assert response.redirect_chain == [(reverse("jobs:job_detail", args=[job.pk]), 302)]
    assert job.status == Job.Status.DONE and job.error == "" and job.finished_at >= job.started_at
    assert (job.done, job.total, job.step, job.result_summary) == (2, 2, "Terminé", "2 bilans archivés")
    assert "Bilan 1 sur 2 : Communauté Urbaine de Dunkerque" in steps
    assert "Bilan 2 sur 2 : Ville de Grande-Synthe" in steps
    assert "Archivage des 2 bilans et écriture du zip" in steps
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert 'filename="bilans-donneurs-d-ordre-2025-01-01-2025-06-30.zip"' in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == NAMES
    archived = list(Bilan.objects.order_by("scope_name"))
    assert [(b.scope_name, b.created_by) for b in archived] == [
        ("Communauté Urbaine de Dunkerque", manager),
        ("Ville de Grande-Synthe", manager),
    ]
    assert len({b.batch for b in archived}) == 1 and archived[0].batch is not None
    assert files_under(jobs_dir / "tmp") == []  # the temporary PDFs are gone
    assert job.result_file.path.startswith(str(jobs_dir))
    # A colleague does not get it, nor sees it listed.
    other = UserFactory(username="collegue", manager=True)
    client.force_login(other)
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404
    assert list(client.get(reverse("jobs:job_list")).context["jobs"]) == []


def test_a_second_batch_numbers_the_versions(client, manager, bilan_data):
    client.force_login(manager)
    client.post(reverse("reporting:bilan_batch"), BATCH)
    client.post(reverse("reporting:bilan_batch"), BATCH)
    second = Job.objects.order_by("pk").last()
    names = zipfile.ZipFile(second.result_file.open("rb")).namelist()
    assert names == [n.replace(".pdf", "-v2.pdf") for n in NAMES]


@pytest.mark.parametrize("where", ["render", "archive"])
def test_a_failure_leaves_no_bilan_no_file_and_no_zip(
    client, manager, bilan_data, jobs_dir, settings, monkeypatch, where
):
    calls = []

    def second_one_fails(original):
        def wrapper(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise OSError("disque plein")
            return original(*args, **kwargs)

        return wrapper

    if where == "render":
        monkeypatch.setattr(bilans.bilan, "render_pdf", second_one_fails(bilans.bilan.render_pdf))
    else:
        monkeypatch.setattr(Bilan, "archive", second_one_fails(Bilan.archive))
    client.force_login(manager)
    client.post(reverse("reporting:bilan_batch"), BATCH)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Le traitement s'est arrêté sur une erreur inattendue (OSError).")
    assert not Bilan.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == [] and files_under(jobs_dir) == []
    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    assert "Le traitement a échoué" in page.content.decode() and not job.result_file


def test_a_period_without_hours_is_refused_before_any_job(client, manager, bilan_data):
    client.force_login(manager)
    response = client.post(
        reverse("reporting:bilan_batch"),
        {"batch_start": "2020-01-01", "batch_end": "2020-12-31"},
        follow=True,
    )
    html = unescape(response.content.decode())
    assert "Aucun donneur d'ordre n'a d'heures validées du 01/01/2020 au 31/12/2020." in html
    assert not Job.objects.exists()
