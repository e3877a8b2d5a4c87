"""« Déclarations à traiter » (issue 16 item 4, first piece): the companies' declared hours waiting for
the team, by month and company, each with the link to the company's grid of that month, where the
facilitator corrects a figure and validates the month in one action (« Enregistrer et valider le mois »:
hours/views_grid.py); the entry's history keeps who declared, who corrected and who validated."""

from django.shortcuts import render
from django.urls import reverse

from clauses_site import roles
from clauses_site.months import month_label
from hours import queries


def declarations(request):
    roles.require(roles.can_edit, request.user)
    grid = reverse("hours:grid")
    rows = queries.declarations_by_company_month()
    for row in rows:
        row["label"] = month_label(row["month"])
        row["url"] = f"{grid}?mois={row['month']:%Y-%m}&entreprise={int(row['company'])}"
    return render(request, "hours/declarations.html", {"rows": rows})
