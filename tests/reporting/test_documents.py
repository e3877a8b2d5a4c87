"""The bilan as PDF (text extracted with pdftotext), xlsx (read back with openpyxl) and JSON; the
small-numbers rule; no personal data anywhere."""

import datetime
import io
import json
import subprocess

import pytest
from openpyxl import load_workbook

from reporting import bilan, indicators
from tests.reporting.dataset import END, START

pytestmark = pytest.mark.django_db


def pdf_text(data, tmp_path, layout=False):
    path = tmp_path / "bilan.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(args, check=True, capture_output=True).stdout.decode()
    return text.replace("\xa0", " ").replace("\u202f", " ")


PERSONAL = [
    "Dupont",
    "Élodie",
    "Benali",
    "Karim",
    "Lefebvre",
    "Haddad",
    "Vandamme",
    "Deschamps",
    "Zoé",
    "10/05/2000",
]


def test_pdf_text(bilan_data, tmp_path):
    figures = indicators.for_buyer(bilan_data.cud, START, END)
    data = bilan.render_pdf(
        figures, commentary="Bon semestre : le lot 1 avance.", facilitator="Claire Vandenbussche"
    )
    text = pdf_text(data, tmp_path)
    flat = " ".join(text.split())
    assert "Communauté Urbaine de Dunkerque" in flat
    assert "Période du 01/01/2025 au 30/06/2025" in flat
    assert "462,42 h" in flat  # hours done in the period
    assert "1 033,33 h" in flat  # hours owed, with the French thousands separator
    assert "502,42 h" in flat  # done to date
    assert "48,6 %" in flat  # completion rate
    assert "Claire Vandenbussche" in flat and "Bon semestre : le lot 1 avance." in flat
    assert "PLIE du Dunkerquois — Entreprendre Ensemble, équipe clauses" in flat
    pages = data.count(b"/Type /Page\n") or text.count("\f")
    assert f"page 1 / {pages}" in flat and f"page {pages} / {pages}" in flat
    assert "< 3" in flat  # 5 people: cells of 1 or 2 are masked
    for word in PERSONAL:
        assert word not in text, word
    for title in (
        "L'essentiel",
        "Lots et entreprises",
        "Heures réalisées par mois",
        "Heures par modalité",
        "Personnes par sexe",
        "Personnes par âge",
        "Personnes par niveau de qualification",
        "Personnes par critère d'éligibilité",
        "Contrats par type",
        "Sorties en fin de contrat",
        "Sorties à 6 mois",
        "Méthode",
        "Commentaire de la facilitatrice",
    ):
        assert title in flat, title


def test_pdf_of_a_scope_of_ten_people_or_more_is_exact(db, tmp_path):
    from tests.hours.factories import AssignmentFactory, HoursEntryFactory
    from tests.markets.factories import ClauseFactory

    lot = ClauseFactory(lot__market__reference="GROS-10").lot
    for i in range(10):
        a = AssignmentFactory(lot=lot, participant__sex="H" if i else "F", participant__qpv=i < 2)
        HoursEntryFactory(assignment=a, month=datetime.date(2025, 3, 1), hours=617 if i == 0 else 10)
        if i == 0:
            HoursEntryFactory(assignment=a, month=datetime.date(2025, 4, 1), hours=617)
    text = pdf_text(bilan.render_pdf(indicators.for_market(lot.market, START, END)), tmp_path)
    flat = " ".join(text.split())
    assert flat.count("< 3") == 1  # only in the method's note: every cell is exact
    assert "Femmes 1" in flat and "Hommes 9" in flat
    assert "1 324,00 h" in flat  # 2 × 617 + 9 × 10


def test_xlsx(bilan_data):
    figures = indicators.for_buyer(bilan_data.cud, START, END)
    book = load_workbook(io.BytesIO(bilan.render_xlsx(figures, commentary="Note")))
    assert book.sheetnames == [
        "Synthèse",
        "Lots",
        "Entreprises",
        "Heures par mois",
        "Modalités",
        "Sexe",
        "Âge",
        "Niveau",
        "Critères",
        "Communes",
        "Prescripteurs",
        "Types de contrat",
        "Sorties",
    ]
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(min_row=2, values_only=True)}
    assert summary["Périmètre"] == "Communauté Urbaine de Dunkerque"
    assert summary["Heures dues (lots du périmètre)"] == pytest.approx(1033.33)
    assert summary["Heures réalisées sur la période"] == pytest.approx(462.42)
    assert summary["Taux de réalisation"] == pytest.approx(0.4862)
    assert summary["Personnes"] == 5 and summary["Commentaire"] == "Note"
    lots = list(book["Lots"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[8], r[9], r[10]) for r in lots] == [
        ("CUD-2024-009", "2", 0, 10, 10),
        ("CUD-2025-001", "1", 833.33, 387.42, 387.42),
        ("CUD-2025-001", "2", 200, 65, 105),
    ]
    companies = [(r[0], r[3], r[4]) for r in book["Entreprises"].iter_rows(min_row=2, values_only=True)]
    assert companies == [
        ("Bâti Nord SAS", 733.33, 282.17),
        ("Couleurs Littoral", 200, 65),
        ("Flandre Sous-Traitance", 100, 115.25),
    ]
    sexes = list(book["Sexe"].iter_rows(min_row=2, values_only=True))
    assert sexes == [("Femmes", 3), ("Hommes", 2)]  # exact without --anonymise-small
    months = list(book["Heures par mois"].iter_rows(min_row=2, values_only=True))
    assert months[0] == (datetime.datetime(2025, 1, 1), 216.67) and len(months) == 6
    masked = load_workbook(io.BytesIO(bilan.render_xlsx(figures, anonymise_small=True)))
    assert list(masked["Sexe"].iter_rows(min_row=2, values_only=True)) == [("Femmes", 3), ("Hommes", "< 3")]


def test_json_file_is_to_json(bilan_data):
    figures = indicators.for_territory(START, END)
    assert json.loads(bilan.render_json(figures)) == indicators.to_json(figures)
    assert json.loads(bilan.render_json(figures, anonymise_small=True)) == indicators.to_json(figures, True)


def test_no_personal_data_in_any_format(bilan_data, tmp_path):
    for scope, obj in (("buyer", bilan_data.cud), ("company", bilan_data.bati), ("territory", None)):
        figures = indicators.for_scope(scope, obj, START, END)
        texts = [
            pdf_text(bilan.render_pdf(figures), tmp_path),
            bilan.render_json(figures).decode(),
        ]
        book = load_workbook(io.BytesIO(bilan.render_xlsx(figures)))
        texts.append(" ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row))
        for text in texts:
            for word in PERSONAL:
                assert word not in text, (scope, word)


def test_filename(bilan_data):
    figures = indicators.for_buyer(bilan_data.cud, START, END)
    assert bilan.filename(figures, "pdf") == "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf"
    assert bilan.filename(figures, "xlsx", 3).endswith("-2025-06-30-v3.xlsx")
