"""Screens of the tracking-sheet import (« Importer un tableau de suivi ») and export.

upload → preview (a dry run: counts, first objects of each kind, warnings) → confirm (re-validated) →
report. A refused file lists its errors and can be downloaded back with the faulty cells highlighted.
Imports and exports carry participants' personal data: editors only."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.exports import XLSX_TYPE
from clauses_site.months import parse_date
from clauses_site.text import match_key
from clauses_site.upload_limits import MULTIPART_SLACK, too_large
from hours.forms_import import ImportUploadForm, max_upload_bytes
from hours.models import ImportBatch
from hours.suivi import (
    KINDS,
    ImportReport,
    batches,
    max_rows,
)
from jobs import exports as jobs_exports
from jobs import imports as jobs_imports
from jobs.models import Job
from markets.models import Buyer


def _editor(request):
    roles.require(roles.can_edit, request.user)
    roles.require(roles.sees_people, request.user)


def batch_for(user, pk):
    """The one way screens fetch an import: editors only, 404 otherwise."""
    if not (roles.can_edit(user) and roles.sees_people(user)):
        raise PermissionDenied
    return get_object_or_404(ImportBatch.objects.select_related("uploaded_by"), pk=pk)


def import_upload(request):
    _editor(request)
    form = ImportUploadForm()
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + MULTIPART_SLACK:  # UploadLimitMiddleware answers first
            return too_large(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = re.sub(r"[\\/]", "_", upload.name)[:255]
            # Read and planned by a job (jobs/imports.py); already finished (immediate backend, in
            # tests), its outcome at once: the preview, or the error on the form.
            job = jobs_imports.start_preview(request.user, upload, name)
            if job.status == Job.Status.FAILED:
                form.add_error("file", job.error)
            else:
                return redirect(job.result_url if job.status == Job.Status.DONE else job)
        status = 400
    else:
        status = 200
    return render(
        request,
        "hours/import_upload.html",
        {
            "form": form,
            "max_mb": max_upload_bytes() // 1024 // 1024,
            "max_rows": f"{max_rows():,}".replace(",", "\u202f"),
        },
        status=status,
    )


def import_detail(request, pk):
    batch = batch_for(request.user, pk)
    report = ImportReport.from_dict(batch.report)
    samples = [
        (
            label,
            report.samples.get(kind, {}).get("created", []),
            report.samples.get(kind, {}).get("updated", []),
        )
        for kind, label in KINDS
        if report.samples.get(kind, {}).get("created") or report.samples.get(kind, {}).get("updated")
    ]
    return render(
        request,
        "hours/import_detail.html",
        {
            "batch": batch,
            "report": report,
            "counts": report.counts_table(),
            "samples": samples,
            "more_errors": report.error_count - len(report.errors),
            "more_warnings": report.warning_count - len(report.warnings),
        },
    )


@require_POST
def import_confirm(request, pk):
    """Runs the import again, for real, with the rights of the person who confirms: hours validated if
    she may validate, drafts otherwise, and a validated entry never changed by someone who may not."""
    batch = batch_for(request.user, pk)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PENDING:
        messages.warning(request, "Cet import n'est plus en attente de confirmation.")
        return redirect("hours:import_detail", pk=batch.pk)
    if not batch.file:
        raise Http404
    if under_way := jobs_imports.confirm_under_way(batch):
        messages.info(request, "Cet import est déjà en cours d'enregistrement.")
        return redirect(under_way if under_way.user_id == request.user.pk else batch)
    # Imported by a job (jobs/imports.py), whose page shows the progress, then this import's report.
    job = jobs_imports.start_confirm(request.user, batch)
    if not job.finished:
        return redirect(job)
    batch.refresh_from_db()
    report = ImportReport.from_dict(batch.report)
    if job.status == Job.Status.FAILED:
        messages.error(request, job.error)
    elif report.imported:
        entries = report.counts["entries"]
        if entries.created + entries.updated and not roles.can_validate(request.user):
            messages.success(request, "Le tableau de suivi a été importé : ses heures sont en brouillon.")
        else:
            messages.success(request, "Le tableau de suivi a été importé.")
    else:
        messages.error(request, "Le fichier a été refusé à la confirmation : rien n'a été enregistré.")
    return redirect("hours:import_detail", pk=batch.pk)


@require_POST
def import_cancel(request, pk):
    batch = batch_for(request.user, pk)
    if batches.cancel(batch):
        messages.info(request, "Import annulé : rien n'a été enregistré.")
    elif batch.status == ImportBatch.Status.IMPORTED:
        messages.error(request, "Cet import a déjà été enregistré : il ne peut plus être annulé.")
        return redirect(batch)
    return redirect("hours:import_list")


def import_annotated(request, pk):
    batch = batch_for(request.user, pk)
    if batch.status != ImportBatch.Status.REFUSED or not batch.file:
        raise Http404
    name = batches.stored_name(batch.file_name, suffix="-erreurs.xlsx")
    # Written by a job (jobs/imports.py: openpyxl rewrites every cell, ~2 min at 200 000 rows); already
    # finished (immediate backend, in tests): the workbook, or the error on the import's page, at once.
    job = jobs_imports.start_annotated(request.user, batch, name)
    if job.status == Job.Status.FAILED:
        messages.error(request, job.error)
        return redirect("hours:import_detail", pk=batch.pk)
    if job.status == Job.Status.DONE:
        with job.result_file.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return redirect(job)


def import_list(request):
    _editor(request)
    batches = ImportBatch.objects.select_related("uploaded_by").defer("report")
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    return render(request, "hours/import_list.html", {"page": page, "batches": page.object_list})


def export_suivi(request):
    """The tracking sheet of the validated hours. Filters: donneur or buyer (id or name), du / au or
    period_du / period_au (the hours list's names) as AAAA-MM-JJ, JJ/MM/AAAA or AAAA-MM."""
    _editor(request)
    params = request.GET
    buyer = None
    wanted = (params.get("donneur") or params.get("buyer") or "").strip()
    if wanted:
        buyer = Buyer.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        buyer = buyer or Buyer.objects.filter(name_key=match_key(wanted)).first()
        if buyer is None:
            raise Http404("Donneur d'ordre inconnu.")
    start = parse_date(params.get("du") or params.get("period_du"))
    end = parse_date(params.get("au") or params.get("period_au"), end=True)
    # Written by a job (jobs/exports.py: up to 200 000 entries, ~20 s), the browser sent to its page,
    # which offers the file to its owner. Already finished (immediate backend, in tests): the file at once.
    job = jobs_exports.start_suivi(request.user, buyer, start, end)
    if job.status == Job.Status.DONE and job.result_file:
        return FileResponse(
            job.result_file.open("rb"), as_attachment=True, filename=job.result_name, content_type=XLSX_TYPE
        )
    return redirect(job)
