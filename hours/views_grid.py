"""Screens of the monthly hours grid: choosing a lot or a company and a month, displaying, saving
(cell by cell, a colleague's change never overwritten) and validating it, adding a person to it."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clauses_site import roles
from clauses_site.months import add_months, last_of_month, month_label, parse_month
from companies.models import Company
from hours import grid, queries
from hours.forms import GridAddForm, GridChooserForm, GridForm, posted_cells
from hours.models import HoursEntry
from hours.views_grid_rows import GridRows
from markets.models import Lot, Market


def plural(count, singular, plural=None):
    return f"{count} {singular if count <= 1 else (plural or singular + 's')}"


def int_param(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def grid_target(params):
    """(month, lot, company) named by the query string; month defaults to the one being collected (the
    previous month: a month's hours arrive during the following one)."""
    month = parse_month(params.get("mois")) or grid.collected_month(timezone.localdate())
    lot = company = None
    if lot_id := int_param(params.get("lot")):
        lot = get_object_or_404(Lot.objects.select_related("market", "market__buyer", "clause"), pk=lot_id)
    elif company_id := int_param(params.get("entreprise")):
        company = get_object_or_404(Company, pk=company_id)
    return month, lot, company


def grid_url(month, lot=None, company=None, **extra):
    params = {"mois": f"{month:%Y-%m}"}
    if lot is not None:
        params["lot"] = lot.pk
    if company is not None:
        params["entreprise"] = company.pk
    params.update(extra)
    return f"{reverse('hours:grid')}?{urlencode(params)}"


def _summary(month, lot, company):
    """Progress of the lot (or the company's commitments) at the end of the month: the one way of counting
    (hours/queries.py); drafts of the month shown apart, counted the same way."""
    end = last_of_month(month)
    if lot is not None:
        row = queries.lots_with_hours(Lot.objects.filter(pk=lot.pk), month, end).get()
        progress = queries.lot_progress(row, end)
        drafts = HoursEntry.objects.pending().filter(assignment__lot=lot, month=month)
    else:
        row = queries.companies_with_hours(Company.objects.filter(pk=company.pk), month, end).get()
        progress = queries.progress(row.hours_committed, row.hours_done_to_date, None, None, end)
        drafts = HoursEntry.objects.pending().filter(assignment__company=company, month=month)
    return {"progress": progress, "done_in_month": row.hours_done, "pending": queries.total_hours(drafts)}


def _totals(rows, form):
    """Sum of the cells as displayed (typed values when re-displayed after an error; invalid ones skipped),
    for the total line; the JavaScript keeps it up to date while typing."""
    hours = training = grid.Decimal(0)
    for row in rows:
        h_field, t_field = form.cells(row)
        if h_field is None:
            h, t = row.entry.hours, row.entry.training_hours
        else:
            h, t = (_safe_hours(f.value()) for f in (h_field, t_field))
        hours += h or 0
        training += t or 0
    return hours, training


def _safe_hours(value):
    try:
        return grid.parse_hours(value)
    except grid.ValidationError:
        return None


LAST_LOT = "hours_grid_lot"  # session key: the lot whose grid the user opened last


def last_lot(request):
    """The lot the user opened last (remembered in the session), else the lot of the entry they last
    entered; None for a first visit."""
    lot_id = int_param(request.session.get(LAST_LOT))
    remembered = Lot.objects.select_related("market").filter(pk=lot_id).first() if lot_id else None
    return remembered or grid.last_lot_entered(request.user)


def grid_view(request):
    """« Saisie des heures »: one row per assignment active in the month, for a lot or a company."""
    roles.require(roles.can_edit, request.user)
    params = request.GET
    month, lot, company = grid_target(params)
    if lot is None and company is None:
        return _choose(request, month)
    if lot is not None and request.session.get(LAST_LOT) != lot.pk:
        request.session[LAST_LOT] = lot.pk  # written when it changes: not a session save per grid request
    chooser = GridChooserForm(
        initial={"mois": month, "lot": lot.pk if lot else None, "entreprise": company.pk if company else None}
    )

    is_post, status = request.method == "POST", 200
    try:
        posted = posted_cells(request.POST) if is_post else None
    except BadRequest as refused:  # nothing written: the grid as stored, with why
        messages.error(request, str(refused))
        is_post, posted, status = False, None, 400
    rows, months = grid.build_rows(month, grid.grid_assignments(month, lot, company), lock=is_post)
    here = grid_url(month, lot, company)
    future = grid.future_month_error(month)
    if future:  # shown, never written: no inputs, no buttons; a POST is refused, nothing written
        form = GridForm(rows, posted)
        for field in form.fields.values():
            field.widget.attrs["disabled"] = True
        status = 400 if is_post else 200
        return _render_grid(request, form, rows, months, month, lot, company, chooser, status, future=future)
    if is_post:
        validate = "valider" in request.POST
        if validate:
            roles.require(roles.can_validate, request.user)
        form = GridForm(rows, posted)
        if form.is_valid():
            submitted = form.submitted()
            values, conflicts = grid.merge_cells(rows, submitted, validating=validate)
            if conflicts:  # nothing written: everything re-displayed, the conflicting cells marked
                grid.explain_conflicts(month, conflicts)
                form, status = form.after_conflicts(submitted, conflicts), 409
            elif validate and request.POST.get("confirmer") != "1":
                return _confirm_validation(request, rows, values, month, lot, company)
            else:
                _save_grid(request, month, rows, values, validate, form.gone())
                return redirect(here)
    else:
        form = GridForm(rows)
    return _render_grid(request, form, rows, months, month, lot, company, chooser, status)


def _choose(request, month):
    """The landing page: the chooser (focused, on the lot opened last), the next lot to enter, the lots
    with people at work in the month."""
    # A facilitator in charge of markets sees hers first (« miens=0 »: every lot).
    params = request.GET
    mine = (
        params.get("miens", "1" if Market.objects.filter(facilitator=request.user).exists() else "0") == "1"
    )
    lots = list(grid.lots_to_enter(month, facilitator=request.user if mine else None))
    last = last_lot(request)
    chooser = GridChooserForm(initial={"mois": month, "lot": last.pk if last else None})
    context = {
        "chooser": chooser,
        "month": month,
        "month_label": month_label(month),
        "previous_month": add_months(month, -1),
        "next_month": add_months(month, 1),
        "lots": lots,
        "next_lot": grid.next_lot_to_enter(lots),
        "last_lot": last,
        "mine": mine,
    }
    return render(request, "hours/grid_choose.html", context)


def _save_grid(request, month, rows, values, validate, gone):
    """Write the changed cells (and validate the month if asked), with the messages telling what was done."""
    result = grid.save_rows(month, rows, values, request.user)
    count = None
    if validate:
        count = grid.validate_entries([r.entry for r in rows if r.entry is not None], request.user)
    if text := result.message(month, validated=count):
        messages.success(request, text)
    else:
        messages.info(request, "Aucune modification à enregistrer.")
    if gone:
        messages.warning(
            request,
            f"{plural(gone, "ligne n'est", 'lignes ne sont')} plus dans cette grille (contrat supprimé ou "
            "déplacé entre-temps) : vos valeurs n'y ont pas été enregistrées.",
        )


def _confirm_validation(request, rows, values, month, lot, company):
    """« Enregistrer et valider le mois » asks first (nothing written yet): what is going to be validated,
    and the same POST again with « confirmer=1 » (without JavaScript; with it, clauses.js asks with
    data-confirm and adds « confirmer=1 » itself)."""
    count, hours, training = 0, grid.Decimal(0), grid.Decimal(0)
    for row in rows:
        if not row.editable:
            continue
        cells = values.get(row.key, grid.stored_cells(row.entry))
        if all(v is None for v in cells):
            continue
        count += 1
        hours += cells[0] or 0
        training += cells[1] or 0
    posted = [
        (name, value)
        for name, items in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "valider", "confirmer")
        for value in items
    ]
    context = {
        "month_label": month_label(month),
        "lot": lot,
        "company": company,
        "here": grid_url(month, lot, company),
        "posted": posted,
        "count": count,
        "hours": hours,
        "training": training,
    }
    return render(request, "hours/grid_confirm.html", context)


def _render_grid(request, form, rows, months, month, lot, company, chooser, status=200, future=None):
    here = grid_url(month, lot, company)
    hours_total, training_total = _totals(rows, form)
    conflicts = [c for row in rows for c in row.conflicts.values()]
    context = {
        "chooser": chooser,
        "form": form,
        "grid_rows": [(row, *form.cells(row), *form.originals(row)) for row in rows],
        "grid_rows_html": _row_writer(request, month, here, company).all(rows, form),
        "conflicts": conflicts,
        "months": [(m, grid.month_short(m)) for m in months],
        "month": month,
        "month_label": month_label(month),
        "month_end": last_of_month(month),
        "previous_url": grid_url(add_months(month, -1), lot, company),
        "next_url": grid_url(add_months(month, 1), lot, company),
        "lot": lot,
        "company": company,
        "here": here,
        "add_url": f"{reverse('hours:grid_add')}?{here.split('?', 1)[1]}",
        "hours_total": hours_total,
        "training_total": training_total,
        "drafts": sum(1 for r in rows if r.entry is not None and not r.entry.is_validated),
        "validated": sum(1 for r in rows if r.entry is not None and r.entry.is_validated),
        "summary": _summary(month, lot, company),
        "future": future,
        "editable": not future and any(r.editable for r in rows),
        "cell_rules": grid.cell_rules(),
    }
    return render(request, "hours/grid.html", context, status=status)


def _row_writer(request, month, here, company):
    return GridRows(month, last_of_month(month), here, company, can_validate=roles.can_validate(request.user))


def grid_add(request):
    """Add a person to the grid (a new assignment active in the month). In the grid's modal (htmx): the form,
    then the new row appended to the grid; without JavaScript: a page of its own, back to the grid after."""
    roles.require(roles.can_edit, request.user)
    month, lot, company = grid_target(request.GET)
    if lot is None and company is None:
        messages.info(request, "Choisissez d'abord le lot ou l'entreprise de la grille.")
        return redirect(grid_url(month))
    htmx = request.headers.get("HX-Request") == "true"
    back = grid_url(month, lot, company)
    form = GridAddForm(request.POST or None, month=month, lot=lot, company=company)
    if request.method == "POST" and form.is_valid():
        assignment = form.save()
        created = form.person_created
        text = f"{assignment.participant} ajouté(e) à la grille"
        text += " (nouvelle personne créée)." if created else "."
        if not htmx:
            messages.success(request, text)
            return redirect(back)
        rows, months = grid.build_rows(
            month, grid.grid_assignments(month, lot, company).filter(pk=assignment.pk)
        )
        response = HttpResponse(_row_writer(request, month, back, company).for_row(rows[0], GridForm(rows)))
        response["HX-Retarget"] = "#grid-body"
        response["HX-Reswap"] = "beforeend"
        response["HX-Trigger"] = json.dumps({"grid-row-added": {"row": assignment.pk, "message": text}})
        return response
    context = {
        "form": form,
        "month_label": month_label(month),
        "lot": lot,
        "company": company,
        "action": request.get_full_path(),
        "back": back,
    }
    template = "hours/grid_add.html#add-form" if htmx else "hours/grid_add.html"
    return render(request, template, context)
