"""Every kind of PDF the application prints is tagged for PDF/UA (issue 15, item 6): poppler's pdfinfo
says « Tagged: yes » and gives its title, the catalog names the language (fr), the structure tree holds
headings from H1 without skipped levels and table header cells, and each chart of the bilan is a Figure
whose text alternative gives its figures. The data are small and hand-built (tests/reporting/dataset.py
for the bilan and the personal data, one structure for the brochure, one market for the Club ESS)."""

import contextlib
import datetime
import re
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from clauses_site.roles import READER
from companies.models import Company
from markets.models import Stage
from participants.models import Participant
from partnerships.views_directory import BROCHURE_TITLE
from reporting import bilan, indicators, personal_data
from tests.companies.factories import CompanyFactory, SectorFactory
from tests.markets.factories import BuyerFactory, MarketFactory
from tests.reporting import dataset

pytestmark = pytest.mark.django_db

HEADING = re.compile(rb"/S /H([1-6])\b")
HEADER_CELL = re.compile(rb"/S /TH\b")  # not /THead


def pdfinfo(data, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    output = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    return dict(line.split(":", 1) for line in output.splitlines() if ":" in line)


def inflated(data):
    """The PDF's bytes followed by each of its streams inflated: WeasyPrint packs the catalog and the
    structure tree into compressed object streams, where /Lang, /S /H1 and /Alt are written."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):  # not a Flate stream
            parts.append(zlib.decompressobj().decompress(data[match.end() :]))
    return b"\n".join(parts)


def alternatives(objects):
    """The text alternatives (/Alt) of the tagged figures, decoded (non-ASCII text is UTF-16BE hex)."""
    texts = []
    for raw in re.findall(rb"/Alt (<[0-9a-fA-F]*>|\((?:\\.|[^\\)])*\))", objects):
        if raw.startswith(b"<"):
            text = bytes.fromhex(raw[1:-1].decode()).decode("utf-16")
        else:
            text = raw[1:-1].decode("latin-1")
        texts.append(text.replace("\u202f", " ").replace("\xa0", " "))
    return texts


def assert_accessible(data, tmp_path, title):
    """Tagged, titled, in French, with headings from H1 and no level skipped; returns the inflated
    objects for the checks of each kind."""
    info = pdfinfo(data, tmp_path)
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == title
    objects = inflated(data)
    assert b"/Lang (fr)" in objects, "no /Lang (fr) in the catalog"
    levels = [int(n) for n in HEADING.findall(objects)]
    assert levels and levels[0] == 1, f"headings {levels}: the first must be H1"
    assert sorted(set(levels)) == list(range(1, max(levels) + 1)), f"a heading level is skipped: {levels}"
    return objects


@pytest.fixture
def bilan_data():
    return dataset.build()


def test_the_bilan_is_tagged_with_its_language_title_headings_and_chart_figures(bilan_data, tmp_path):
    figures = indicators.for_buyer(bilan_data.cud, dataset.START, dataset.END)

    data = bilan.render_pdf(figures, generated_on=datetime.date(2025, 7, 3))

    objects = assert_accessible(
        data, tmp_path, "Bilan — Communauté Urbaine de Dunkerque — 01/01/2025 au 30/06/2025"
    )
    assert b"/S /Table" in objects and HEADER_CELL.search(objects)
    alts = alternatives(objects)
    assert objects.count(b"/S /Figure") == len(alts) == 13  # the logo and the 12 charts, each with its text
    assert alts[0] == "Logo de l'équipe"
    assert alts[1] == "Taux de réalisation : 48,6 % des heures dues réalisées."
    months = next(alt for alt in alts if alt.startswith("Heures réalisées par mois"))
    assert "janv. 2025 : " in months and "juin 2025 : " in months  # the figures, not only the chart's name


def test_the_personal_data_export_is_tagged(bilan_data, tmp_path):
    person = Participant.objects.order_by("pk").first()

    data = personal_data.render_pdf(person)

    objects = assert_accessible(data, tmp_path, f"Données personnelles — {person}")
    assert len(HEADER_CELL.findall(objects)) >= 10  # the column headers of its tables


def test_the_ess_brochure_is_tagged(client_for, tmp_path):
    structure = CompanyFactory(name="Jardins du Littoral", kind=Company.Kind.ACI, commune="Grande-Synthe")
    structure.sectors.set([SectorFactory(name="Espaces verts")])

    response = client_for(READER).get(reverse("partnerships:brochure_pdf"))

    assert response.status_code == 200
    assert_accessible(response.content, tmp_path, BROCHURE_TITLE)


def test_the_club_ess_list_is_tagged_with_column_headers(client_for, tmp_path, monkeypatch):
    import markets.views_pipeline as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: datetime.date(2026, 3, 15))
    MarketFactory(
        reference="AV-1",
        buyer=BuyerFactory(name="Ville de Gravelines"),
        title="Entretien des espaces verts",
        stage=Stage.STUDY,
        estimated_amount=Decimal("120000"),
    )

    response = client_for(READER).get(reverse("markets:pipeline_upcoming_pdf"))

    assert response.status_code == 200
    objects = assert_accessible(response.content, tmp_path, "Marchés à venir — 15/03/2026")
    assert len(HEADER_CELL.findall(objects)) == 6  # the six column headers
    assert alternatives(objects) == ["Logo de l'équipe"]
