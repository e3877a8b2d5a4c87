"""No inference of health data from a bilan (issue 11, part 6; reporting/masking.py).

The reader compared two previews of one market a month apart (19 then 20 people, nothing masked) and
read AAH 0 → 1. Now: the sensitive criteria (RQTH, AAH, Réfugié) and the outcome « Santé » of 0 to 4
people read "< 5" in every output whatever the scope's size, the other figures stay exact, and a bilan
of fewer than 10 people is for the team's editors only.

Hand-built market: one lot, people with 10 h validated in 03/2025 each; period 01/01 → 30/06/2025.
"""

import datetime
import io
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from participants.models import Outcome, Participant
from reporting import bilan, indicators, masking
from reporting.models import Bilan
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.reporting.test_documents import pdf_text

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)
PERIOD = {"start": "2025-01-01", "end": "2025-06-30"}


class Market:
    """A market whose one lot employs people added one by one."""

    def __init__(self):
        self.market = MarketFactory(reference="SANTE-2025-001", title="Voirie")
        self.lot = LotFactory(market=self.market, number="1")
        ClauseFactory(lot=self.lot)
        self.company = CompanyFactory(name="Routes du Nord")

    def add(self, criteria=("DELD",), sex=Participant.Sex.FEMALE, outcome=None):
        person = ParticipantFactory(criteria=list(criteria), sex=sex)
        assignment = AssignmentFactory(participant=person, lot=self.lot, company=self.company)
        HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 3, 1), hours=Decimal(10))
        if outcome:
            OutcomeFactory(participant=person, kind=outcome, date=datetime.date(2025, 5, 31))
        return person

    def figures(self):
        return indicators.for_market(self.market, START, END)


def preview(client, market):
    params = {"scope": "market", "market": market.market.pk, **PERIOD}
    return client.get(reverse("reporting:bilan_form"), params)


def criteria_rows(response):
    return dict(response.context["charts"]["criteria"].rows)


@pytest.fixture
def ten_people(db):
    """10 people: 2 AAH (women), 8 DELD (4 women, 4 men)."""
    m = Market()
    for _ in range(2):
        m.add(criteria=["AAH"])
    for i in range(8):
        m.add(sex=Participant.Sex.FEMALE if i < 4 else Participant.Sex.MALE)
    return m


def test_reader_preview_a_month_apart_does_not_tell_who_arrived(client, reader, ten_people):
    """2 then 3 AAH people in a market of 10 then 11: both previews read "< 5"; non-sensitive figures
    stay exact."""
    client.force_login(reader)
    before = preview(client, ten_people)
    assert before.status_code == 200
    assert criteria_rows(before)["AAH"] == "< 5"
    ten_people.add(criteria=["AAH"], sex=Participant.Sex.MALE)  # the 11th person, a month later
    after = preview(client, ten_people)
    assert after.status_code == 200
    assert ten_people.figures().by_criterion["AAH"] == 3  # the exact figure, never printed
    # RQTH and Réfugié are listed with nobody under them (a 0 → 1 change would show otherwise) …
    expected = {"DELD": "8", "AAH": "< 5", "RQTH": "< 5", "Réfugié": "< 5"}
    assert criteria_rows(after) == criteria_rows(before) == expected
    # … while the non-sensitive breakdowns are exact: people 10 → 11, men 4 → 5.
    assert (before.context["f"].people, after.context["f"].people) == (10, 11)
    assert (before.context["f"].by_sex, after.context["f"].by_sex) == ({"F": 6, "H": 4}, {"F": 6, "H": 5})
    html = unescape(after.content.decode())
    assert '<th scope="row">AAH</th><td class="num">< 5</td>' in html
    assert "sont notés « < 5 »" in html  # the method says so


def test_every_output_masks_sensitive_cells(ten_people, tmp_path):
    ten_people.add(criteria=["AAH"])
    figures = ten_people.figures()
    for anonymise in (False, True):
        data = json.loads(bilan.render_json(figures, anonymise_small=anonymise))
        assert data["by_criterion"]["AAH"] == "< 5" and data["by_criterion"]["RQTH"] == "< 5"
        assert data["by_criterion"]["Réfugié"] == "< 5"
        assert data["by_criterion"]["DELD"] == 8 and data["people"] == 11
        sheet = load_workbook(io.BytesIO(bilan.render_xlsx(figures, anonymise_small=anonymise)))["Critères"]
        rows = dict(sheet.iter_rows(min_row=2, values_only=True))
        assert (rows["AAH"], rows["RQTH"], rows["DELD"]) == ("< 5", "< 5", 8)
    text = pdf_text(bilan.render_pdf(figures), tmp_path)
    for code in ("AAH", "RQTH", "Réfugié"):
        assert re.search(rf"\n{code}\s+<\s?5\n", text), code
    assert re.search(r"\nDELD\s+8\n", text) and not re.search(r"\nAAH\s+3\n", text)


def test_sensitive_cells_of_5_or_more_are_exact(ten_people):
    for _ in range(3):
        ten_people.add(criteria=["AAH", "RQTH"])
    data = indicators.to_json(ten_people.figures())
    assert (data["by_criterion"]["AAH"], data["by_criterion"]["RQTH"]) == (5, "< 5")


def test_health_outcome_and_its_complement_are_masked(ten_people):
    """« Santé » 1 would be recovered as (people with an outcome) − (the other cells): the smallest other
    non-positive cell is masked with it; positive outcomes and the totals stay exact."""
    ten_people.add(outcome=Outcome.Kind.HEALTH)
    for _ in range(2):
        ten_people.add(outcome=Outcome.Kind.ABANDON)
    for _ in range(3):
        ten_people.add(outcome=Outcome.Kind.CDI)
    raw = ten_people.figures()
    assert raw.outcomes_at_end["Santé"] == 1 and raw.people_with_outcome_at_end == 6
    shown = raw.masked()  # 16 people: only the sensitive rule applies
    assert shown.outcomes_at_end["Santé"] == "< 5"
    assert shown.outcomes_at_end["Inconnue"] == "< 5"  # the complement (0, the smallest, "Inconnue" first)
    assert shown.outcomes_at_end["Abandon"] == 2 and shown.outcomes_at_end["CDI"] == 3
    assert (shown.people_with_outcome_at_end, shown.positive_at_end) == (6, 3)
    numbers = [n for n in shown.outcomes_at_end.values() if not isinstance(n, str)]
    assert shown.people_with_outcome_at_end - sum(numbers) == 1  # Santé + Inconnue: not Santé alone


def test_complement_of_5_or_more_reads_at_least_5():
    outcomes = dict.fromkeys(Outcome.Kind.labels, 0)
    outcomes.update({"Santé": 2, "Recherche d'emploi": 7, "CDI": 4})
    for label in ("CDD de moins de 6 mois", "Intérim de moins de 6 mois", "Contrat aidé", "Parcours IAE"):
        outcomes[label] = 6
    for label in ("Abandon", "Déménagement", "Inconnue"):
        outcomes[label] = 5
    shown = masking._outcomes(outcomes)
    assert shown["Santé"] == "< 5" and shown["Inconnue"] == "≥ 5"  # smallest (5), "Inconnue" first on ties
    assert (shown["Abandon"], shown["CDI"], shown["Recherche d'emploi"]) == (5, 4, 7)


@pytest.fixture
def nine_people(db):
    m = Market()
    for _ in range(9):
        m.add()
    return m


def test_scope_of_9_people_is_for_editors_only(client, reader, facilitator, nine_people):
    client.force_login(reader)
    refused = preview(client, nine_people)
    assert refused.status_code == 403
    html = unescape(refused.content.decode())
    assert "Ce bilan compte moins de 10 personnes" in html and "responsable et facilitatrices" in html
    assert "Routes du Nord" not in html and "f" not in refused.context  # no figure of the scope
    client.force_login(facilitator)
    allowed = preview(client, nine_people)
    assert allowed.status_code == 200 and allowed.context["f"].people == 9
    post = {"scope": "market", "market": nine_people.market.pk, **PERIOD, "format": "xlsx", "commentary": ""}
    client.post(reverse("reporting:bilan_generate"), post)
    archived = Bilan.objects.get()
    assert archived.people == 9
    download = reverse("reporting:bilan_download", args=[archived.pk])
    assert client.get(download).status_code == 200
    client.force_login(reader)
    response = client.get(download)
    assert response.status_code == 403
    assert "Ce bilan compte moins de 10 personnes" in unescape(response.content.decode())
    listing = unescape(client.get(reverse("reporting:bilan_archive")).content.decode())
    assert "Réservé à l'équipe" in listing and download not in listing


def test_reader_may_download_a_bilan_of_10_people(client, reader, facilitator, ten_people):
    client.force_login(facilitator)
    post = {"scope": "market", "market": ten_people.market.pk, **PERIOD, "format": "json", "commentary": ""}
    client.post(reverse("reporting:bilan_generate"), post)
    archived = Bilan.objects.get()
    client.force_login(reader)
    response = client.get(reverse("reporting:bilan_download", args=[archived.pk]))
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["by_criterion"]["AAH"] == "< 5"


def test_bilans_archived_before_the_rule_are_for_editors_only(client, reader, ten_people):
    archived = Bilan.archive(
        kind="market",
        obj=ten_people.market,
        scope_name="SANTE-2025-001",
        start=START,
        end=END,
        fmt="json",
        data=b"{}\n",
        filename="bilan-ancien.json",
    )
    assert archived.people is None
    client.force_login(reader)
    response = client.get(reverse("reporting:bilan_download", args=[archived.pk]))
    assert response.status_code == 403
    assert "archivé avant le masquage des chiffres sensibles" in unescape(response.content.decode())
