"""Finding the scope of a bilan from what a person types (command line) and the period shortcuts of
the Bilans page. Errors are ScopeError with a French message naming what was not found."""

import datetime

from clauses_site import months
from clauses_site.text import clean_siret, company_key
from companies.models import Company
from markets.models import Buyer, Market
from reporting import indicators


class ScopeError(Exception):
    pass


def _names(rows, limit=5):
    return ", ".join(f"« {row} »" for row in rows[:limit])


def find_buyer(name):
    buyer = Buyer.objects.matching(name)
    if buyer is None:
        close = list(Buyer.objects.search(name).values_list("name", flat=True)[:5])
        hint = f" Donneurs d'ordre proches : {_names(close)}." if close else ""
        raise ScopeError(f"Donneur d'ordre inconnu : « {name} ».{hint}")
    return buyer


def find_company(name_or_siret):
    digits = clean_siret(name_or_siret)
    if digits.isdigit() and len(digits) == 14:
        company = Company.objects.filter(siret=digits).first()
        if company is None:
            raise ScopeError(f"Aucune entreprise n'a le SIRET {digits}.")
        return company
    found = list(Company.objects.filter(name_key=company_key(name_or_siret)).order_by("pk")[:10])
    if not found:
        close = list(Company.objects.search(name_or_siret).values_list("name", flat=True)[:5])
        hint = f" Entreprises proches : {_names(close)}." if close else ""
        raise ScopeError(f"Entreprise inconnue : « {name_or_siret} ».{hint}")
    if len(found) > 1:
        listed = "; ".join(f"{c.name} (SIRET {c.siret or 'non renseigné'})" for c in found)
        raise ScopeError(
            f"Plusieurs entreprises s'appellent « {name_or_siret} » : {listed}. Donnez le SIRET."
        )
    return found[0]


def find_market(reference, buyer=None):
    markets = Market.objects.filter(reference__iexact=reference.strip()).select_related("buyer")
    if buyer is not None:
        markets = markets.filter(buyer=buyer)
    found = list(markets.order_by("buyer__name_key")[:10])
    if not found:
        where = f" chez « {buyer} »" if buyer else ""
        close = list(Market.objects.search(reference).values_list("reference", flat=True)[:5])
        hint = f" Références proches : {_names(close)}." if close else ""
        raise ScopeError(f"Marché inconnu{where} : référence « {reference} ».{hint}")
    if len(found) > 1:
        buyers = "; ".join(m.buyer.name for m in found)
        raise ScopeError(
            f"La référence « {reference} » désigne plusieurs marchés ({buyers}) : "
            f"précisez le donneur d'ordre avec --buyer."
        )
    return found[0]


def parse_date(text, label, end=False):
    """A typed date (clauses_site.months.parse_date: « 2025-03-14 », « 14/03/2025 », or a month alone,
    its first day — its last with `end`); ScopeError naming which date (`label`) otherwise."""
    day = months.parse_date(text, end=end) if isinstance(text, str) else None
    if day is None:
        raise ScopeError(f"Date {label} invalide : « {text} » (attendu AAAA-MM-JJ).")
    return day


def check_period(start, end):
    if end < start:
        raise ScopeError(
            f"La période est inversée : le début ({start:%d/%m/%Y}) est après la fin ({end:%d/%m/%Y})."
        )


# --- period shortcuts of the Bilans page -----------------------------------------------------------------

SHORTCUTS = {
    "last_month": "Le mois dernier",
    "last_quarter": "Le trimestre dernier",
    "this_year": "Cette année",
    "last_year": "L'année dernière",
    "since_start": "Depuis le début du contrat",
}


def shortcut_period(name, today, kind=None, obj=None):
    """(start, end) of a shortcut, computed on `today`."""
    if name == "last_month":
        start = months.add_months(months.first_of_month(today), -1)
        return start, months.last_of_month(start)
    if name == "last_quarter":
        quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = months.add_months(quarter_start, -3)
        return start, months.last_of_month(months.add_months(quarter_start, -1))
    if name == "this_year":
        return datetime.date(today.year, 1, 1), today
    if name == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if name == "since_start":
        start = indicators.scope_start(kind, obj) if kind else None
        return (min(start, today) if start else datetime.date(today.year, 1, 1)), today
    raise ScopeError(f"Raccourci de période inconnu : {name}.")


def scope_label(kind, obj):
    """What a scope is called: the buyer's or company's name, « REF — title » for a market."""
    if kind == "territory":
        return indicators.TERRITORY_NAME
    if kind == "market":
        return f"{obj.reference} — {obj.title}"
    return str(obj)
