"""« Mes traitements » in the access matrix. Every role has its own list (a reader's is empty: nothing
it may do starts a job). The job of these URLs belongs to another user: 404 for every role, the manager
included (a job is its owner's only); its owner's 200 is in test_jobs.py."""

from tests.access_shapes import READ_ALL, everyone

SOMEONE_ELSES = everyone(reader=404, facilitator=404, manager=404)

MATRIX = {
    "jobs:job_list": READ_ALL,
    "jobs:job_detail": SOMEONE_ELSES,
    "jobs:job_progress": SOMEONE_ELSES,
    "jobs:job_download": SOMEONE_ELSES,
}


def _someone_elses_job():
    from tests.jobs.factories import JobFactory

    return {"pk": JobFactory(status="done", user__username="quelqu-un-d-autre").pk}


URL_KWARGS = dict.fromkeys(("jobs:job_detail", "jobs:job_progress", "jobs:job_download"), _someone_elses_job)
