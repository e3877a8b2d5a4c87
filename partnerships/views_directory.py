"""The ESS/SIAE directory (filters, xlsx) and its brochure as a PDF (« Plaquette des structures de
l'ESS »: cover, table of contents, one card per structure grouped by sector). The brochure takes the
same filters as the directory (a brochure of one sector, one commune…)."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from clauses_site.listing import FilteredListView
from clauses_site.pdf import write_pdf
from partnerships import directory
from partnerships.filters import DirectoryFilter
from partnerships.tables import DIRECTORY_EXPORT_COLUMNS, DirectoryTable

BROCHURE_TITLE = "Plaquette des structures de l'ESS"


class DirectoryList(FilteredListView):
    title = "Annuaire des structures de l'ESS"
    intro = (
        "Structures d'insertion (EI, ETTI, AI, ACI, EITI), GEIQ, entreprises adaptées et ESAT, et membres "
        "de l'ESS : leur offre, pour la présenter aux entreprises et aux donneurs d'ordre."
    )
    template_name = "partnerships/directory.html"
    filterset_class = DirectoryFilter
    table_class = DirectoryTable
    export_columns = DIRECTORY_EXPORT_COLUMNS
    export_filename = "plaquette-ess.xlsx"
    export_sheet = "Structures de l'ESS"

    def get_queryset(self):
        return directory.structures()


@require_GET
def brochure_pdf(request):
    filterset = DirectoryFilter(request.GET, queryset=directory.structures(), request=request)
    companies = filterset.qs if filterset.is_valid() else directory.structures().none()
    companies = list(companies)
    today = timezone.localdate()
    html = render_to_string(
        "partnerships/brochure_pdf.html",
        {
            "title": BROCHURE_TITLE,
            "sections": directory.sections(companies),
            "count": len(companies),
            "today": today,
            "team_name": settings.CLAUSES_TEAM_NAME,
            "filters": _filters_text(filterset),
        },
        request=request,
    )
    pdf = write_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plaquette-ess-{today:%Y-%m-%d}.pdf"'
    return response


def _filters_text(filterset):
    """« Secteur : Nettoyage · Commune : Dunkerque » for the cover, when filtered."""
    if not filterset.is_valid():
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []):
            continue
        field = filterset.form.fields[name]
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        parts.append(f"{field.label} : {value}")
    return " · ".join(parts)
