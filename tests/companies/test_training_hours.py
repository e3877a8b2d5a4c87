"""A company's hours done and its training (issue 12, item 1): « Heures réalisées » is the one figure of
hours/queries.py (worked hours, plus training where the clause counts it); « dont formation » is the
training inside it, never more than it; training recorded on a clause that does not count it is shown
apart, « formation non comptée », and is in no total. The same hours done on the company page, its
list column and export, and its bilan."""

import datetime
import io
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import FACILITATOR
from companies.models import Company
from hours.models import Modality
from hours.queries import TRAINING_SPLIT, companies_with_hours
from reporting import indicators
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 1)


def company_on(name, training_counts, hours, training, modality=Modality.DIRECT_HIRE):
    clause = ClauseFactory(stated=True, training_counts=training_counts)
    company = CompanyFactory(name=name)
    AwardFactory(lot=clause.lot, company=company)
    assignment = AssignmentFactory(lot=clause.lot, company=company, modality=modality)
    HoursEntryFactory(assignment=assignment, month=MARCH, hours=D(hours), training_hours=D(training))
    return company


@pytest.fixture
def companies():
    return {
        # 100 h worked + 20 h training on a clause that counts training → 120 h, of which 20 h training.
        "counted": company_on("Bâti Nord", True, 100, 20),
        # The same hours on a clause that does not count training → 100 h; 20 h of training apart.
        "not_counted": company_on("Flandre Sols", False, 100, 20),
        # A « Formation » assignment (training only) on a clause that does not count it: 0 h done.
        "training_only": company_on("Réseaux Opale", False, 0, 35, modality=Modality.TRAINING),
        # A « Formation » assignment on a clause that counts it: its hours are training, counted.
        "training_assignment": company_on("Couleurs Littoral", True, 14, 21, modality=Modality.TRAINING),
    }


def card(client, company):
    response = client.get(reverse("companies:company_detail", args=[company.pk]))
    assert response.status_code == 200
    html = unescape(response.content.decode()).replace("\xa0", " ")
    return html.split('data-testid="heures-realisees"', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize(
    "key,done,of_which,apart",
    [
        ("counted", "120,00", "20,00", None),
        ("not_counted", "100,00", "0,00", "20,00"),
        ("training_only", "0,00", "0,00", "35,00"),
        ("training_assignment", "35,00", "35,00", None),
    ],
)
def test_company_page_training_is_part_of_the_hours_done(client_for, companies, key, done, of_which, apart):
    text = card(client_for(FACILITATOR), companies[key])
    assert f">{done} h</p>" in text
    assert f"dont formation : {of_which} h" in text
    if apart is None:
        assert "non comptée" not in text
    else:
        assert f"formation non comptée : {apart} h" in text


def test_the_training_split_adds_up(companies):
    rows = companies_with_hours(Company.objects.order_by("name"), figures=("hours_done", *TRAINING_SPLIT))
    assert [(c.name, c.hours_done, c.training_counted, c.training_not_counted) for c in rows] == [
        ("Bâti Nord", D(120), D(20), D(0)),
        ("Couleurs Littoral", D(35), D(35), D(0)),
        ("Flandre Sols", D(100), D(0), D(20)),
        ("Réseaux Opale", D(0), D(0), D(35)),
    ]


def test_list_column_and_export_show_the_same_hours_done(client_for, companies):
    client = client_for(FACILITATOR)
    url = reverse("companies:company_list")
    response = client.get(url, {"sort": "name"})
    table = {c.name: c.hours_done for c in response.context["table"].data}
    assert table == {
        "Bâti Nord": D(120),
        "Couleurs Littoral": D(35),
        "Flandre Sols": D(100),
        "Réseaux Opale": D(0),
    }
    html = unescape(response.content.decode()).replace("\xa0", " ")
    assert "120,00" in html and "100,00" in html
    export = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Heures réalisées")
    by_name = {row[0]: row[column] for row in rows[1:]}
    assert by_name == {"Bâti Nord": 120, "Couleurs Littoral": 35, "Flandre Sols": 100, "Réseaux Opale": 0}


@pytest.mark.parametrize(
    "key,done", [("counted", "120.00"), ("not_counted", "100.00"), ("training_only", "0.00")]
)
def test_company_bilan_counts_the_same_hours_done(companies, key, done):
    figures = indicators.for_company(companies[key], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert str(figures.hours_done) == done
    assert str(figures.companies[0].hours_done) == done


def test_period_totals_split_the_training_for_the_bilans(companies):
    from hours.queries import counted_entries, period_totals

    found = {
        key: period_totals(counted_entries().filter(assignment__company=company), datetime.date(2025, 1, 1))
        for key, company in companies.items()
    }
    assert {
        k: (v["hours_done"], v["training_counted"], v["training_not_counted"]) for k, v in found.items()
    } == {
        "counted": (D(120), D(20), D(0)),
        "not_counted": (D(100), D(0), D(20)),
        "training_only": (D(0), D(0), D(35)),
        "training_assignment": (D(35), D(35), D(0)),
    }
