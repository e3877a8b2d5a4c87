"""A company's monthly declaration (/espace/declarations/<année>/<mois>/, issue 16 item 3): the people
it employs or is credited for on its clause lots that month (name and post only), their hours worked
and training hours, with the rules and messages of the team's grid (hours.grid.parse_hours through
hours.forms.GridForm: decimal comma, 0 to 744 h, two decimals, not a future month).

Saving writes « déclarées » entries (hours.grid.save_rows(declared=True)): counted nowhere until a
facilitator validates them in the team's grid. A validated entry is shown, never written (GridForm has no
field for it; merge_cells refuses a change to it). The rows come from the company's own assignments only
(spaces.declarations.assignments): any other key a POST holds is ignored. The team's cell-by-cell rule
(hours.grid.merge_cells) keeps a facilitator's change made meanwhile: a conflict, never overwritten.
Plain HTML form: works without JavaScript."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clauses_site.months import month_label, parse_month
from companies.models import Company
from hours import grid
from hours.grid_cells import GridForm, posted_cells
from spaces import declarations
from spaces.access import space_view
from spaces.models import ExternalAccount
from spaces.views import _organisation


def _company(request):
    organisation = _organisation(request)
    if not isinstance(organisation, Company):
        raise Http404  # a buyer declares nothing
    return organisation


def _unnamed_outsiders(conflicts, company):
    """A conflict's author is named (« modifiée par Sophie Deschodt ») when a team member or a contact of
    the company; « quelqu'un » when a contact of another organisation (the employer of a person an ETTI
    provides declares the same row): never another organisation's person. One query."""
    users = {c.by.pk for c in conflicts if c.by is not None}
    if not users:
        return
    outsiders = set(
        ExternalAccount.objects.filter(user__in=users).exclude(company=company).values_list("user", flat=True)
    )
    for conflict in conflicts:
        if conflict.by is not None and conflict.by.pk in outsiders:
            conflict.by = None


@space_view
def declaration(request, year, month):
    company = _company(request)
    # The project's months (1900 to 2999): month 13, year 1 (its reference months before year 1: a 500),
    # digits beyond a C long are no page
    month = parse_month(f"{year:04d}-{month:02d}")
    if month is None:
        raise Http404
    here = reverse("spaces:declaration", args=[month.year, month.month])
    is_post, status = request.method == "POST", 200
    try:
        posted = posted_cells(request.POST) if is_post else None
    except BadRequest as refused:  # nothing written: the month as stored, with why
        messages.error(request, str(refused))
        is_post, posted, status = False, None, 400
    rows, _ = grid.build_rows(month, declarations.assignments(company, month), lock=is_post)
    form = GridForm(rows, posted)
    future = grid.future_month_error(month)
    if future:  # shown (typed values included), never written
        if is_post:
            form.is_valid()
            status = 400
        for field in form.fields.values():
            field.widget.attrs["disabled"] = True
    elif is_post:
        if form.is_valid():
            submitted = form.submitted()
            values, conflicts = grid.merge_cells(rows, submitted)
            if conflicts:  # nothing written: everything re-displayed, the conflicting cells marked
                for conflict in conflicts:
                    conflict.to_reopen = "demandez à l'équipe de la corriger si elle est inexacte"
                grid.explain_conflicts(month, conflicts)
                _unnamed_outsiders(conflicts, company)
                form, status = form.after_conflicts(submitted, conflicts), 409
            else:
                result = grid.save_rows(month, rows, values, request.user, declared=True)
                if text := result.message(month):
                    messages.success(request, text + " Elles seront comptées une fois validées par l'équipe.")
                else:
                    messages.info(request, "Aucune modification à enregistrer.")
                return redirect(here)
        else:
            status = 400
    context = {
        "company": company,
        "form": form,
        "grid_rows": [(row, *form.cells(row), *form.originals(row)) for row in rows],
        "month": month,
        "month_label": month_label(month),
        "future": future,
        "editable": not future and any(r.editable for r in rows),
        "here": here,
        "due": declarations.months_due(company, timezone.localdate()),
    }
    return render(request, "spaces/declaration.html", context, status=status)
