"""« Mes traitements »: a job is its owner's only; its page polls until the job is done, then shows the
result; a task reports « ligne 12 000 sur 50 000 »; a failing task says why in French and leaves
nothing of its work written."""

from html import unescape

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from jobs import tasks
from jobs.models import Job
from jobs.progress import JobFailed, Progress
from markets.models import Buyer
from tests.factories import UserFactory
from tests.jobs.factories import JobFactory


def text(response):
    return unescape(response.content.decode()).replace("\xa0", " ")


@pytest.fixture
def owner(db):
    return UserFactory(username="proprietaire", facilitator=True)


def test_the_owner_sees_the_job_and_its_file(client, owner):
    job = JobFactory(user=owner, done_with_file=True, result_summary="2 bilans archivés")
    client.force_login(owner)
    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    assert page.status_code == 200
    html = text(page)
    assert "2 bilans archivés" in html and reverse("jobs:job_download", args=[job.pk]) in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"PK\x05\x06" + b"\0" * 18
    assert 'filename="bilans.zip"' in download["Content-Disposition"]


@pytest.mark.parametrize("url_name", ["jobs:job_detail", "jobs:job_progress", "jobs:job_download"])
def test_another_users_job_is_404_even_for_the_manager(client, owner, manager, url_name):
    job = JobFactory(user=owner, done_with_file=True)
    client.force_login(manager)
    assert client.get(reverse(url_name, args=[job.pk])).status_code == 404


def test_the_list_shows_only_the_users_own_jobs(client, owner, facilitator):
    JobFactory(user=owner, title="Premier traitement")
    JobFactory(user=owner, title="Deuxième traitement", status=Job.Status.FAILED, error="Fichier illisible.")
    JobFactory(user=facilitator, title="Traitement d'une collègue")
    client.force_login(owner)
    response = client.get(reverse("jobs:job_list"))
    assert [j.title for j in response.context["jobs"]] == ["Deuxième traitement", "Premier traitement"]
    assert "Traitement d'une collègue" not in text(response)
    assert "Fichier illisible." in text(response)


def test_a_running_job_polls_every_second_until_done(client, owner):
    job = JobFactory(user=owner, status=Job.Status.RUNNING, step="ligne 12 000 sur 50 000", done=12_000)
    Job.objects.filter(pk=job.pk).update(total=50_000)
    client.force_login(owner)
    url = reverse("jobs:job_progress", args=[job.pk])
    html = text(client.get(url))
    assert html.lstrip().startswith('<section id="job-progress"')  # the block alone, not the page
    assert f'hx-get="{url}" hx-trigger="every 1s"' in html
    assert "ligne 12 000 sur 50 000" in html and 'aria-valuenow="24"' in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=50_000, result_url="/heures/imports/3/")
    html = text(client.get(url))
    assert "hx-trigger" not in html and 'href="/heures/imports/3/"' in html and 'aria-valuenow="100"' in html
    # Polled by the page (htmx): the browser is sent to the result, the import's page.
    assert client.get(url, headers={"HX-Request": "true"})["HX-Redirect"] == "/heures/imports/3/"
    assert "HX-Redirect" not in client.get(reverse("jobs:job_detail", args=[job.pk]))


def test_a_job_not_started_after_a_while_says_the_worker_may_be_down(client, owner):
    from datetime import timedelta

    from django.utils import timezone

    fresh = JobFactory(user=owner)
    old = JobFactory(user=owner, created_at=timezone.now() - timedelta(minutes=2))
    client.force_login(owner)
    assert "ne tourne peut-être pas" not in text(client.get(reverse("jobs:job_detail", args=[fresh.pk])))
    assert "ne tourne peut-être pas" in text(client.get(reverse("jobs:job_detail", args=[old.pk])))


def test_progress_steps_read_as_french_numbers_and_are_throttled(owner, monkeypatch):
    job = JobFactory(user=owner)
    written = []
    monkeypatch.setattr(Progress, "_write", lambda self, fields: written.append(dict(fields)))
    progress = Progress(job, every=3600)
    report = progress.callback("ligne {done} sur {total}")
    report(1_000, 50_000)  # the first one is written
    report(12_000, 50_000)  # within the interval: kept for later
    report(50_000, 50_000)  # the last one always
    assert written == [
        {"done": 1_000, "total": 50_000, "step": "ligne 1\xa0000 sur 50\xa0000"},
        {"done": 50_000, "total": 50_000, "step": "ligne 50\xa0000 sur 50\xa0000"},
    ]


def test_progress_inside_the_work_transaction_reaches_the_job(owner):
    job = JobFactory(user=owner)
    progress = Progress(job, every=0)
    progress.update(1, 4, "avant")
    assert Job.objects.get(pk=job.pk).step == "avant"
    with progress.atomic():
        progress.update(3, 4, "pendant")
    assert Job.objects.values_list("step", "done", "total").get(pk=job.pk) == ("pendant", 3, 4)


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_work_transaction_is_seen_before_the_commit_on_postgresql():
    """In the worker (no transaction around the task), a step written during the work's transaction
    reaches the polling page at once on PostgreSQL (a second connection), after the commit on SQLite."""
    job = JobFactory(user=UserFactory(username="proprietaire"))
    progress = Progress(job, every=0)
    progress.update(1, 4, "avant")
    reader = connections.create_connection(DEFAULT_DB_ALIAS)

    def seen():
        with reader.cursor() as cursor:
            cursor.execute("SELECT step FROM jobs_job WHERE id = %s", [job.pk])
            return cursor.fetchone()[0]

    try:
        with progress.atomic():
            Buyer.objects.create(name="Écrit par le traitement")
            progress.update(3, 4, "pendant")
            during = seen() if connection.vendor == "postgresql" else "pendant"
        assert during == "pendant"
        assert seen() == "pendant"
    finally:
        reader.close()
        progress.close()


def _runner(error):
    def run(job, progress):
        with progress.atomic():
            Buyer.objects.create(name="Écrit puis annulé")
            progress.update(1, 2, "moitié")
            raise error

    return run


@pytest.fixture
def failing(monkeypatch):
    def use(error):
        monkeypatch.setitem(tasks.RUNNERS, Job.Kind.BILANS_ZIP, "tests.jobs.test_jobs.RUNNER")
        monkeypatch.setattr("tests.jobs.test_jobs.RUNNER", _runner(error), raising=False)

    return use


def test_a_failure_the_user_can_act_on_is_shown_as_is_and_nothing_is_written(owner, failing):
    failing(JobFailed("La feuille « Heures » est introuvable dans suivi.xlsx."))
    job = tasks.start(owner, Job.Kind.BILANS_ZIP, "Essai", {})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.error == "La feuille « Heures » est introuvable dans suivi.xlsx."
    assert not Buyer.objects.filter(name="Écrit puis annulé").exists()


def test_an_unexpected_error_is_named_in_french_and_nothing_is_written(owner, failing):
    failing(ZeroDivisionError("division by zero"))
    job = tasks.start(owner, Job.Kind.BILANS_ZIP, "Essai", {})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Le traitement s'est arrêté sur une erreur inattendue (ZeroDivisionError).")
    assert "Rien n'a été enregistré" in job.error
    assert not Buyer.objects.filter(name="Écrit puis annulé").exists()
    assert job.task_id  # the task's own record keeps the traceback (the worker's log too)


def test_a_job_page_left_open_does_not_keep_the_session_alive(manager):
    """The progress bar polls every second: those requests are not the user's activity (the idle timeout
    still ends the session), while opening the job's page is."""
    import datetime
    import time

    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone

    from clauses_site import security

    job = Job.objects.create(user=manager, kind=Job.Kind.BILANS_ZIP, title="Bilans")
    client = Client()
    client.force_login(manager)
    session = client.session
    session[security.ACTIVITY_SESSION_KEY] = int(time.time()) - 20 * 60  # last activity 20 minutes ago
    session.save()
    end = timezone.now() + datetime.timedelta(minutes=10)
    Session.objects.update(expire_date=end)

    assert client.get(reverse("jobs:job_progress", args=[job.pk])).status_code == 200
    assert Session.objects.get().expire_date == end  # polling: the end of the session has not moved
    assert client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 200
    assert Session.objects.get().expire_date > end + datetime.timedelta(minutes=19)  # a page opened: it has
