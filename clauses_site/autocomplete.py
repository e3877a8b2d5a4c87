"""Autocompletion: one JSON endpoint per kind of record, /recherche/autocompletion/<kind>/?q=…,
answering at most 20 {"value", "text"} pairs (`{"results": [...]}`), searched with the models'
`.search()` (normalised text: case and accents ignored on SQLite and PostgreSQL alike).

Kinds are registered here; another app's screens may add one with `register(...)` at import time of
their urls.py. The participant kind requires sees_people (403 otherwise), like every personal datum.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from clauses_site import roles

LIMIT = 20


def any_role(user):
    return roles.role_of(user) is not None


@dataclass(frozen=True)
class Kind:
    queryset: Any  # callable(q) -> QuerySet, already searched and ordered
    text: Any  # callable(obj) -> str
    permission: Any = any_role


KINDS: dict[str, Kind] = {}


def register(name, queryset, text, permission=any_role):
    KINDS[name] = Kind(queryset=queryset, text=text, permission=permission)


def _buyers(q):
    from markets.models import Buyer

    return Buyer.objects.search(q).filter(archived=False).order_by("name_key")


def _companies(q):
    from companies.models import Company

    return Company.objects.search(q).filter(archived=False).order_by("name_key")


def _company_text(company):
    details = ", ".join(x for x in (company.commune, company.siret) if x)
    return f"{company.name} ({details})" if details else company.name


def _participants(q):
    from participants.models import Participant

    return Participant.objects.search(q).order_by("last_name", "first_name", "pk")


def _participant_text(person):
    return f"{person} ({person.birth_date:%d/%m/%Y})"


def _markets(q):
    from markets.models import Market

    return (
        Market.objects.search(q).filter(archived=False).select_related("buyer").order_by("-starts_on", "pk")
    )


def _market_text(market):
    return f"{market.reference} — {market.title} ({market.buyer.name})"


def _lots(q):
    from django.db.models import Q

    from clauses_site.text import normalize
    from markets.models import Lot

    lots = Lot.objects.select_related("market").filter(market__archived=False)
    words = normalize(q).split()
    for word in words:  # every word in the market's reference/title or the lot's number
        lots = lots.filter(Q(market__search_text__contains=word) | Q(number_key=word))
    return lots.order_by("-market__starts_on", "market__reference", "number_key")


def _lot_text(lot):
    return f"{lot.market.reference} — {lot}"


register("buyer", _buyers, str)
register("company", _companies, _company_text)
register("participant", _participants, _participant_text, permission=roles.sees_people)
register("market", _markets, _market_text)
register("lot", _lots, _lot_text)


@require_GET
def autocomplete(request, kind):
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("Type de recherche inconnu.")
    if not spec.permission(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "")[:100]
    rows = spec.queryset(q)[:LIMIT]
    return JsonResponse({"results": [{"value": str(obj.pk), "text": spec.text(obj)} for obj in rows]})
