"""The space of an external user (/espace/…): a company's clause lots, a buyer's markets and lots, with
their figures (spaces.figures). Read-only in this slice. Every page starts from the user's organisation
(clauses_site.roles.organisation_of): another organisation's object is not found (404), whatever the
address says. Marked space_view: the team gets 403 here (spaces.middleware)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from clauses_site import roles
from companies.models import Company
from markets.models import Award, Lot, Market
from spaces import declarations, figures
from spaces.access import space_view


def _organisation(request):
    organisation = roles.organisation_of(request.user)
    if organisation is None:  # an external user whose account is revoked or bound to nothing
        raise PermissionDenied
    return organisation


@space_view
def home(request):
    organisation = _organisation(request)
    today = timezone.localdate()
    if isinstance(organisation, Company):
        awards, overall = figures.company_lots(organisation, today)
        due = declarations.months_due(organisation, today)
        context = {"company": organisation, "awards": awards, "overall": overall, "due": due}
        return render(request, "spaces/company_home.html", context)
    markets, overall = figures.buyer_markets(organisation, today)
    return render(
        request, "spaces/buyer_home.html", {"buyer": organisation, "markets": markets, "overall": overall}
    )


@space_view
def market(request, pk):
    organisation = _organisation(request)
    if isinstance(organisation, Company):
        raise Http404
    try:
        market, lots, overall = figures.buyer_market(organisation, pk, timezone.localdate())
    except Market.DoesNotExist as exc:
        raise Http404 from exc
    context = {"buyer": organisation, "market": market, "lots": lots, "overall": overall}
    return render(request, "spaces/buyer_market.html", context)


@space_view
def lot(request, pk):
    organisation = _organisation(request)
    today = timezone.localdate()
    if isinstance(organisation, Company):
        try:
            award = figures.company_award(organisation, pk, today)
        except Award.DoesNotExist as exc:
            raise Http404 from exc
        return render(request, "spaces/company_lot.html", {"company": organisation, "award": award})
    try:
        lot, awards = figures.buyer_lot(organisation, pk, today)
    except Lot.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "spaces/buyer_lot.html", {"buyer": organisation, "lot": lot, "awards": awards})
