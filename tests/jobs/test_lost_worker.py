"""A worker killed without a word (kill -9, out of memory, a restart): its running job would say « En
cours » forever and its upload would wait under CLAUSES_JOBS_DIR/uploads. The job's page, the list and
prune_jobs mark it interrupted (tasks.fail_if_lost) and remove what it left; a job whose worker is alive,
or runs on another machine, is left as it is."""

import os
import socket
from html import unescape

from django.urls import reverse

from jobs import tasks
from jobs.models import Job
from tests.factories import UserFactory
from tests.jobs.factories import JobFactory, dead_worker


def text(response):
    return unescape(response.content.decode()).replace("\xa0", " ")


def test_the_page_of_a_job_whose_worker_is_gone_says_it_was_interrupted(client, db, jobs_dir):
    owner = UserFactory(username="proprietaire", facilitator=True)
    waiting = jobs_dir / "uploads" / "0123abcd"
    waiting.mkdir(parents=True)
    (waiting / "suivi.xlsx").write_bytes(b"PK")
    (jobs_dir / "tmp").mkdir()
    job = JobFactory(
        user=owner,
        kind=Job.Kind.IMPORT_PREVIEW,
        params={"upload": "0123abcd", "name": "suivi.xlsx"},
        status=Job.Status.RUNNING,
        worker=dead_worker(),
    )
    work = jobs_dir / "tmp" / str(job.pk)
    work.mkdir()
    client.force_login(owner)
    html = text(client.get(reverse("jobs:job_progress", args=[job.pk])))
    assert tasks.INTERRUPTED in html and "hx-trigger" not in html  # no longer polled
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, tasks.INTERRUPTED) and job.finished_at
    assert not waiting.exists() and not work.exists()


def test_a_job_whose_worker_is_alive_or_elsewhere_is_left_running(client, db):
    owner = UserFactory(username="proprietaire", facilitator=True)
    here = JobFactory(user=owner, status=Job.Status.RUNNING, worker=f"{socket.gethostname()}:{os.getpid()}")
    elsewhere = JobFactory(user=owner, status=Job.Status.RUNNING, worker="autre-serveur:1")
    before = JobFactory(user=owner, status=Job.Status.RUNNING)  # started before the worker was recorded
    client.force_login(owner)
    assert client.get(reverse("jobs:job_list")).status_code == 200
    for job in (here, elsewhere, before):
        assert client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 200
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING


def test_the_list_marks_a_lost_job_interrupted(client, db):
    owner = UserFactory(username="proprietaire", facilitator=True)
    job = JobFactory(user=owner, status=Job.Status.RUNNING, worker=dead_worker())
    client.force_login(owner)
    html = text(client.get(reverse("jobs:job_list")))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Échoué" in html


SEEN = {}


def record_worker(job, progress):
    """A runner that notes the worker recorded on its job while it runs."""
    SEEN["worker"] = Job.objects.values_list("worker", flat=True).get(pk=job.pk)
    return tasks.Outcome(summary="rien")


def test_the_worker_records_itself_on_the_job(db, jobs_dir, monkeypatch):
    job = JobFactory(kind=Job.Kind.BILANS_ZIP)
    monkeypatch.setitem(tasks.RUNNERS, Job.Kind.BILANS_ZIP, f"{__name__}.record_worker")
    tasks.run_job.call(job.pk)
    assert SEEN["worker"] == f"{socket.gethostname()}:{os.getpid()}"
