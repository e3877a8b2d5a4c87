"""« Mes traitements »: the user's own jobs, a page per job whose progress bar polls every second (htmx)
until the job is done, and the download of what it produced. A job is its owner's only: anybody else,
the manager included, gets 404 (jobs_for)."""

from datetime import timedelta

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clauses_site.security import not_activity
from jobs.models import Job
from jobs.tasks import fail_if_lost

SHOWN = 100  # the latest ones: a user's jobs are a working list, not an archive
# A job still waiting after this long: the page says that the worker may not be running.
WAITING_TOO_LONG = timedelta(seconds=30)


def job_for(user, pk):
    """The user's job; one whose worker died is marked interrupted on the way (tasks.fail_if_lost)."""
    job = get_object_or_404(Job.objects.visible_to(user).select_related("user"), pk=pk)
    fail_if_lost(job)
    return job


def _context(job):
    waiting = job.status == Job.Status.QUEUED and timezone.now() - job.created_at > WAITING_TOO_LONG
    return {"job": job, "waiting_too_long": waiting}


@require_GET
def job_list(request):
    jobs = list(Job.objects.visible_to(request.user)[:SHOWN])
    for job in jobs:
        fail_if_lost(job)  # no query unless it is running
    return render(request, "jobs/job_list.html", {"jobs": jobs, "shown": SHOWN})


@require_GET
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", _context(job_for(request.user, pk)))


@not_activity  # polled every second by the job's page: not the user's activity
@require_GET
def job_progress(request, pk):
    """The progress block alone, for the page's htmx polling; once the job is finished the block no
    longer asks to be polled, and a job whose result is a page (an import's preview or report) sends the
    browser there."""
    job = job_for(request.user, pk)
    response = render(request, "jobs/job_detail.html#progress", _context(job))
    if job.status == Job.Status.DONE and job.result_url and request.headers.get("HX-Request"):
        response["HX-Redirect"] = job.result_url
    return response


@require_GET
def job_download(request, pk):
    job = job_for(request.user, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404("Ce traitement n'a pas produit de fichier.")
    try:
        handle = job.result_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Le fichier produit par ce traitement est introuvable.") from exc
    return FileResponse(handle, as_attachment=True, filename=job.result_name or None)
