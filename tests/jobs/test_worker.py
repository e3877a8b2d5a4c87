"""The real worker: a job queued on the database backend (django-tasks-db) is run by
`manage.py db_worker --batch` in another process, which marks it done and writes its zip.

On SQLite the test database lives in memory: it is copied to a file for the worker and copied back
afterwards; on PostgreSQL the worker connects to the test database itself."""

import os
import sqlite3
import subprocess
import sys
import zipfile
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from jobs import tasks
from jobs.models import Job


def worker_env(tmp_path):
    env = {**os.environ, "CLAUSES_TESTING": "1", "DEBUG": "0", "SECRET_KEY": "tests-only-not-secret"}
    env["CLAUSES_VAR_DIR"] = str(tmp_path / "var")
    env["CLAUSES_JOBS_DIR"] = str(settings.CLAUSES_JOBS_DIR)
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    else:
        env.pop("DATABASE_URL", None)
    return env


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job(client, bilan_data, tmp_path, monkeypatch):
    from tests.factories import UserFactory

    manager = UserFactory(username="responsable-worker", manager=True)
    monkeypatch.setattr(tasks, "run_job", tasks.run_job.using(backend="database"))
    client.force_login(manager)
    client.post(reverse("reporting:bilan_batch"), {"batch_start": "2025-01-01", "batch_end": "2025-06-30"})
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED

    env = worker_env(tmp_path)
    if connection.vendor == "sqlite":
        (tmp_path / "var").mkdir()
        file_db = sqlite3.connect(tmp_path / "var" / "db.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(file_db)
        file_db.close()
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--backend", "database"]
    run = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    if connection.vendor == "sqlite":
        file_db = sqlite3.connect(tmp_path / "var" / "db.sqlite3")
        file_db.backup(connection.connection)
        file_db.close()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.done, job.total, job.result_summary) == (2, 2, "2 bilans archivés")
    assert job.started_at and job.finished_at
    assert zipfile.ZipFile(job.result_file.path).namelist() == [
        "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf",
        "bilan-ville-de-grande-synthe-2025-01-01-2025-06-30.pdf",
    ]
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
