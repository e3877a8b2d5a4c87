"""The navigation's search box (a results page, and the same results as a short list under the box while
typing, htmx) and the registration of the autocompletion kinds; the queries are reporting/search.py."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from clauses_site import autocomplete, roles
from markets.models import Lot
from reporting import search as queries

PAGE_LIMIT = 20
LIVE_LIMIT = 5


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    live = request.headers.get("HX-Request") == "true"
    groups = queries.search_results(request.user, q, LIVE_LIMIT if live else PAGE_LIMIT) if q else []
    context = {"q": q, "groups": groups, "found": any(g["items"] for g in groups)}
    return render(request, "search.html#live-results" if live else "search.html", context)


def register_autocompletion():
    """Called once, when the application starts (reporting/apps.py)."""
    autocomplete.register("buyer", queries.buyers, str)
    autocomplete.register("company", queries.companies, queries.company_text)
    autocomplete.register(
        "participant", queries.participants, queries.participant_text, permission=roles.sees_people
    )
    autocomplete.register("market", queries.markets, queries.market_text)
    # records: every lot (archived markets' included), where a list filter looks up the chosen value
    autocomplete.register(
        "lot", queries.lots, queries.lot_text, records=lambda: Lot.objects.select_related("market")
    )
