"""Screens of the manager's dashboards: the home dashboard (filtered by period, buyer, facilitator and
sector in the URL), the full realisation list behind its figures, and the team's activity.

The read-only role (Lecteur) sees every figure but no person's name: no facilitator (filter, column),
no company contact, and no link to lists of people."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clauses_site import roles
from clauses_site.forms import BootstrapForm, TeamMemberChoiceField
from clauses_site.months import first_of_month, last_of_month
from companies.models import Sector
from hours import queries
from markets.models import Buyer
from reporting import activity, charts, dashboard
from reporting.dashboard import Selection

THIS_YEAR_COLOUR = charts.PRIMARY
LAST_YEAR_COLOUR = "#9fb7c4"


def team_members():
    """Users a market can be in the charge of: facilitators, managers, and anyone already in charge."""
    return roles.team_members(also=Q(markets__isnull=False))


class DashboardFilterForm(BootstrapForm):
    du = forms.DateField(label="Du", required=False)
    au = forms.DateField(label="Au", required=False)
    acheteur = forms.ModelChoiceField(
        label="Donneur d'ordre",
        queryset=Buyer.objects.filter(archived=False),
        required=False,
        empty_label="Tous",
    )
    facilitatrice = TeamMemberChoiceField(
        label="Facilitatrice", queryset=team_members(), required=False, empty_label="Toutes"
    )
    secteur = forms.ModelChoiceField(
        label="Secteur", queryset=Sector.objects.all(), required=False, empty_label="Tous"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitatrice"].queryset = team_members()
        if not roles.sees_people(user):
            del self.fields["facilitatrice"]  # the read-only role sees no person's name

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["au"] < data["du"]:
            self.add_error("au", "La fin de la période précède son début.")
        return data


def selection_from(request, today):
    """(form, Selection) from the query string; invalid fields fall back to the defaults."""
    default = Selection.default(today)
    initial = {"du": default.start, "au": default.end}
    form = DashboardFilterForm(request.GET or None, user=request.user, initial=initial)
    if not form.is_bound:
        return form, default
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    start = data.get("du") or default.start
    end = data.get("au") or (default.end if start <= default.end else datetime.date(start.year, 12, 31))
    if end < start:
        start, end = default.start, default.end
    return form, Selection(
        start,
        end,
        buyer=data.get("acheteur"),
        facilitator=data.get("facilitatrice"),
        sector=data.get("secteur"),
    )


def _query(selection, **extra):
    params = {"du": selection.start.isoformat(), "au": selection.end.isoformat()}
    for key, value in (("acheteur", selection.buyer), ("facilitatrice", selection.facilitator)):
        if value is not None:
            params[key] = value.pk
    if selection.sector is not None:
        params["secteur"] = selection.sector.pk
    params.update(extra)
    return urlencode(params)


def _url(name, **params):
    """A list URL with its filters, or None when that list does not exist (yet)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def figure_links(request, selection, board):
    """The list behind each headline figure (lists of people only for roles that see them)."""
    s, on = selection, board.on
    buyer = s.buyer.pk if s.buyer else None
    facilitator = s.facilitator.pk if s.facilitator else None
    realisation = f"{reverse('reporting:dashboard_lots')}?{_query(s)}"
    links = {"owed": realisation, "completion": realisation, "at_risk": realisation + "&risque=1"}
    if s.facilitator is None and s.sector is None:
        # The bilan of the same buyer (or the territory) and period counts hours and outcomes the same way.
        scope = {"scope": "buyer", "buyer": buyer} if buyer else {"scope": "territory"}
        links["bilan"] = _url(
            "reporting:bilan_form", **scope, start=s.start.isoformat(), end=s.end.isoformat()
        )
        links["hours"] = links["bilan"]
    if roles.sees_people(request.user):
        # Lists of people, only where they hold exactly the figure's rows: the hour-entries and the
        # assignments lists filter by the market's buyer, facilitator in charge and sector, as the
        # dashboard does.
        markets = {"buyer": buyer, "facilitator": facilitator, "sector": s.sector.pk if s.sector else None}
        links["hours"] = _url(
            "hours:entry_list",
            status="validee",
            period_du=s.start.isoformat(),
            period_au=s.end.isoformat(),
            **markets,
        )
        links["new_assignments"] = _url(  # the assignments that started in the period
            "hours:assignment_list", start_du=s.start.isoformat(), start_au=s.end.isoformat(), **markets
        )
        links["people"] = _url(  # the assignments running this month (a person may hold two)
            "hours:assignment_list",
            period_du=first_of_month(on).isoformat(),
            period_au=last_of_month(on).isoformat(),
            **markets,
        )
    return links


def _charts(board):
    months = board.months
    hours_by_month = charts.grouped_bar_chart(
        "Heures réalisées par mois",
        width=440,
        height=300,
        labels=months.months,
        series=[
            (str(months.year), months.this_year, THIS_YEAR_COLOUR),
            (str(months.year - 1), months.last_year, LAST_YEAR_COLOUR),
        ],
    )
    forecast = charts.bar_chart(
        "Heures restant dues par mois (12 prochains mois)",
        list(zip(board.forecast.months, board.forecast.by_month, strict=True)),
    )
    top_trades = charts.hbar_chart(
        "Métiers les plus demandés (heures, 12 mois)",
        {t.name: t.total for t in board.forecast.trades[:8]},
        unit="h",
        width=460,
    )
    return {"hours_by_month": hours_by_month, "forecast": forecast, "top_trades": top_trades}


TRADES_SHOWN = 10


def _quarters(forecast):
    """The forecast by trade in quarters: the TRADES_SHOWN largest trades, the others summed in one row."""
    spans, rows = forecast.quarters()
    labels = [
        {"label": f"{a:%m/%y}–{b:%m/%y}", "title": f"{charts.label_text(a)} – {charts.label_text(b)}"}
        for a, b in spans
    ]
    shown = [
        {"name": t.name, "quarters": values, "months": t.by_month, "total": t.total}
        for t, values in rows[:TRADES_SHOWN]
    ]
    others = rows[TRADES_SHOWN:]
    if others:
        shown.append(
            {
                "name": f"Autres métiers ({len(others)})",
                "quarters": tuple(
                    sum(col, dashboard.ZERO) for col in zip(*(v for _, v in others), strict=True)
                ),
                "total": sum((t.total for t, _ in others), dashboard.ZERO),
                "others": True,
            }
        )
    return labels, shown


@require_GET
def dashboard_view(request, today=None):
    today = today or timezone.localdate()
    form, selection = selection_from(request, today)
    board = dashboard.build(selection, today)
    quarters, trades = _quarters(board.forecast)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "selection": selection,
            "board": board,
            "h": board.headline,
            "charts": _charts(board),
            "links": figure_links(request, selection, board),
            "realisation_rows": board.realisation[: dashboard.REALISATION_ROWS],
            "at_risk_rows": board.at_risk[: dashboard.AT_RISK_ROWS],
            "query": _query(selection),
            "last_year": selection.last_year(),
            "forecast_quarters": quarters,
            "forecast_trades": trades,
        },
    )


@require_GET
def dashboard_lots(request):
    """Every lot in execution of the selection with its progress, sorted by lag (or the lots at risk)."""
    today = timezone.localdate()
    form, selection = selection_from(request, today)
    on = min(selection.end, today)
    rows = dashboard.realisation(selection, on, today=today)
    only_risk = request.GET.get("risque") == "1"
    if only_risk:
        rows = tuple(r for r in rows if r.at_risk)
    return render(
        request,
        "reporting/dashboard_lots.html",
        {
            "form": form,
            "selection": selection,
            "rows": rows,
            "on": on,
            "expected_through": queries.expected_through(on, today),
            "only_risk": only_risk,
            "query": _query(selection),
        },
    )


@require_GET
def activity_view(request):
    roles.require(roles.sees_people, request.user)
    return render(request, "reporting/activity.html", {"activity": activity.build(timezone.localdate())})
