"""Finding records across the apps (the top domain floor may read them all; clauses_site, the ground
floor, imports none):

- `search_results(user, q, limit)`: the navigation's search box — markets (reference, title), companies
  (name, SIRET) and, for the team only, participants (name), case and accents ignored (the models'
  normalised search_text); the screen is reporting/views_search.py;
- the kinds of records the shared autocompletion endpoint (clauses_site/autocomplete.py) offers —
  buyers, companies, participants, markets, lots: what a typed text finds and how a record reads;
  reporting/views_search.py registers them when the application starts (reporting/apps.py).
"""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from clauses_site import roles
from clauses_site.text import normalize
from companies.models import Company
from markets.models import Buyer, Lot, Market
from participants.models import Participant

# --- the search box -------------------------------------------------------------------------------------


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


# --- the autocompletion kinds ---------------------------------------------------------------------------


def buyers(q):
    return Buyer.objects.search(q).filter(archived=False).order_by("name_key")


def companies(q):
    return Company.objects.search(q).filter(archived=False).order_by("name_key")


def company_text(company):
    details = ", ".join(x for x in (company.commune, company.siret) if x)
    return f"{company.name} ({details})" if details else company.name


def participants(q):
    return Participant.objects.search(q).order_by("last_name", "first_name", "pk")


def participant_text(person):
    return f"{person} ({person.birth_date:%d/%m/%Y})"


def markets(q):
    return (
        Market.objects.search(q).filter(archived=False).select_related("buyer").order_by("-starts_on", "pk")
    )


def market_text(market):
    return f"{market.reference} — {market.title} ({market.buyer.name})"


def lots(q):
    found = Lot.objects.select_related("market").filter(market__archived=False)
    for word in normalize(q).split():  # every word in the market's reference/title or the lot's number
        found = found.filter(Q(market__search_text__contains=word) | Q(number_key=word))
    return found.order_by("-market__starts_on", "market__reference", "number_key")


def lot_text(lot):
    return f"{lot.market.reference} — {lot}"
