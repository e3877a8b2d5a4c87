"""The ESS/SIAE directory and its brochure: which structures, the filters, the xlsx, and the PDF's text read
back with pdftotext (cover, table of contents with page numbers, sector headings, one card per
structure)."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import READER
from companies.models import Company
from partnerships import directory
from tests.companies.factories import CompanyFactory, ContactFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def structures():
    """Four structures of the directory in three sectors (one in two), one without sector; an ordinary
    company and an archived EI stay out."""
    cleaning = SectorFactory(name="Nettoyage")
    green = SectorFactory(name="Espaces verts")
    building = SectorFactory(name="Bâtiment gros œuvre")
    ei = CompanyFactory(
        name="Net Emploi",
        kind=Company.Kind.EI,
        commune="Dunkerque",
        description="Nettoyage de bureaux et de parties communes.",
        phone="03 28 11 22 33",
    )
    ei.sectors.set([cleaning])
    ContactFactory(company=ei, name="Karima Haddad", role="Chargée d'insertion", phone="06 12 34 56 78")
    aci = CompanyFactory(name="Jardins du Littoral", kind=Company.Kind.ACI, commune="Grande-Synthe")
    aci.sectors.set([green, cleaning])
    geiq = CompanyFactory(name="GEIQ BTP Flandre", kind=Company.Kind.GEIQ, commune="Dunkerque")
    geiq.sectors.set([building])
    CompanyFactory(name="Scop Horizon", kind=Company.Kind.ORDINARY, ess_member=True, commune="Gravelines")
    CompanyFactory(name="Bâti Nord", kind=Company.Kind.ORDINARY).sectors.set([building])
    CompanyFactory(name="EI Fermée", kind=Company.Kind.EI, archived=True)
    return {"cleaning": cleaning, "green": green, "building": building}


def listed(response):
    return [c.name for c in response.context["table"].data]


def test_the_directory_lists_insertion_and_ess_structures(client_for, structures):
    client = client_for(READER)
    url = reverse("partnerships:directory")
    # In the companies' order: by name, legal forms ignored (« Scop Horizon » is « Horizon »).
    assert listed(client.get(url)) == [
        "GEIQ BTP Flandre",
        "Scop Horizon",
        "Jardins du Littoral",
        "Net Emploi",
    ]
    assert listed(client.get(url, {"kind": "ACI"})) == ["Jardins du Littoral"]
    assert listed(client.get(url, {"kind": "ess"})) == ["Scop Horizon"]
    assert listed(client.get(url, {"sector": structures["cleaning"].pk})) == [
        "Jardins du Littoral",
        "Net Emploi",
    ]
    assert listed(client.get(url, {"commune": "Dunkerque"})) == ["GEIQ BTP Flandre", "Net Emploi"]
    text = client.get(url).content.decode()
    assert "Nettoyage de bureaux et de parties communes." in text


def test_the_brochure_groups_one_card_per_structure_by_sector(structures):
    sections = directory.sections(list(directory.structures()))
    assert [(s.title, [c.name for c in s.cards], [c.name for c in s.see_also]) for s in sections] == [
        ("Bâtiment gros œuvre", ["GEIQ BTP Flandre"], []),
        ("Espaces verts", ["Jardins du Littoral"], []),
        ("Nettoyage", ["Net Emploi"], ["Jardins du Littoral"]),
        ("Autres structures", ["Scop Horizon"], []),
    ]


def test_the_brochure_xlsx(client_for, structures):
    response = client_for(READER).get(reverse("partnerships:directory"), {"export": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert rows[0][:4] == ("Structure", "Type de structure", "Membre de l'ESS", "Secteurs")
    by_name = {row[0]: row for row in rows[1:]}
    assert list(by_name) == ["GEIQ BTP Flandre", "Scop Horizon", "Jardins du Littoral", "Net Emploi"]
    assert by_name["Jardins du Littoral"][3] == "Espaces verts, Nettoyage"
    assert by_name["Scop Horizon"][1] == "Structure de l'ESS"
    assert by_name["Net Emploi"][10] == "Karima Haddad, Chargée d'insertion, 06 12 34 56 78"
    assert by_name["Net Emploi"][11] == "Nettoyage de bureaux et de parties communes."


def pdf_text(content):
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_brochure_pdf(client_for, structures):
    response = client_for(READER).get(reverse("partnerships:brochure_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    pages = text.split("\f")
    cover, toc = pages[0], pages[1]
    assert "Plaquette des structures" in cover and "4 structures présentées" in cover
    assert "Sommaire" in toc
    # The table of contents: each sector and structure with the page its card is on.
    toc_lines = {
        re.sub(r"[ .]+\d+$", "", line.strip()): int(line.split()[-1])
        for line in toc.splitlines()
        if re.search(r"\d+$", line.strip()) and "page" not in line
    }
    assert toc_lines == {
        "Bâtiment gros œuvre": 3,
        "GEIQ BTP Flandre": 3,
        "Espaces verts": 4,
        "Jardins du Littoral": 4,
        "Nettoyage": 5,
        "Net Emploi": 5,
        "Autres structures": 6,
        "Scop Horizon": 6,
    }
    # One sector a page, its heading first, then its cards.
    assert pages[2].split()[0:3] == ["Bâtiment", "gros", "œuvre"] and "GEIQ BTP Flandre" in pages[2]
    assert "Jardins du Littoral" in pages[3] and "ACI — atelier et chantier d'insertion" in pages[3]
    assert "Net Emploi" in pages[4]
    assert "Karima Haddad, Chargée d'insertion — 06 12 34 56 78" in pages[4]
    assert "Voir aussi : Jardins du Littoral (p. 4)" in pages[4]
    assert "Structure de l'ESS" in pages[5] and "Scop Horizon" in pages[5]
    assert "Bâti Nord" not in text and "EI Fermée" not in text
    assert "page 3 / 6" in pages[2]


def test_the_brochure_takes_the_directory_filters(client_for, structures):
    response = client_for(READER).get(reverse("partnerships:brochure_pdf"), {"commune": "Dunkerque"})
    text = pdf_text(response.content)
    assert "Sélection : Commune : Dunkerque" in text
    assert "GEIQ BTP Flandre" in text and "Net Emploi" in text and "Jardins du Littoral" not in text


def test_the_directory_runs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    sectors = [SectorFactory(name=f"Secteur {i}") for i in range(3)]
    for index in range(50):
        company = CompanyFactory(name=f"Structure {index:02d}", kind=Company.Kind.ETTI)
        company.sectors.set(sectors[: 1 + index % 3])
        ContactFactory(company=company)
    client = client_for(READER)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:directory"))
    assert len(response.context["table"].page.object_list) == 50
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:brochure_pdf"))
    assert response.status_code == 200
