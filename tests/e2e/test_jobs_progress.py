"""« Mes traitements » in a browser: the job's page polls (htmx, every second) and its bar and step follow
what the task writes; once done, a job whose result is a page (an import's preview) sends the browser
there; a failed one says why."""

import re

from playwright.sync_api import expect

from jobs.models import Job
from tests.factories import UserFactory


def test_the_bar_follows_the_task_then_the_browser_goes_to_the_result(login, live_server, transactional_db):
    user = UserFactory(username="claire", first_name="Claire", facilitator=True)
    job = Job.objects.create(
        user=user, kind=Job.Kind.IMPORT_PREVIEW, title="Import de « suivi.xlsx » : analyse du fichier"
    )
    page = login(user)
    page.goto(f"{live_server.url}/traitements/{job.pk}/")
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "queued")

    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, step="Lecture : ligne 12\xa0000 sur 50\xa0000", done=12_000, total=50_000
    )
    expect(page.get_by_test_id("job-step")).to_have_text(
        "Lecture : ligne 12\xa0000 sur 50\xa0000", timeout=5000
    )
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "24")

    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=50_000, result_url="/traitements/")
    expect(page).to_have_url(re.compile(r"/traitements/$"), timeout=5000)
    expect(page.get_by_role("heading", name="Mes traitements")).to_be_visible()


def test_a_failed_job_stops_polling_and_says_why(login, live_server, transactional_db):
    user = UserFactory(username="claire", first_name="Claire", facilitator=True)
    job = Job.objects.create(user=user, kind=Job.Kind.BILANS_ZIP, title="Bilans groupés", status="running")
    page = login(user)
    page.goto(f"{live_server.url}/traitements/{job.pk}/")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error="Le disque est plein : rien n'a été enregistré."
    )
    expect(page.get_by_test_id("job-error")).to_contain_text("Le disque est plein", timeout=5000)
    expect(page.get_by_test_id("job-progress")).not_to_have_attribute("hx-trigger", re.compile("."))
