"""A bilan as a document: the context its HTML templates print (web preview and PDF), and the three
files — PDF (WeasyPrint), xlsx (one sheet per table) and JSON (docs/formats/bilan-json.md).

    figures = indicators.for_buyer(buyer, start, end)
    data = bilan.render("pdf", figures, commentary="…", facilitator="Camille Martin")

Every output applies the sensitive rule (RQTH, AAH, Réfugié and the outcome « Santé »: a count of 0 to 4
people reads "< 5", whatever the scope's size; reporting/masking.py). The PDF and the web preview always
apply the small-numbers rule too (a breakdown cell of 1 or 2 people in a scope of fewer than 10 people
reads "< 3"); the xlsx and JSON only with anonymise_small=True.
"""

import functools
import io
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.text import slugify

from clauses_site.exports import XLSX_TYPE, Column, write_xlsx
from clauses_site.pdf import write_pdf
from participants.models import Outcome, Participant
from reporting import charts, indicators

FORMATS = {
    "pdf": ("application/pdf", "PDF"),
    "xlsx": (XLSX_TYPE, "Excel (xlsx)"),
    "json": ("application/json", "JSON"),
}
CSS = "reporting/bilan.css"
LOGO = "reporting/logo.svg"

SEX_LABELS = {"F": "Femmes", "H": "Hommes"}
AGE_LABELS = {"<26": "Moins de 26 ans", "26-49": "26 à 49 ans", "50+": "50 ans et plus"}
LEVEL_LABELS = {**dict(Participant.Level.choices), indicators.UNKNOWN_LEVEL: "Niveau inconnu"}
POSITIVE_LABELS = tuple(k.label for k in Outcome.Kind.positive())


def _relabel(mapping, labels):
    return {labels.get(key, key): value for key, value in mapping.items()}


def build_charts(f):
    """Every chart of a bilan from (masked) figures: the same objects for the page and the PDF."""
    return {
        "gauge": charts.gauge("Taux de réalisation", f.completion_rate),
        "months": charts.bar_chart("Heures réalisées par mois", f.hours_by_month),
        "modality": charts.hbar_chart("Heures par modalité", f.by_modality, unit="h", hide_zero=True),
        "sex": charts.hbar_chart("Personnes par sexe", _relabel(f.by_sex, SEX_LABELS)),
        "age": charts.hbar_chart("Personnes par âge", _relabel(f.by_age_band, AGE_LABELS)),
        "level": charts.hbar_chart(
            "Personnes par niveau de qualification", _relabel(f.by_level, LEVEL_LABELS)
        ),
        "criteria": charts.hbar_chart("Personnes par critère d'éligibilité", f.by_criterion, hide_zero=True),
        "commune": charts.hbar_chart("Personnes par commune de résidence", f.by_commune, hide_zero=True),
        "prescribers": charts.hbar_chart("Personnes par prescripteur", f.prescribers, hide_zero=True),
        "contracts": charts.hbar_chart(
            "Contrats par type", f.by_contract_type, unit="contrats", hide_zero=True
        ),
        "outcomes_end": charts.hbar_chart(
            "Sorties en fin de contrat", f.outcomes_at_end, hide_zero=True, highlight=POSITIVE_LABELS
        ),
        "outcomes_six": charts.hbar_chart(
            "Sorties à 6 mois", f.outcomes_at_six_months, hide_zero=True, highlight=POSITIVE_LABELS
        ),
    }


def lot_groups(lines):
    """Lot lines grouped by market (they come ordered by buyer and market), with the market's span of
    execution dates: the lots table prints one heading row per market."""
    groups = []
    for line in lines:
        key = (line.buyer, line.market_reference)
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {
                    "key": key,
                    "reference": line.market_reference,
                    "title": line.market_title,
                    "buyer": line.buyer,
                    "lines": [],
                    "starts_on": None,
                    "ends_on": None,
                }
            )
        group = groups[-1]
        group["lines"].append(line)
        if line.starts_on and (group["starts_on"] is None or line.starts_on < group["starts_on"]):
            group["starts_on"] = line.starts_on
        if line.ends_on and (group["ends_on"] is None or line.ends_on > group["ends_on"]):
            group["ends_on"] = line.ends_on
    return groups


def logo_path():
    """The logo printed on the cover: settings.CLAUSES_LOGO (a file path) when set, else Clauses' mark."""
    custom = getattr(settings, "CLAUSES_LOGO", "")
    if custom and Path(custom).is_file():
        return Path(custom)
    return Path(finders.find(LOGO))


def document_context(figures, commentary="", facilitator="", generated_on=None, for_pdf=False):
    """What templates/reporting/_document.html prints. Always masked: it leaves the team."""
    f = figures.masked()
    shown_criteria = [code for code, n in f.by_criterion.items() if n]
    return {
        "f": f,
        "scope": f.scope,
        "charts": build_charts(f),
        "lot_groups": lot_groups(f.lots),
        "criteria_legend": [(code, f.criteria_labels.get(code, code)) for code in shown_criteria],
        "commentary": commentary.strip(),
        "facilitator": facilitator,
        "generated_on": generated_on or timezone.localdate(),
        "team_name": settings.CLAUSES_TEAM_NAME,
        "logo_url": logo_path().as_uri() if for_pdf else static(LOGO),
        "for_pdf": for_pdf,
        "show_buyer": f.scope.kind in ("company", "territory"),
        "show_companies": f.scope.kind != "company",
        "positive_labels": POSITIVE_LABELS,
    }


def render_html(figures, commentary="", facilitator="", generated_on=None):
    """The standalone HTML the PDF is printed from."""
    context = document_context(figures, commentary, facilitator, generated_on, for_pdf=True)
    return render_to_string("reporting/bilan_pdf.html", context)


@functools.cache
def _stylesheet():
    """static/reporting/bilan.css parsed once per process (WeasyPrint stylesheets are reusable)."""
    from weasyprint import CSS as WeasyCSS

    return WeasyCSS(filename=finders.find(CSS))


def render_pdf(figures, commentary="", facilitator="", generated_on=None):
    """The PDF of figures already computed: no query (the figures are read once, whatever the pages)."""
    return print_pdf(render_html(figures, commentary, facilitator, generated_on))


def print_pdf(html):
    """WeasyPrint's part of a PDF: lay out the standalone HTML and write the file (tagged, PDF/UA)."""
    return write_pdf(html, base_url=str(settings.BASE_DIR), stylesheets=[_stylesheet()])


def render_json(figures, anonymise_small=False):
    data = indicators.to_json(figures, anonymise_small=anonymise_small)
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


# --- xlsx: one sheet per table -------------------------------------------------------------------------


def _yes_no(value):
    return "oui" if value else "non"


def _breakdown(title, mapping, header, count="personnes"):
    kind = "hours" if count == "heures" else "int"
    columns = [Column(header, lambda r: r[0], width=40), Column(count.capitalize(), lambda r: r[1], kind)]
    return (title, columns, list(mapping.items()))


def render_xlsx(figures, anonymise_small=False, commentary=""):
    f = figures.masked() if anonymise_small else figures.protected()
    s = f.scope
    summary = [
        ("Périmètre", s.name, ""),
        ("Type de périmètre", s.kind_label, ""),
        ("Du", s.start.strftime("%d/%m/%Y"), ""),
        ("Au", s.end.strftime("%d/%m/%Y"), ""),
        ("Heures dues (lots du périmètre)", f.hours_required, "h"),
        ("Heures réalisées sur la période", f.hours_done, "h"),
        ("Heures réalisées à la fin de la période", f.hours_done_to_date, "h"),
        ("Heures attendues à la fin de la période", f.progress.expected, "h"),
        ("Taux de réalisation", f.completion_rate, "fraction"),
        ("Heures de formation", f.training_hours, "h"),
        ("Personnes", f.people, "personnes"),
        ("Contrats", f.assignments, "contrats"),
        ("Habitants d'un QPV", f.qpv, "personnes"),
        ("Personnes sorties en fin de contrat", f.people_with_outcome_at_end, "personnes"),
        ("dont sorties positives", f.positive_at_end, "personnes"),
        ("Personnes suivies à 6 mois", f.people_with_outcome_at_six_months, "personnes"),
        ("dont sorties positives", f.positive_at_six_months, "personnes"),
        ("Achats aux SIAE : équivalent en heures", f.siae_hours, "h"),
        ("Achats aux SIAE : montant facturé HT", f.siae_amount, "€"),
        ("Commentaire", commentary.strip(), ""),
    ]
    summary_columns = [
        Column("Indicateur", lambda r: r[0], width=44),
        Column("Valeur", lambda r: r[1], width=30),
        Column("Unité", lambda r: r[2], width=12),
    ]

    def progress_columns():
        return [
            Column("Heures dues", lambda r: r.hours_required, "hours", 14),
            Column("Réalisées sur la période", lambda r: r.hours_done, "hours", 14),
            Column("Réalisées à date", lambda r: r.hours_done_to_date, "hours", 14),
            Column("Attendues à date", lambda r: r.progress.expected, "hours", 14),
            Column("Taux de réalisation", lambda r: r.progress.rate, "rate", 12),
            Column("En retard", lambda r: _yes_no(r.progress.lagging), width=10),
            Column("Heures de formation", lambda r: r.training_hours, "hours", 14),
            Column("Personnes", lambda r: r.people, "int", 11),
        ]

    lot_columns = [
        Column("Donneur d'ordre", lambda r: r.buyer, width=30),
        Column("Réf. marché", lambda r: r.market_reference, width=16),
        Column("Intitulé marché", lambda r: r.market_title, width=34),
        Column("Lot", lambda r: r.lot, width=8),
        Column("Intitulé lot", lambda r: r.title, width=24),
        Column("Type de clause", lambda r: r.clause_type, width=12),
        Column("Début d'exécution", lambda r: r.starts_on, "date", 12),
        Column("Fin d'exécution", lambda r: r.ends_on, "date", 12),
        *progress_columns(),
    ]
    company_columns = [
        Column("Entreprise", lambda r: r.name, width=34),
        Column("SIRET", lambda r: r.siret, width=16),
        Column("Type de structure", lambda r: r.kind, width=24),
        *progress_columns(),
    ]
    outcomes = [
        ("En fin de contrat", label, _yes_no(label in POSITIVE_LABELS), n)
        for label, n in f.outcomes_at_end.items()
    ] + [
        ("À 6 mois", label, _yes_no(label in POSITIVE_LABELS), n)
        for label, n in f.outcomes_at_six_months.items()
    ]
    outcome_columns = [
        Column("Moment", lambda r: r[0], width=18),
        Column("Sortie", lambda r: r[1], width=30),
        Column("Positive", lambda r: r[2], width=10),
        Column("Personnes", lambda r: r[3], "int", 11),
    ]
    sheets = [
        ("Lots", lot_columns, f.lots),
        ("Entreprises", company_columns, f.companies),
        (
            "Heures par mois",
            [Column("Mois", lambda r: r[0], "date", 12), Column("Heures", lambda r: r[1], "hours", 14)],
            f.hours_by_month,
        ),
        _breakdown("Modalités", f.by_modality, "Modalité", "heures"),
        _breakdown("Sexe", _relabel(f.by_sex, SEX_LABELS), "Sexe"),
        _breakdown("Âge", _relabel(f.by_age_band, AGE_LABELS), "Tranche d'âge"),
        _breakdown("Niveau", _relabel(f.by_level, LEVEL_LABELS), "Niveau de qualification"),
        _breakdown("Critères", f.by_criterion, "Critère d'éligibilité"),
        _breakdown("Communes", f.by_commune, "Commune de résidence"),
        _breakdown("Prescripteurs", f.prescribers, "Prescripteur"),
        _breakdown("Types de contrat", f.by_contract_type, "Type de contrat", "contrats"),
        ("Sorties", outcome_columns, outcomes),
    ]
    buffer = io.BytesIO()
    write_xlsx(
        buffer, summary_columns, summary, sheet_title="Synthèse", autofilter=False, extra_sheets=sheets
    )
    return buffer.getvalue()


def render(fmt, figures, commentary="", facilitator="", anonymise_small=False, generated_on=None):
    """The bytes of a bilan in one of FORMATS."""
    if fmt == "pdf":
        return render_pdf(figures, commentary, facilitator, generated_on)
    if fmt == "xlsx":
        return render_xlsx(figures, anonymise_small, commentary)
    if fmt == "json":
        return render_json(figures, anonymise_small)
    raise ValueError(f"Format inconnu : {fmt}")


def filename(figures, fmt, version=None):
    """bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-12-31[-v2].pdf"""
    s = figures.scope
    suffix = f"-v{version}" if version and version > 1 else ""
    return f"bilan-{slugify(s.name)[:60]}-{s.start.isoformat()}-{s.end.isoformat()}{suffix}.{fmt}"
