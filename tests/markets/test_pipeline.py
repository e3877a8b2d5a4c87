"""The pipeline: figures per stage, conversion, calendar, markets to study, the Club ESS list, and moving
a card (plain POST, htmx, roles) — against hand-built markets."""

import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from markets import pipeline
from markets.models import ClauseType, Market, Stage, StageChange
from tests.companies.factories import SectorFactory
from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory, ClauseFactory, LotFactory, MarketFactory

D = Decimal
TODAY = datetime.date(2026, 3, 15)


def market(ref, stage, buyer, **kwargs):
    return MarketFactory(
        reference=ref, title=kwargs.pop("title", f"Marché {ref}"), stage=stage, buyer=buyer,
        starts_on=None, ends_on=None, **kwargs,
    )  # fmt: skip


def moves(m, *steps):
    for stage, day in steps:
        m.move_to(stage, None, on=day)


@pytest.fixture
def data(db):
    cud = BuyerFactory(name="Communauté urbaine de Dunkerque")
    ville = BuyerFactory(name="Ville de Dunkerque")
    nettoyage = SectorFactory(name="Nettoyage")
    claire = UserFactory(username="claire", first_name="Claire", last_name="Vasseur", facilitator=True)
    m = {}
    m["m1"] = market("M1", Stage.SPOTTED, cud, estimated_amount=D(500000), estimated_hours=D(300),
                     expected_publication=datetime.date(2026, 4, 10), sector=nettoyage,
                     planned_clause_type=ClauseType.EXECUTION, facilitator=claire)  # fmt: skip
    m["m9"] = market("M9", Stage.SPOTTED, ville, expected_publication=datetime.date(2026, 2, 28))
    m["m2"] = market("M2", Stage.STUDY, cud, estimated_amount=D(200000),
                     expected_publication=datetime.date(2026, 9, 1))  # fmt: skip
    m["m10"] = market("M10", Stage.STUDY, ville, title="Entretien des espaces verts")
    m["m13"] = market("M13", Stage.STUDY, ville, expected_publication=datetime.date(2026, 8, 31))
    # Proposed, with a lot whose clause states 250 h: the lot's figures win over the estimates.
    m["m3"] = market("M3", Stage.SPOTTED, cud, estimated_hours=D(100), estimated_amount=D(1))
    ClauseFactory(lot=LotFactory(market=m["m3"], amount=D(800000)), stated_hours=D(250))
    m["m4"] = market("M4", Stage.SPOTTED, ville, estimated_amount=D(150000), estimated_hours=D(50),
                     expected_publication=datetime.date(2026, 3, 1))  # fmt: skip
    m["m5"] = market("M5", Stage.SPOTTED, ville, expected_publication=datetime.date(2026, 3, 20))
    m["m6"] = market("M6", Stage.SPOTTED, cud, estimated_hours=D(5000))
    ClauseFactory(lot=LotFactory(market=m["m6"], number="1", amount=D(1000000)))  # 833,33 h
    ClauseFactory(lot=LotFactory(market=m["m6"], number="2", amount=D(1000000)), stated_hours=D(100))
    m["m7"] = market("M7", Stage.SPOTTED, cud, estimated_amount=D(90000))
    m["m11"] = market("M11", Stage.SPOTTED, cud)
    m["m12"] = market("M12", Stage.SPOTTED, ville)
    m["archived"] = market("M8", Stage.SPOTTED, cud, archived=True, estimated_amount=D(1),
                           expected_publication=datetime.date(2026, 4, 1))  # fmt: skip
    d = datetime.date
    moves(m["m3"], (Stage.PROPOSED, d(2026, 1, 10)))  # pending
    moves(m["m4"], (Stage.PROPOSED, d(2026, 1, 5)), (Stage.IN_TENDER_DOCS, d(2026, 2, 1)))  # accepted
    moves(m["m5"], (Stage.PROPOSED, d(2025, 11, 1)), (Stage.IN_TENDER_DOCS, d(2025, 12, 1)),
          (Stage.PUBLISHED, d(2026, 2, 15)))  # fmt: skip  # proposed last year
    moves(m["m6"], (Stage.PROPOSED, d(2026, 1, 2)), (Stage.IN_TENDER_DOCS, d(2026, 1, 2)),
          (Stage.PUBLISHED, d(2026, 1, 20)), (Stage.AWARDED, d(2026, 2, 20)),
          (Stage.EXECUTION, d(2026, 3, 1)))  # fmt: skip  # accepted the same day
    moves(m["m7"], (Stage.PROPOSED, d(2026, 2, 1)), (Stage.DROPPED, d(2026, 2, 20)))  # refused
    moves(m["m11"], (Stage.PROPOSED, d(2026, 1, 1)), (Stage.DROPPED, d(2026, 1, 15)),
          (Stage.PROPOSED, d(2026, 2, 1)), (Stage.IN_TENDER_DOCS, d(2026, 3, 1)))  # fmt: skip  # accepted
    moves(m["m12"], (Stage.IN_TENDER_DOCS, d(2026, 1, 10)), (Stage.PROPOSED, d(2026, 2, 1)))  # pending
    return m


def test_stage_totals(data):
    totals = pipeline.stage_totals()
    assert totals[Stage.SPOTTED] == (2, D(500000), D(300))  # M1, M9 (no figures); not the archived M8
    assert totals[Stage.STUDY] == (3, D(200000), D(0))  # M2, M10, M13
    assert totals[Stage.PROPOSED] == (2, D(800000), D(250))  # M3 (its lot wins), M12
    assert totals[Stage.IN_TENDER_DOCS] == (2, D(150000), D(50))  # M4, M11
    assert totals[Stage.PUBLISHED] == (1, D(0), D(0))  # M5
    assert totals[Stage.EXECUTION] == (1, D(2000000), D("933.33"))  # M6: 833,33 + 100, not 5 000
    assert totals[Stage.DROPPED] == (1, D(90000), D(0))  # M7
    assert Stage.AWARDED not in totals and Stage.FINISHED not in totals


def test_board_columns_and_cards(data):
    board = pipeline.board(cards_per_column=2)
    assert [c.stage for c in board.columns] == Stage.pipeline()
    study = board.columns[1]
    assert (study.count, len(study.cards), study.more) == (3, 2, 1)
    assert board.dropped.count == 1 and board.dropped.cards[0].reference == "M7"
    assert board.count == 11 and board.amount == D(3650000) and board.hours == D("1533.33")
    execution = board.columns[6]
    assert execution.cards[0].pipeline_hours == D("933.33")
    assert execution.cards[0].pipeline_amount == D(2000000)


def test_reached_by_stage(data):
    reached = {r.stage: (r.this_year, r.last_year) for r in pipeline.reached_by_stage(2026)}
    assert reached[Stage.PROPOSED] == (6, 1)  # M3 M4 M6 M7 M11 (twice: once) M12 ; M5 in 2025
    assert reached[Stage.IN_TENDER_DOCS] == (4, 1)  # M4 M6 M11 M12 ; M5 in 2025
    assert reached[Stage.PUBLISHED] == (2, 0)
    assert reached[Stage.AWARDED] == (1, 0)
    assert reached[Stage.EXECUTION] == (1, 0)
    assert reached[Stage.DROPPED] == (2, 0)
    assert reached[Stage.SPOTTED] == (0, 0)


def test_proposals_accepted_refused_pending(data):
    figures = pipeline.proposals(2026)
    # Accepted: M4, M6 (same day), M11 (dropped then proposed again and accepted);
    # refused: M7; pending: M3, and M12 (its DCE came before the proposal).
    assert (figures.proposed, figures.accepted, figures.refused, figures.pending) == (6, 3, 1, 2)
    assert figures.rate == D("0.5")
    assert pipeline.proposals(2025).proposed == 1 and pipeline.proposals(2025).accepted == 1
    assert pipeline.proposals(2024).rate is None


def test_publication_calendar_covers_six_months(data):
    calendar = pipeline.publication_calendar(today=TODAY)
    assert [c.month for c in calendar] == [datetime.date(2026, m, 1) for m in range(3, 9)]
    listed = {c.month.month: [m.reference for m in c.markets] for c in calendar}
    # M4 (1 March, this month) ; M1 ; M13 on 31 August (last day in) ; not M2 (1 September), not M9
    # (February), not M5 (published), not the archived M8.
    assert listed == {3: ["M4"], 4: ["M1"], 5: [], 6: [], 7: [], 8: ["M13"]}
    assert calendar[0].hours == D(50)


def test_upcoming_for_the_club_ess(data):
    refs = [m.reference for m in pipeline.upcoming(today=TODAY)]
    # Dated first by date, then undated by buyer (CUD before Ville) and title.
    assert refs == ["M4", "M1", "M13", "M2", "M11", "M3", "M10", "M12"]


def test_to_study_by_buyer(data):
    assert [(m.buyer.name[:5], m.reference) for m in pipeline.to_study()] == [
        ("Commu", "M1"), ("Commu", "M2"), ("Ville", "M9"), ("Ville", "M13"), ("Ville", "M10"),
    ]  # fmt: skip


# --- pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def many_markets(data):
    buyer = BuyerFactory(name="Flandre Opale Habitat")
    claire = data["m1"].facilitator
    for i in range(120):
        m = market(f"X{i:02d}", Stage.pipeline()[i % 8], buyer, estimated_amount=D(1000 * i),
                   expected_publication=datetime.date(2026, 3 + i % 6, 1), facilitator=claire)  # fmt: skip
        ClauseFactory(lot=LotFactory(market=m, number="1"))


def test_pipeline_page_constant_queries(client, facilitator, many_markets, django_assert_max_num_queries):
    client.force_login(facilitator)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("markets:pipeline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="card"') == 8 * pipeline.CARDS_PER_COLUMN + 1  # + the dropped M7
    assert 'data-testid="count-etude"' in html
    assert "Claire Vasseur" in html  # the facilitator on the cards


def test_reader_sees_the_board_read_only_and_no_names(client, reader, data):
    client.force_login(reader)
    html = client.get(reverse("markets:pipeline")).content.decode()
    assert 'data-testid="card"' in html
    assert "pipeline_move" not in html and "/etape/" not in html and "<form" not in html.split("<main")[1]
    assert "Claire" not in html.split("<main")[1]


def test_move_a_card_plain_post(client, facilitator, data):
    client.force_login(facilitator)
    m1 = data["m1"]
    response = client.post(reverse("markets:pipeline_move", args=[m1.pk]), {"stage": Stage.STUDY})
    assert response.status_code == 302
    assert response.url == reverse("markets:pipeline") + f"#marche-{m1.pk}"
    m1.refresh_from_db()
    assert m1.stage == Stage.STUDY
    change = StageChange.objects.get(market=m1)
    assert change.stage == Stage.STUDY and change.by == facilitator
    page = unescape(client.get(response.url).content.decode())
    assert "« M1 » est passé à l'étape « À l'étude »." in page
    assert 'data-testid="count-repere" title="Nombre de marchés">1<' in page
    assert 'data-testid="count-etude" title="Nombre de marchés">4<' in page


def test_move_a_card_with_htmx_returns_the_board(client, manager, data):
    client.force_login(manager)
    response = client.post(
        reverse("markets:pipeline_move", args=[data["m9"].pk]),
        {"stage": Stage.DROPPED, "confirme": Stage.DROPPED},  # a closing move, confirmed
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert html.lstrip().startswith('<div id="pipeline-board"') and "<html" not in html
    assert 'data-testid="count-repere" title="Nombre de marchés">1<' in html
    assert 'data-testid="count-abandonne">2<' in html
    assert "« M9 » est passé à l'étape « Abandonné / sans clause »." in html


def test_move_refused_to_a_reader_and_bad_stage(client, reader, facilitator, data):
    m1 = data["m1"]
    url = reverse("markets:pipeline_move", args=[m1.pk])
    client.force_login(reader)
    assert client.post(url, {"stage": Stage.STUDY}).status_code == 403
    client.force_login(facilitator)
    response = client.post(url, {"stage": "nimporte"}, follow=True)
    assert "Étape inconnue" in response.content.decode()
    assert client.post(url, {"stage": "nimporte"}, HTTP_HX_REQUEST="true").status_code == 400
    archived = reverse("markets:pipeline_move", args=[data["archived"].pk])
    assert client.post(archived, {"stage": Stage.STUDY}).status_code == 404
    m1.refresh_from_db()
    assert m1.stage == Stage.SPOTTED and not StageChange.objects.filter(market=m1).exists()


def test_upcoming_exports(client, reader, data, monkeypatch):
    import markets.views_pipeline as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: TODAY)
    client.force_login(reader)
    page = client.get(reverse("markets:pipeline_upcoming")).content.decode()
    assert page.count("<tr>") == 1 + 8
    response = client.get(reverse("markets:pipeline_upcoming_xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="marches-a-venir-2026-03-15.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Intitulé", "Donneur d'ordre", "Secteur", "Publication prévue", "Montant estimé HT (€)",
        "Type de clause envisagé",
    )  # fmt: skip
    assert rows[2][:3] == ("Marché M1", "Communauté urbaine de Dunkerque", "Nettoyage")
    assert rows[2][3] == datetime.datetime(2026, 4, 10) and rows[2][4] == 500000
    assert rows[2][5] == "Condition d'exécution (L2112-2)"
    assert len(rows) == 1 + 8
    response = client.get(reverse("markets:pipeline_upcoming_pdf"))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_market_move_to_records_each_change(data):
    assert Market.objects.get(pk=data["m11"].pk).stage == Stage.IN_TENDER_DOCS
    assert StageChange.objects.filter(market=data["m11"]).count() == 4
