"""Layout of every PDF the application prints (issue 12, item 8), read back by tests/pdf_layout.py
(poppler's pdftotext -bbox-layout and pdftoppm): no two words overlap, no word outside the text area,
no figures run together, no word clipped away, no unit cut from its figure, no heading alone at a page
foot. The data are small but hold the worst cases: a lot owing and doing 1 234 567,89 h (the
territory's scale), long names, a long word, enough lots and companies for tables over several pages.
The busiest buyer of the demo data is checked by bench/bench_pdf_layout.py."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clauses_site.roles import READER
from companies.models import Company
from hours.models import HoursEntry
from markets.models import Stage
from reporting import bilan, indicators, personal_data
from tests import pdf_layout
from tests.companies.factories import CompanyFactory, ContactFactory, SectorFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

D = Decimal
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
BIG = D("1234567.89")
LONG_BUYER = (
    "Établissement public territorial d'aménagement et de développement durable du Littoral "
    "Dunkerquois — Direction de la commande publique"
)
LONG_COMPANY = "Société coopérative d'intérêt collectif des Travaux Publics et du Bâtiment Durable du Nord"
LONG_WORD = "Réhabilitation-thermique-et-acoustique-des-logements-sociaux-Banc-Vert"
# A title pasted from a file name: no space, no hyphen, nowhere to break but anywhere.
UNBROKEN = "Travaux_de_voirie_et_reseaux_divers_2026_lot_unique_SaintPolsurMer_PetiteSynthe"


def _huge_lot(buyer):
    """One lot owing 1 234 567,89 h and doing exactly that in 2025: 139 people, 1 660 months of at
    most 744 h (the most a month holds)."""
    market = MarketFactory(
        buyer=buyer, reference="GRD-2025-001", title=f"{LONG_WORD} et requalification des espaces publics"
    )
    lot = ClauseFactory(
        lot__market=market, lot__number="1", lot__title="Gros œuvre — " + LONG_WORD, stated_hours=BIG
    ).lot
    company = CompanyFactory(name=LONG_COMPANY)
    AwardFactory(lot=lot, company=company)
    assignments = [
        AssignmentFactory(lot=lot, company=company, starts_on=START, participant=ParticipantFactory())
        for _ in range(139)
    ]
    template = HoursEntryFactory.build(assignment=assignments[0])
    entries, left = [], BIG
    for assignment in assignments:
        for m in range(1, 13):
            hours = min(D(744), left)
            if hours:
                entry = HoursEntry(
                    assignment=assignment,
                    month=datetime.date(2025, m, 1),
                    hours=hours,
                    training_hours=D(0),
                    status=template.status,
                    validated_at=template.validated_at,
                )
                entries.append(entry)
                left -= hours
    HoursEntry.objects.bulk_create(entries)
    assert left == 0 and len(entries) == 1660
    return market, company


@pytest.fixture
def scopes():
    buyer = BuyerFactory(name=LONG_BUYER)
    market, company = _huge_lot(buyer)
    # 30 more markets of 3 lots each, every clause in execution in 2025: tables over several pages.
    for n in range(2, 32):
        other = MarketFactory(
            buyer=buyer,
            reference=f"LIT-2025-{n:03d}",
            title=UNBROKEN
            if n == 5
            else f"Construction du groupe scolaire n° {n} et de ses équipements sportifs",
        )
        for number in ("1", "2", "3"):
            lot = ClauseFactory(
                lot__market=other,
                lot__number=number,
                lot__title="Menuiseries extérieures, occultations et serrurerie du bâtiment principal",
            ).lot
            AwardFactory(
                lot=lot, company=CompanyFactory(name=f"Entreprise générale du Littoral n° {n}-{number}")
            )
        assignment = AssignmentFactory(lot=lot, company=lot.awards.get().company, starts_on=START)
        HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 3, 1), hours=D("151.67"))
    return {"buyer": buyer, "company": company, "market": market, "territory": None}


def assert_clean(data, margins, **kwargs):
    found = pdf_layout.problems(data, margins, **kwargs)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("kind", ["buyer", "company", "market", "territory"])
def test_bilan_layout(scopes, kind):
    figures = indicators.for_scope(kind, scopes[kind], START, END)
    data = bilan.render_pdf(figures, commentary="Très bonne année.\n" * 3, facilitator="Claire Vandenbussche")
    assert_clean(data, pdf_layout.BILAN_MARGINS, headings=pdf_layout.BILAN_HEADINGS)
    text = " ".join(w.text for page in pdf_layout.read_pages(data) for w in page.words)
    assert "1 234 567,89" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_busy_buyer_tables_run_over_pages_with_their_header(scopes):
    pages = pdf_layout.read_pages(bilan.render_pdf(indicators.for_buyer(scopes["buyer"], START, END)))
    headed = [
        p.number for p in pages if any(" ".join(w.text for w in line) == "Heures dues" for line in p.lines)
    ]
    assert len(headed) >= 4  # the header row repeated on each page of the lots and companies tables


def test_brochure_layout(client_for):
    sectors = [SectorFactory(name=name) for name in ("Bâtiment gros œuvre", "Espaces verts", "Nettoyage")]
    for n in range(24):
        structure = CompanyFactory(
            name=[
                f"{LONG_COMPANY} — atelier {n}",
                f"{UNBROKEN}_{n}",
                f"Atelier et chantier d'insertion n° {n}",
            ][n % 3],
            kind=Company.Kind.ACI if n % 2 else Company.Kind.EI,
            commune="Téteghem-Coudekerque-Village",
            address="1234 avenue de l'Université du Littoral Côte d'Opale, bâtiment B, escalier 3",
            description=f"{LONG_WORD}. "
            + "Entretien d'espaces verts, nettoyage de locaux, second œuvre. " * 6,
            phone="03 28 11 22 33",
            email=f"contact-{n}-direction-insertion@atelier-chantier-insertion-littoral.example.org",
            website="https://www.atelier-chantier-insertion-littoral-dunkerquois.example.org/structures",
        )
        structure.sectors.set(sectors[: 1 + n % 3])
        ContactFactory(company=structure, name="Karima Haddad-Vandenbussche", role="Chargée d'insertion")
    response = client_for(READER).get(reverse("partnerships:brochure_pdf"))
    assert response.status_code == 200
    assert_clean(
        response.content, pdf_layout.BROCHURE_MARGINS, first_page_margins=pdf_layout.BROCHURE_COVER_MARGINS
    )
    assert len(pdf_layout.read_pages(response.content)) >= 6


def test_club_ess_list_layout(client_for):
    buyer = BuyerFactory(name=LONG_BUYER)
    for n in range(40):
        MarketFactory(
            reference=f"AV-{n}",
            buyer=buyer,
            title=[f"{LONG_WORD} — tranche {n}", UNBROKEN, f"Entretien des espaces verts, lot {n}"][n % 3],
            stage=Stage.STUDY,
            starts_on=None,
            ends_on=None,
            estimated_amount=D("123456789.99"),
            expected_publication=None,
        )
    response = client_for(READER).get(reverse("markets:pipeline_upcoming_pdf"))
    assert response.status_code == 200
    assert_clean(response.content, pdf_layout.UPCOMING_MARGINS)
    assert len(pdf_layout.read_pages(response.content)) >= 2


def test_personal_data_layout(scopes):
    person = HoursEntry.objects.filter(assignment__lot__market__reference="GRD-2025-001").first()
    person = person.assignment.participant
    assert_clean(personal_data.render_pdf(person), pdf_layout.PERSONAL_DATA_MARGINS)


# --- the checker itself finds each defect -----------------------------------------------------------


def _pdf(body):
    from weasyprint import HTML

    style = "@page { size: A4; margin: 20mm; } body { font: 10pt 'DejaVu Sans'; margin: 0; }"
    return HTML(string=f"<html><head><style>{style}</style></head><body>{body}</body></html>").write_pdf()


MARGINS = (20, 20, 20, 20)


def test_checker_accepts_a_clean_page():
    assert pdf_layout.problems(_pdf("<p>1 234 567,89 h réalisées sur la période.</p>"), MARGINS) == []


@pytest.mark.parametrize(
    "body, message",
    [
        (
            '<table style="table-layout: fixed; width: 60mm"><tr>'
            '<td style="width: 10mm; white-space: nowrap">Heures dues</td>'
            '<td style="width: 50mm">Sur la période</td></tr></table>',
            "se chevauchent",
        ),
        ('<p style="white-space: nowrap">' + "Dépassement de la marge droite " * 4 + "</p>", "marge droite"),
        (
            '<table style="table-layout: fixed; width: 40mm; border-collapse: collapse"><tr>'
            '<td style="width: 20mm; padding: 0; text-align: right; white-space: nowrap">224 887,53</td>'
            '<td style="width: 20mm; padding: 0; white-space: nowrap">65 620,17</td></tr></table>',
            "nombres se touchent",
        ),
        (
            '<svg width="100" height="20" viewBox="0 0 100 20"><text x="40" y="15">31 446,50 h</text></svg>',
            "n'est pas visible",
        ),
        ('<p style="width: 12mm">1 234 567,89 h</p>', "séparée de son nombre"),
        (
            '<div style="height: 249mm"></div><p style="margin: 0">Méthode</p>'
            '<p style="margin: 0">Heures comptées<br>Heures dues<br>Lots retenus</p>',
            "seul en bas de page",
        ),
    ],
    ids=["overlap", "outside", "merged", "clipped", "unit-cut", "lonely-heading"],
)
def test_checker_finds(body, message):
    found = pdf_layout.problems(_pdf(body), MARGINS, headings=pdf_layout.BILAN_HEADINGS)
    assert any(message in problem for problem in found), found
