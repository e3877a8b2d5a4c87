"""Autocompletion: one JSON endpoint per kind of record, /recherche/autocompletion/<kind>/?q=…,
answering at most 20 {"value", "text"} pairs (`{"results": [...]}`), searched with the models'
`.search()` (normalised text: case and accents ignored on SQLite and PostgreSQL alike).

The kinds are registered by the apps' screens (`register(...)`, at start-up or at import time of their
urls.py): buyers, companies, participants, markets and lots by reporting/views_search.py, assignments by
hours/urls.py; this module imports no app. The participant kind requires sees_people (403 otherwise),
like every personal datum.
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
    records: Any = None  # callable() -> QuerySet: every record a chosen value may be (list filters)


KINDS: dict[str, Kind] = {}


def register(name, queryset, text, permission=any_role, records=None):
    KINDS[name] = Kind(queryset=queryset, text=text, permission=permission, records=records)


def registered(name):
    """The registered kind (a LookupError naming it otherwise)."""
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"No autocompletion kind « {name} » is registered.") from None


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
