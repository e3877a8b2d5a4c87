"""The ESS/SIAE directory and its brochure (« Plaquette des structures de l'ESS »): which structures,
and how the brochure groups them by sector."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from clauses_site.text import normalize
from companies.models import Company, Contact, Sector

OTHER_SECTION = "Autres structures"


def structures():
    """Insertion and ESS structures still active, with their sectors and contacts (2 more queries)."""
    return (
        Company.objects.insertion_structures()
        .active()
        .prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.order_by("name")),
            Prefetch("contacts", queryset=Contact.objects.order_by("name")),
        )
        .order_by("name_key")
    )


def kind_label(company):
    """« ETTI — entreprise de travail temporaire d'insertion », or « Structure de l'ESS »."""
    if company.kind in Company.Kind.insertion_kinds():
        return company.get_kind_display()
    return "Structure de l'ESS" if company.kind == Company.Kind.ORDINARY else company.get_kind_display()


@dataclass
class Section:
    title: str
    anchor: str
    cards: list = field(default_factory=list)  # structures whose first sector is this one
    see_also: list = field(default_factory=list)  # structures of this sector presented elsewhere


def sections(companies):
    """The brochure's sections, by sector name: each structure has one card, in the section of its first
    sector (alphabetical); its other sectors refer to that card. Structures without a sector close the
    brochure. `companies` must come with their sectors prefetched (structures() does)."""
    by_sector = {}
    others = []
    for company in companies:
        company_sectors = list(company.sectors.all())
        if not company_sectors:
            others.append(company)
            continue
        first, *rest = company_sectors
        by_sector.setdefault(first.name, Section(first.name, f"secteur-{first.pk}")).cards.append(company)
        for sector in rest:
            by_sector.setdefault(sector.name, Section(sector.name, f"secteur-{sector.pk}")).see_also.append(
                company
            )
    result = [by_sector[name] for name in sorted(by_sector, key=normalize)]
    if others:
        result.append(Section(OTHER_SECTION, "secteur-autres", cards=others))
    return result
