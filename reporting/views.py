"""The Bilans page and the archive of generated bilans.

Who may do what: every role, the read-only « Lecteur » included, may choose a scope and a period,
preview the bilan, list the archive and download archived bilans — a bilan holds no personal data
(people are counted, never named). Generating (which archives a file) and the grouped sending are for
editors (roles.can_edit): 403 otherwise. A scope of fewer than 10 people (masking.SMALL_SCOPE) is for
editors only: the read-only role gets a French explanation with status 403 instead of the preview, and
may not download its archived files (nor those archived before the count of people was kept).

A detail page links to the Bilans page with its scope pre-filled:
    {% url 'reporting:bilan_form' %}?scope=buyer&id=12      (or scope=company / scope=market)
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from clauses_site import formatting, roles
from jobs import bilans as jobs_bilans
from jobs import tasks as jobs_tasks
from jobs.models import Job
from reporting import bilan, indicators, masking, scopes
from reporting.forms import SCOPE_FIELDS, BatchForm, GenerateForm, ScopeForm
from reporting.models import Bilan

ARCHIVE_PAGE_SIZE = 50


SMALL_SCOPE_REFUSED = (
    f"Ce bilan compte moins de {masking.SMALL_SCOPE} personnes : avec si peu de personnes, ses "
    "chiffres permettraient de reconnaître quelqu'un. Il n'est montré qu'à l'équipe qui suit les "
    "personnes (responsable et facilitatrices). Choisissez un périmètre plus large ou une période "
    "plus longue, ou demandez ce bilan à l'équipe."
)


def may_see(user, people):
    """May the user see a bilan of that many people? Editors always; the read-only role from 10 people."""
    return roles.can_edit(user) or (people is not None and people >= masking.SMALL_SCOPE)


def _facilitator(user):
    return formatting.person_name(user)


def _scope_data(request):
    """The GET data of the page, with ?scope=buyer&id=12 mapped onto the buyer field."""
    data = request.GET.copy()
    kind = data.get("scope")
    if kind in SCOPE_FIELDS and data.get("id") and not data.get(SCOPE_FIELDS[kind]):
        data[SCOPE_FIELDS[kind]] = data["id"]
    return data


def _default_batch_period(today):
    return scopes.shortcut_period("last_quarter", today)


@require_GET
def bilan_form(request):
    data = _scope_data(request)
    bound = "scope" in data
    form = ScopeForm(data if bound else None)
    today = timezone.localdate()
    context = {"form": form, "shortcuts": scopes.SHORTCUTS, "can_generate": roles.can_edit(request.user)}
    if bound and form.is_valid() and data.get("period"):
        # A shortcut (« L'année dernière »…): the period it stands for, shown in the Du / Au fields.
        filled = data.copy()
        filled["start"], filled["end"] = (form.cleaned_data[k].isoformat() for k in ("start", "end"))
        del filled["period"]
        form = context["form"] = ScopeForm(filled)
    if bound and form.is_valid():
        cleaned = form.cleaned_data
        obj = form.scope_object(cleaned)
        figures = indicators.for_scope(cleaned["scope"], obj, cleaned["start"], cleaned["end"])
        if not may_see(request.user, figures.people):
            context["refused"] = SMALL_SCOPE_REFUSED
            return render(request, "reporting/bilan_form.html", context, status=403)
        facilitator = _facilitator(request.user) if context["can_generate"] else ""
        context.update(bilan.document_context(figures, facilitator=facilitator))
        context["query"] = form.query()
        context["versions"] = [
            v
            for v in Bilan.objects.of_scope(cleaned["scope"], obj)
            .filter(period_start=cleaned["start"], period_end=cleaned["end"])
            .select_related("created_by")
            if context["can_generate"] or v.readable_by_all
        ]
        if context["can_generate"]:
            context["generate_form"] = GenerateForm(
                initial={
                    "scope": cleaned["scope"],
                    SCOPE_FIELDS.get(cleaned["scope"], "scope"): obj.pk if obj else cleaned["scope"],
                    "start": cleaned["start"],
                    "end": cleaned["end"],
                    "format": "pdf",
                    "anonymise_small": True,
                }
            )
        batch_start, batch_end = cleaned["start"], cleaned["end"]
    else:
        batch_start, batch_end = _default_batch_period(today)
    if context["can_generate"]:
        context["batch_form"] = BatchForm(initial={"batch_start": batch_start, "batch_end": batch_end})
    return render(request, "reporting/bilan_form.html", context)


@require_POST
def bilan_generate(request):
    roles.require(roles.can_edit, request.user)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Le bilan n'a pas pu être généré : " + _errors(form))
        return redirect("reporting:bilan_form")
    cleaned = form.cleaned_data
    kind, obj, fmt = cleaned["scope"], form.scope_object(cleaned), cleaned["format"]
    figures = indicators.for_scope(kind, obj, cleaned["start"], cleaned["end"])
    anonymise = fmt == "pdf" or cleaned["anonymise_small"]
    data = bilan.render(
        fmt,
        figures,
        commentary=cleaned["commentary"],
        facilitator=_facilitator(request.user),
        anonymise_small=anonymise,
    )
    archived = Bilan.archive(
        kind=kind,
        obj=obj,
        scope_name=figures.scope.name,
        start=cleaned["start"],
        end=cleaned["end"],
        fmt=fmt,
        data=data,
        filename=lambda version: bilan.filename(figures, fmt, version),
        user=request.user,
        commentary=cleaned["commentary"],
        anonymised=anonymise,
        people=figures.people,
    )
    # The file at once (the page stays where it is), archived as well: listed in « Bilans archivés » and
    # under « Déjà généré » on the page's next display.
    response = HttpResponse(data, content_type=archived.content_type)
    response["Content-Disposition"] = content_disposition_header(True, archived.filename)
    return response


def _errors(form):
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {' '.join(errs)}"
        for name, errs in form.errors.items()
    )


@require_POST
def bilan_batch(request):
    """« Envoyer un bilan groupé » : the PDF of every buyer with validated hours in the period, each
    archived, all in one zip — made by a job (jobs/bilans.py), whose page this redirects to."""
    roles.require(roles.can_edit, request.user)
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Envoi groupé impossible : " + _errors(form))
        return redirect("reporting:bilan_form")
    start, end = form.cleaned_data["batch_start"], form.cleaned_data["batch_end"]
    if not jobs_bilans.active_buyers(start, end).exists():
        messages.warning(request, jobs_bilans.no_buyer(start, end))
        return redirect("reporting:bilan_form")
    # The PDFs are made by the task worker: the page of the job shows their progress, then the zip.
    params = jobs_bilans.params(start, end)
    job = jobs_tasks.start(request.user, Job.Kind.BILANS_ZIP, jobs_bilans.title(start, end), params)
    return redirect(job)


@require_GET
def bilan_archive(request):
    bilans = Bilan.objects.select_related("created_by").order_by("-created_at", "-pk")
    kind = request.GET.get("scope")
    if kind in Bilan.Kind.values:
        bilans = bilans.filter(kind=kind)
        if request.GET.get("id", "").isdigit() and kind in SCOPE_FIELDS:
            bilans = bilans.filter(scope_key=f"{kind}:{request.GET['id']}")
    page = Paginator(bilans, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    new = request.GET.get("nouveau", "")
    return render(
        request,
        "reporting/bilan_archive.html",
        {
            "page": page,
            "kinds": Bilan.Kind.choices,
            "kind": kind,
            "new": int(new) if new.isdigit() else None,
            "can_edit": roles.can_edit(request.user),
            "small_scope": masking.SMALL_SCOPE,
        },
    )


def bilan_for(user, pk):
    """An archived bilan: every role may read it (no personal data in a bilan)."""
    if roles.role_of(user) is None:
        raise Http404
    return get_object_or_404(Bilan, pk=pk)


@require_GET
def bilan_download(request, pk):
    archived = bilan_for(request.user, pk)
    if not may_see(request.user, archived.people):
        context = {"archived": archived, "message": SMALL_SCOPE_REFUSED}
        return render(request, "reporting/bilan_refused.html", context, status=403)
    try:
        handle = archived.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Le fichier de ce bilan est introuvable.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=archived.filename, content_type=archived.content_type
    )
