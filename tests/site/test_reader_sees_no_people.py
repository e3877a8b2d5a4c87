"""The read-only role (Lecteur) never sees a person's database id nor the team's free text (issue 11,
part 6). « Personne n°494 » on the lot page told which person had arrived and linked the same person
across lots; journal reports and notes may name people.

People are given ids no other number on the pages can be mistaken for (987654, 987655)."""

import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import FACILITATOR, READER
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import JournalEntryFactory

IDS = ("987654", "987655")
PERSON_LINK = re.compile(r"/participants/\d+")


@pytest.fixture
def worked(db):
    buyer = BuyerFactory(name="Ville de Gravelines", notes="Mme Durand (RQTH) à placer en priorité")
    market = MarketFactory(buyer=buyer, reference="GRV-2025-001", notes="Suivi de Karim Benali, en arrêt")
    lot1, lot2 = LotFactory(market=market, number="1"), LotFactory(market=market, number="2")
    for lot in (lot1, lot2):
        ClauseFactory(lot=lot)
    company = CompanyFactory(name="Béton Côte d'Opale")
    anne = ParticipantFactory(pk=int(IDS[0]), last_name="Durand", first_name="Anne")
    karim = ParticipantFactory(pk=int(IDS[1]), last_name="Benali", first_name="Karim")
    plan = [
        (anne, lot1, datetime.date(2025, 1, 6)),
        (karim, lot1, datetime.date(2025, 2, 3)),
        (anne, lot1, datetime.date(2025, 4, 1)),  # a second contract of the same person on lot 1
        (karim, lot2, datetime.date(2025, 3, 3)),  # Karim alone on lot 2
    ]
    for person, lot, starts_on in plan:
        a = AssignmentFactory(participant=person, lot=lot, company=company, starts_on=starts_on)
        HoursEntryFactory(assignment=a, month=starts_on.replace(day=1), hours=Decimal(20))
    entry = JournalEntryFactory(
        subject="Point sur Mme Durand",
        people_met="M. Lefort, conducteur de travaux",
        notes="Karim Benali absent depuis lundi, raison de santé.",
        markets=[market],
        companies=[company],
    )
    entry.buyers.set([buyer])
    return {"buyer": buyer, "market": market, "lots": (lot1, lot2), "company": company, "entry": entry}


def html_of(response):
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def assert_no_person_id(text, where):
    for pk in IDS:
        assert pk not in text, (where, pk)
    assert not PERSON_LINK.search(text), where
    assert "n°" not in text.replace("SIRET n°", ""), where


def test_lot_page_pseudonyms_per_page(client_for, worked):
    lot1, lot2 = worked["lots"]
    reader = client_for(READER)
    page1 = html_of(reader.get(reverse("markets:lot_detail", args=[lot1.pk])))
    assert_no_person_id(page1, "lot 1")
    assert "Durand" not in page1 and "Benali" not in page1
    # Numbered on the page by arrival: Anne (06/01) is 1 on both of her rows, Karim 2.
    rows = re.findall(r"<td>(Personne \d+)</td>", page1)
    assert rows == ["Personne 1", "Personne 2", "Personne 1"]  # newest contract first
    page2 = html_of(reader.get(reverse("markets:lot_detail", args=[lot2.pk])))
    assert re.findall(r"<td>(Personne \d+)</td>", page2) == ["Personne 1"]  # Karim: not linkable to lot 1
    facilitator = html_of(client_for(FACILITATOR).get(reverse("markets:lot_detail", args=[lot1.pk])))
    assert f"/participants/{IDS[0]}/" in facilitator and "DURAND Anne" in facilitator


def test_no_person_id_on_any_page_or_export_the_reader_sees(client_for, worked):
    reader = client_for(READER)
    pages = {
        "market": reverse("markets:market_detail", args=[worked["market"].pk]),
        "buyer": reverse("markets:buyer_detail", args=[worked["buyer"].pk]),
        "company": reverse("companies:company_detail", args=[worked["company"].pk]),
        "lots": reverse("markets:lot_list"),
        "markets": reverse("markets:market_list"),
        "companies": reverse("companies:company_list"),
        "journal": reverse("partnerships:journal_list"),
        "journal entry": reverse("partnerships:journal_detail", args=[worked["entry"].pk]),
        "search": reverse("search") + "?q=Durand",
        "bilan": reverse("reporting:bilan_form") + f"?scope=market&market={worked['market'].pk}"
        "&start=2025-01-01&end=2025-06-30",
    }
    for where, url in pages.items():
        response = reader.get(url)
        if where == "bilan":
            assert response.status_code == 403  # 2 people: for editors only
        assert_no_person_id(response.content.decode(), where)
    for where in ("lots", "markets", "companies", "journal"):
        response = reader.get(pages[where] + "?export=xlsx")
        assert response.status_code == 200
        cells = " ".join(
            str(v)
            for sheet in load_workbook(io.BytesIO(response.content))
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
        assert_no_person_id(cells, where + " export")
    assert reader.get(reverse("autocomplete", args=["participant"]) + "?q=Dur").status_code == 403


FREE_TEXT = (
    "Point sur Mme Durand",
    "M. Lefort",
    "Karim Benali absent",
    "Mme Durand (RQTH)",
    "Suivi de Karim Benali",
)


def test_reader_sees_date_kind_and_organisations_of_a_journal_entry_not_its_text(client_for, worked):
    entry = worked["entry"]
    urls = [
        reverse("partnerships:journal_detail", args=[entry.pk]),
        reverse("partnerships:journal_list"),
        reverse("markets:market_detail", args=[worked["market"].pk]),
        reverse("markets:buyer_detail", args=[worked["buyer"].pk]),
        reverse("companies:company_detail", args=[worked["company"].pk]),
    ]
    reader, facilitator = client_for(READER), client_for(FACILITATOR)
    detail = html_of(reader.get(urls[0]))
    assert "Réunion de lancement de chantier du 10/03/2025" in detail  # kind and date
    assert "GRV-2025-001" in detail and "Béton Côte d'Opale" in detail and "Ville de Gravelines" in detail
    assert "réservés à l'équipe" in detail
    for url in urls:
        text = html_of(reader.get(url))
        for words in FREE_TEXT:
            assert words not in text, (url, words)
    facilitator_detail = html_of(facilitator.get(urls[0]))
    assert "Point sur Mme Durand" in facilitator_detail and "Karim Benali absent" in facilitator_detail
    assert "M. Lefort" in facilitator_detail
    assert "Suivi de Karim Benali" in html_of(facilitator.get(urls[2]))
    # Export and search: the text is neither exported nor searchable by the reader.
    exported = load_workbook(io.BytesIO(reader.get(urls[1] + "?export=xlsx").content)).active
    headers = [c.value for c in next(exported.iter_rows(max_row=1))]
    assert "Compte rendu" not in headers and "Objet" not in headers and "Date" in headers
    assert not any("Durand" in str(v) for row in exported.iter_rows(values_only=True) for v in row)
    other = JournalEntryFactory(subject="Club ESS de mars")
    listed = reader.get(urls[1] + "?q=Durand").context["table"].data.data
    assert set(listed) == {entry, other}  # the search box is not offered to the reader: no probing
    editors = facilitator.get(urls[1] + "?q=Durand").context["table"].data.data
    assert list(editors) == [entry]
    full = load_workbook(io.BytesIO(facilitator.get(urls[1] + "?export=xlsx").content)).active
    assert "Compte rendu" in [c.value for c in next(full.iter_rows(max_row=1))]


def test_every_page_the_reader_may_open_is_free_of_person_ids(client_for, worked):
    """Every URL of the access matrix the reader gets (200), with the worked lot's people in the
    database: no participant id, no link to a participant (lists, dashboards, home page, exports…)."""
    from tests.access_matrix import MATRIX, URL_KWARGS

    reader = client_for(READER)
    opened = 0
    for url_name, expected in MATRIX.items():
        if expected[READER] != 200:
            continue
        kwargs = URL_KWARGS[url_name]() if url_name in URL_KWARGS else {}
        response = reader.get(reverse(url_name, kwargs=kwargs))
        if response.status_code != 200 or response.get("Content-Type", "").startswith("application/pdf"):
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type", "").startswith("text/"):
            assert_no_person_id(unescape(content.decode()), url_name)
        else:
            for pk in IDS:
                assert pk.encode() not in content, (url_name, pk)
        opened += 1
    assert opened >= 30
