"""The big xlsx exports as jobs: the tracking sheet of the validated hours (hours/suivi/export.py, up to
hundreds of thousands of rows) and a filtered list's « Exporter (xlsx) » when it holds more rows than a
request should write (clauses_site.listing: FilteredListView.export_sync_rows). The page shows
« Ligne 40 000 sur 200 000 »; the workbook is written into the job's temporary folder, then kept for its
owner (« Mes traitements »). A failure keeps no file and says why in French.

A list is exported by rebuilding its view from the URL and the query string it was asked with (its
filters and its sort), for the job's owner, whose right to see the list is checked again when it runs."""

from datetime import date

from django.http import QueryDict
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from clauses_site import formatting
from clauses_site.exports import write_xlsx_stream
from hours.suivi import export as suivi_export
from jobs import tasks
from jobs.models import Job
from jobs.progress import JobFailed
from jobs.tasks import Outcome, work_dir
from markets.models import Buyer

EVERY = 1000  # rows between two progress updates (which write at most twice a second)
# Excel opens at most 1 048 576 rows, the header's included.
MAX_ROWS = 1_048_575
TOO_MANY = (
    "Cet export compterait plus de {max} lignes, le maximum qu'Excel peut ouvrir : rien n'a été exporté. "
    "Restreignez la liste avec ses filtres (période, donneur d'ordre, marché…) et relancez l'export."
)


def _rows(n, word="ligne"):
    return f"{formatting.integer(n)} {word}{'s' if n > 1 else ''}"


def _counted(rows, progress, total):
    """The rows, the job's step moved on every EVERY rows (« Ligne 40 000 sur 200 000 »)."""
    for done, row in enumerate(rows, start=1):
        if done % EVERY == 0:
            progress.update(done, total, "Ligne {done} sur {total}")
        yield row


def _write(job, progress, name, columns, rows, total, sheet_title):
    if total > MAX_ROWS:
        raise JobFailed(TOO_MANY.format(max=formatting.integer(MAX_ROWS)))
    progress.update(0, total, "Ligne {done} sur {total}", force=True)
    path = work_dir(job) / name
    with path.open("wb") as stream:
        written = write_xlsx_stream(stream, columns, _counted(rows, progress, total), sheet_title=sheet_title)
    progress.update(written, written, "Écriture du classeur terminée", force=True)
    return Outcome(summary=f"{_rows(written)} exportée{'s' if written > 1 else ''}", path=path, name=name)


# --- the tracking sheet --------------------------------------------------------------------------------


def suivi_title(buyer, start, end):
    parts = ["Export du tableau de suivi des heures validées"]
    if buyer is not None:
        parts.append(f"de {buyer.name}")
    if start is not None:
        parts.append(f"du {start:%d/%m/%Y}")
    if end is not None:
        parts.append(f"au {end:%d/%m/%Y}")
    return " ".join(parts)


def start_suivi(user, buyer=None, start=None, end=None):
    params = {
        "buyer": buyer.pk if buyer is not None else None,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }
    return tasks.start(user, Job.Kind.SUIVI_EXPORT, suivi_title(buyer, start, end), params, once=True)


def suivi(job, progress):
    buyer = None
    if job.params.get("buyer") is not None:
        buyer = Buyer.objects.filter(pk=job.params["buyer"]).first()
        if buyer is None:
            raise JobFailed(
                "Le donneur d'ordre de cet export a été supprimé depuis la demande : rien n'a été exporté."
            )
    start, end = (date.fromisoformat(job.params[k]) if job.params.get(k) else None for k in ("start", "end"))
    progress.step("Comptage des heures validées…")
    total = suivi_export.entries_to_export(buyer, start, end).count()
    name = suivi_export.export_filename(buyer, start, end)
    rows = suivi_export.suivi_rows(buyer, start, end)
    return _write(job, progress, name, suivi_export.suivi_columns(), rows, total, "Heures")


# --- a list's « Exporter (xlsx) » ------------------------------------------------------------------------


def start_list_export(view, count):
    """FilteredListView's background export (registered by jobs.apps): queue the export of the list as
    the request asks for it, and send the browser to the job's page."""
    request = view.request
    title = f"Export de la liste « {view.title or view.export_filename} » (xlsx)"
    params = {"path": request.path, "query": request.GET.urlencode(), "name": view.export_filename}
    return redirect(tasks.start(request.user, Job.Kind.LIST_EXPORT, title, params, once=True))


def _list_view(job):
    path, query = job.params["path"], job.params["query"]
    try:
        match = resolve(path)
    except Resolver404 as exc:
        raise JobFailed(f"La liste {path} n'existe plus : rien n'a été exporté.") from exc
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "export_plan"):
        raise JobFailed(f"La page {path} n'est pas une liste exportable : rien n'a été exporté.")
    request = RequestFactory().get(path, QueryDict(query))
    request.user = job.user
    view = view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    if not view.has_permission():
        raise JobFailed("Vous n'avez plus accès à cette liste : rien n'a été exporté.")
    return view


def list_export(job, progress):
    view = _list_view(job)
    progress.step("Comptage des lignes…")
    columns, rows, sheet_title = view.export_plan()
    total = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    if hasattr(rows, "iterator"):
        rows = rows.iterator(chunk_size=2000)
    return _write(job, progress, job.params["name"], columns, rows, total, sheet_title)
