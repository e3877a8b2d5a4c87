import pytest


@pytest.fixture(autouse=True)
def jobs_dir(settings, tmp_path):
    """Jobs write their files (and archived bilans theirs) under temporary folders."""
    settings.CLAUSES_JOBS_DIR = tmp_path / "jobs"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.CLAUSES_JOBS_DIR


@pytest.fixture
def bilan_data(db):
    """The hand-built data set of the bilans' tests (tests/reporting/dataset.py): two buyers with hours."""
    from tests.reporting import dataset

    return dataset.build()


@pytest.fixture
def editor(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def queued(monkeypatch):
    """Jobs queued on the database backend, as in production (the worker is not running)."""
    from jobs import tasks

    monkeypatch.setattr(tasks, "run_job", tasks.run_job.using(backend="database"))
