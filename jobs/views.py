"""« Mes traitements »: the user's own jobs, a page per job whose progress bar polls every second (htmx)
until the job is done, and the download of what it produced. A job is its owner's only: anybody else,
the manager included, gets 404 (jobs_for)."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jobs.models import Job

PAGE_SIZE = 50
# A job still waiting after this long: the page says that the worker may not be running.
WAITING_TOO_LONG = timedelta(seconds=30)


def job_for(user, pk):
    return get_object_or_404(Job.objects.visible_to(user).select_related("user"), pk=pk)


def _context(job):
    waiting = job.status == Job.Status.QUEUED and timezone.now() - job.created_at > WAITING_TOO_LONG
    return {"job": job, "waiting_too_long": waiting}


@require_GET
def job_list(request):
    jobs = Job.objects.visible_to(request.user)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "jobs": page.object_list})


@require_GET
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", _context(job_for(request.user, pk)))


@require_GET
def job_progress(request, pk):
    """The progress block alone, for the page's htmx polling; once the job is finished the block no
    longer asks to be polled."""
    return render(request, "jobs/job_detail.html#progress", _context(job_for(request.user, pk)))


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
