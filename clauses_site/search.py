"""The search box of the navigation: markets (reference, title), companies (name, SIRET) and, for the
team only, participants (name) — case and accents ignored (the models' normalised search_text).
A results page, and the same results as a short list under the box while typing (htmx)."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from clauses_site import roles
from companies.models import Company
from markets.models import Market
from participants.models import Participant

PAGE_LIMIT = 20
LIVE_LIMIT = 5


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _group(title, queryset, limit, url_name, list_name, text, details, q):
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    list_url = _url(list_name)
    return {
        "title": title,
        "items": [{"url": _url(url_name, r.pk), "text": text(r), "details": details(r)} for r in rows],
        "more": more,
        "count": queryset.count() if more else len(rows),
        "list_url": f"{list_url}?{urlencode({'q': q})}" if list_url else None,
    }


def search_results(user, q, limit):
    groups = [
        _group(
            "Marchés",
            Market.objects.search(q).select_related("buyer").order_by("-starts_on", "reference", "pk"),
            limit,
            "markets:market_detail",
            "markets:market_list",
            lambda m: f"{m.reference} — {m.title}",
            lambda m: m.buyer.name,
            q,
        ),
        _group(
            "Entreprises",
            Company.objects.search(q).order_by("archived", "name_key", "pk"),
            limit,
            "companies:company_detail",
            "companies:company_list",
            lambda c: c.name,
            lambda c: " · ".join(x for x in (c.commune, c.siret, "archivée" if c.archived else "") if x),
            q,
        ),
    ]
    if roles.sees_people(user):
        groups.append(
            _group(
                "Participants",
                Participant.objects.search(q).order_by("last_name", "first_name", "pk"),
                limit,
                "participants:participant_detail",
                "participants:participant_list",
                str,
                lambda p: (
                    f"{p.birth_date:%d/%m/%Y} · {p.commune}" if p.commune else f"{p.birth_date:%d/%m/%Y}"
                ),
                q,
            )
        )
    return groups


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    live = request.headers.get("HX-Request") == "true"
    groups = search_results(request.user, q, LIVE_LIMIT if live else PAGE_LIMIT) if q else []
    context = {"q": q, "groups": groups, "found": any(g["items"] for g in groups)}
    return render(request, "search.html#live-results" if live else "search.html", context)
