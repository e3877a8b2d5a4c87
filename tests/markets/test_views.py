"""Screens of buyers, markets, lots, clauses and awards."""

import datetime
import html as html_lib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import FACILITATOR, READER
from hours.models import HoursEntry
from markets.models import Award, Buyer, BuyerContact, Clause, Lot, Market, Stage, StageChange
from tests.companies.factories import CompanyFactory, SectorFactory
from tests.editing import post_edit
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def page(response):
    """The page's text as a browser shows it (entities decoded)."""
    return html_lib.unescape(response.content.decode())


def rows_of(response):
    """The data rows of an xlsx response (header excluded)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.fixture
def worked_lot():
    """A lot of 833,33 h (formula), two companies, one person with 300 h validated and 50 h in draft."""
    buyer = BuyerFactory(name="Communauté Urbaine de Dunkerque")
    market = MarketFactory(buyer=buyer, reference="CUD-2025-014", title="Groupe scolaire Lamartine")
    lot = LotFactory(market=market, number="3", title="Peinture intérieure")
    ClauseFactory(lot=lot)
    holder = CompanyFactory(name="Bâti Nord")
    sub = CompanyFactory(name="Peintures du Littoral")
    AwardFactory(lot=lot, company=holder)
    AwardFactory(lot=lot, company=sub, role=Award.Role.SUBCONTRACTOR, hours_committed=Decimal("200"))
    person = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    assignment = AssignmentFactory(participant=person, lot=lot, company=holder)
    HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 3, 1), hours=Decimal("150"))
    HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 4, 1), hours=Decimal("150"))
    HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 5, 1), hours=Decimal("50"), draft=True)
    return lot


# --- lists --------------------------------------------------------------------------------------------


def test_market_list_filters_ignore_case_and_accents(client_for):
    MarketFactory(reference="VDK-1", title="Rénovation du théâtre municipal")
    MarketFactory(reference="VDK-2", title="Voirie du centre")
    client = client_for(READER)
    for typed in ("RENOVATION theatre", "rénovation", "Théâtre"):
        response = client.get(reverse("markets:market_list"), {"q": typed})
        assert [m.reference for m in response.context["table"].data] == ["VDK-1"], typed
    assert response.context["result_count"] == 1


def test_market_list_filters_by_buyer_stage_sector_facilitator_and_period(client_for):
    cud = BuyerFactory(name="CUD")
    other = BuyerFactory(name="Ville de Gravelines")
    claire = UserFactory(username="claire", facilitator=True)
    works = SectorFactory(name="Bâtiment gros œuvre")
    MarketFactory(
        buyer=cud,
        reference="A",
        stage=Stage.EXECUTION,
        sector=works,
        facilitator=claire,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    MarketFactory(buyer=cud, reference="B", stage=Stage.STUDY, starts_on=None, ends_on=None)
    MarketFactory(
        buyer=other,
        reference="C",
        stage=Stage.EXECUTION,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    client = client_for(READER)
    url = reverse("markets:market_list")

    def refs(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return sorted(m.reference for m in response.context["table"].data)

    assert refs() == ["A", "B", "C"]
    assert refs(buyer=cud.pk) == ["A", "B"]
    assert refs(stage=Stage.EXECUTION) == ["A", "C"]
    assert refs(stage=[Stage.EXECUTION, Stage.STUDY], buyer=cud.pk) == ["A", "B"]
    assert refs(sector=works.pk) == ["A"]
    assert refs(facilitator=claire.pk) == ["A"]
    assert refs(period_du="2025-06-01", period_au="2025-07-31") == ["A"]
    assert refs(period_du="2025-07-01") == ["C"]
    assert refs(period_au="2025-12-31") == ["A"]


def test_market_list_hides_archived_unless_asked(client_for):
    MarketFactory(reference="VIVANT")
    MarketFactory(reference="ANCIEN", archived=True)
    client = client_for(READER)
    url = reverse("markets:market_list")
    assert [m.reference for m in client.get(url).context["table"].data] == ["VIVANT"]
    shown = client.get(url, {"archived": "on"}).context["table"].data
    assert sorted(m.reference for m in shown) == ["ANCIEN", "VIVANT"]


def test_invalid_filter_shows_no_rows_and_a_french_error(client_for):
    MarketFactory()
    response = client_for(READER).get(
        reverse("markets:market_list"), {"period_du": "2025-12-31", "period_au": "2025-01-01"}
    )
    assert response.context["result_count"] == 0
    assert "La fin précède le début." in page(response)


def test_market_list_shows_hours_in_french_format(client_for, worked_lot):
    html = page(client_for(READER).get(reverse("markets:market_list")))
    assert "833,33" in html and "300,00" in html and "36,0\xa0%" in html


def test_market_export_holds_exactly_the_filtered_rows(client_for, worked_lot):
    MarketFactory(reference="AUTRE-1", title="Espaces verts")
    MarketFactory(reference="AUTRE-2", title="Nettoyage des écoles", archived=True)
    client = client_for(READER)
    response = client.get(reverse("markets:market_list"), {"q": "lamartine", "export": "xlsx"})
    header, rows = rows_of(response)
    assert header[:3] == ("Référence", "Intitulé", "Donneur d'ordre")
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Référence"] == "CUD-2025-014"
    assert row["Heures dues"] == 833.33 and row["Heures réalisées"] == 300
    # Without a filter: every market that is not archived, in the list's order.
    _, rows = rows_of(client.get(reverse("markets:market_list"), {"export": "xlsx", "sort": "reference"}))
    assert [r[0] for r in rows] == ["AUTRE-1", "CUD-2025-014"]


def test_list_pages_are_paginated_by_50_with_constant_queries(client_for, django_assert_max_num_queries):
    buyer = BuyerFactory()
    sector = SectorFactory(name="Voirie")
    for n in range(55):
        market = MarketFactory(buyer=buyer, sector=sector, reference=f"M-{n:03d}")
        ClauseFactory(lot=LotFactory(market=market))
    BuyerFactory.create_batch(54)
    client = client_for(FACILITATOR)
    for name in ("markets:market_list", "markets:lot_list", "markets:buyer_list"):
        url = reverse(name)
        with django_assert_max_num_queries(15):
            response = client.get(url, {"sort": "-hours_required"})
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 50, name
        assert response.context["result_count"] == 55, name
        assert page(response).count('class="page-link"') >= 2


def test_buyer_list_search_ignores_accents_and_exports(client_for):
    BuyerFactory(name="Société Générale d'Habitat")
    BuyerFactory(name="Ville de Téteghem")
    client = client_for(READER)
    response = client.get(reverse("markets:buyer_list"), {"q": "societe GENERALE"})
    assert [b.name for b in response.context["table"].data] == ["Société Générale d'Habitat"]
    _, rows = rows_of(client.get(reverse("markets:buyer_list"), {"q": "teteghem", "export": "xlsx"}))
    assert [r[0] for r in rows] == ["Ville de Téteghem"]


def test_lot_list_filters_by_clause_and_market_text(client_for, worked_lot):
    LotFactory(market=worked_lot.market, number="4", title="Sols")
    LotFactory(number="1")
    client = client_for(READER)
    url = reverse("markets:lot_list")
    with_clause = client.get(url, {"with_clause": "true"}).context["table"].data
    assert [lot.pk for lot in with_clause] == [worked_lot.pk]
    found = client.get(url, {"q": "LAMARTINE"}).context["table"].data
    assert sorted(lot.number for lot in found) == ["3", "4"]
    _, rows = rows_of(client.get(url, {"q": "lamartine", "with_clause": "false", "export": "xlsx"}))
    assert [(r[0], r[3]) for r in rows] == [("CUD-2025-014", "4")]


# --- detail pages -------------------------------------------------------------------------------------


def test_market_page_tells_hours_owed_how_and_progress(client_for, worked_lot, django_assert_max_num_queries):
    client = client_for(READER)
    url = reverse("markets:market_detail", kwargs={"pk": worked_lot.market_id})
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = page(response)
    assert "1\xa0000\xa0000,00 €" in html and "50\xa0%" in html and "5\xa0%" in html and "30,00 €/h" in html
    assert "833,33 h" in html
    assert "Bâti Nord" in html and "Peintures du Littoral" in html
    awards = {a.company.name: a for a in response.context["lots"][0].award_list}
    # The holder owes what the subcontractor's commitment leaves: 833,33 − 200.
    assert awards["Bâti Nord"].hours_owed == Decimal("633.33")
    assert awards["Bâti Nord"].progress.done == Decimal("300.00")
    assert awards["Peintures du Littoral"].progress.done == Decimal(0)
    assert 'data-testid="progress"' in html


def test_stated_hours_win_and_both_are_shown(client_for):
    clause = ClauseFactory(stated=True)
    html = page(client_for(READER).get(reverse("markets:lot_detail", kwargs={"pk": clause.lot_id})))
    assert "1\xa0000,00 h" in html and "833,33 h" in html
    assert "c'est lui qui fait foi" in html and "le nombre fixé l'emporte" in html


def test_lot_page_shows_names_only_to_those_who_see_people(client_for, worked_lot):
    url = reverse("markets:lot_detail", kwargs={"pk": worked_lot.pk})
    facilitator_html = page(client_for(FACILITATOR).get(url))
    assert "DUPONT Élodie" in facilitator_html
    reader_html = page(client_for(READER).get(url))
    assert "Dupont" not in reader_html and "DUPONT" not in reader_html and "Élodie" not in reader_html
    # No database id (« Personne n°494 » linked a person across lots): a number on this page only.
    assert "Personne n°" not in reader_html and "Personne 1" in reader_html


def test_lot_page_hours_by_month_and_drafts(client_for, worked_lot, django_assert_max_num_queries):
    client = client_for(FACILITATOR)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("markets:lot_detail", kwargs={"pk": worked_lot.pk}))
    months = [(m["month"], m["hours"], m["people"]) for m in response.context["months"]]
    assert months == [
        (datetime.date(2025, 3, 1), Decimal("150.00"), 1),
        (datetime.date(2025, 4, 1), Decimal("150.00"), 1),
    ]
    assert response.context["drafts"]["n"] == 1
    assert "1 saisie en attente de validation (50,00 h)" in page(response)


def test_detail_pages_have_constant_queries_with_50_lots(client_for, django_assert_max_num_queries):
    buyer = BuyerFactory()
    market = MarketFactory(buyer=buyer)
    company = CompanyFactory()
    for n in range(50):
        lot = LotFactory(market=market, number=str(n + 1))
        ClauseFactory(lot=lot)
        AwardFactory(lot=lot, company=company)
        assignment = AssignmentFactory(lot=lot, company=company)
        HoursEntryFactory(assignment=assignment)
    lot = Lot.objects.filter(market=market).first()
    for _ in range(49):
        HoursEntryFactory(
            assignment=AssignmentFactory(lot=lot, company=company), month=datetime.date(2025, 4, 1)
        )
    client = client_for(FACILITATOR)
    for url in (
        reverse("markets:market_detail", kwargs={"pk": market.pk}),
        reverse("markets:buyer_detail", kwargs={"pk": buyer.pk}),
        reverse("markets:lot_detail", kwargs={"pk": lot.pk}),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


def test_buyer_page_totals(client_for, worked_lot):
    BuyerContact.objects.create(buyer=worked_lot.market.buyer, name="Anne Vasseur", role="Cheffe de projet")
    response = client_for(READER).get(
        reverse("markets:buyer_detail", kwargs={"pk": worked_lot.market.buyer_id})
    )
    buyer = response.context["buyer"]
    assert (buyer.hours_required, buyer.hours_done) == (Decimal("833.33"), Decimal("300.00"))
    html = page(response)
    assert "Anne Vasseur" in html and "CUD-2025-014" in html and "36,0\xa0%" in html


# --- forms --------------------------------------------------------------------------------------------


def test_market_form_redisplays_what_was_typed_with_french_errors(client_for):
    buyer = BuyerFactory()
    client = client_for(FACILITATOR)
    response = client.post(
        reverse("markets:market_create"),
        {
            "buyer": buyer.pk,
            "reference": "CUD-2026-001",
            "title": "Piscine Paul Asseman",
            "stage": Stage.SPOTTED,
            "estimated_amount": "2 500 000,50",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    html = page(response)
    assert "La fin d'exécution ne peut pas précéder le début." in html
    assert 'value="Piscine Paul Asseman"' in html and 'value="2 500 000,50"' in html
    assert f'<option value="{buyer.pk}" selected>' in html
    assert not Market.objects.exists()


def test_market_create_then_stage_change_goes_through_move_to(client_for):
    buyer = BuyerFactory()
    client = client_for(FACILITATOR)
    data = {"buyer": buyer.pk, "reference": "CUD-2026-002", "title": "Médiathèque", "stage": Stage.SPOTTED}
    response = client.post(reverse("markets:market_create"), data)
    market = Market.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "markets:market_detail", kwargs={"pk": market.pk}
    )
    assert market.estimated_amount is None and not StageChange.objects.exists()
    response = post_edit(
        client,
        reverse("markets:market_update", kwargs={"pk": market.pk}),
        {**data, "stage": Stage.PROPOSED, "estimated_amount": "1 200 000", "confirme": Stage.PROPOSED},
    )
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.stage == Stage.PROPOSED and market.estimated_amount == Decimal("1200000")
    change = StageChange.objects.get()
    assert (change.stage, change.by.username) == (Stage.PROPOSED, "u-facilitatrice")
    post_edit(
        client, reverse("markets:market_update", kwargs={"pk": market.pk}), {**data, "stage": Stage.PROPOSED}
    )
    assert StageChange.objects.count() == 1


def test_operation_of_another_buyer_is_refused(client_for):
    buyer = BuyerFactory()
    elsewhere = OperationFactory()
    response = client_for(FACILITATOR).post(
        reverse("markets:market_create"),
        {
            "buyer": buyer.pk,
            "operation": elsewhere.pk,
            "reference": "X",
            "title": "Y",
            "stage": Stage.SPOTTED,
        },
    )
    assert response.status_code == 200
    assert not Market.objects.exists()
    assert "Sélectionnez un choix valide" in page(response)


def test_buyer_create_with_contacts(client_for):
    client = client_for(FACILITATOR)
    data = {
        "name": "Flandre Opale Habitat",
        "kind": Buyer.Kind.SOCIAL_LANDLORD,
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Marie Deswarte",
        "contacts-0-role": "Chargée d'opérations",
        "contacts-0-email": "pas-un-courriel",
        "contacts-1-name": "",
    }
    response = client.post(reverse("markets:buyer_create"), data)
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in page(response)
    assert not Buyer.objects.exists()  # nothing half-saved
    data["contacts-0-email"] = "m.deswarte@example.org"
    response = client.post(reverse("markets:buyer_create"), data)
    buyer = Buyer.objects.get()
    assert response.url == reverse("markets:buyer_detail", kwargs={"pk": buyer.pk})
    assert [c.name for c in buyer.contacts.all()] == ["Marie Deswarte"]


def test_buyer_name_taken_ignoring_accents(client_for):
    BuyerFactory(name="Ville de Téteghem")
    response = client_for(FACILITATOR).post(
        reverse("markets:buyer_create"),
        {
            "name": "VILLE DE TETEGHEM",
            "kind": "commune",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Un donneur d'ordre porte déjà ce nom" in page(response)


def test_clause_form_accepts_french_numbers_and_percentages(client_for):
    lot = LotFactory(amount=Decimal("1000000"))
    client = client_for(FACILITATOR)
    response = client.post(
        reverse("markets:clause_create", kwargs={"lot_pk": lot.pk}),
        {
            "clause_type": "L2112-2",
            "labour_share": "50",
            "insertion_rate": "5",
            "hourly_cost": "30,00",
            "eligible_publics": ["QPV"],
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get()
    assert (clause.labour_share, clause.insertion_rate, clause.hourly_cost) == (
        Decimal("0.5"),
        Decimal("0.05"),
        Decimal("30"),
    )
    assert clause.hours_required == Decimal("833.33") and clause.eligible_publics == ["QPV"]
    # The edit form shows percentages back.
    html = page(client.get(reverse("markets:clause_update", kwargs={"pk": clause.pk})))
    assert 'value="50"' in html and 'value="5"' in html and "833,33 h" in html


def test_clause_form_refuses_a_clause_without_hours_and_keeps_input(client_for):
    lot = LotFactory()
    response = client_for(FACILITATOR).post(
        reverse("markets:clause_create", kwargs={"lot_pk": lot.pk}),
        {"clause_type": "L2112-2", "labour_share": "50", "penalty_per_hour": "12,5"},
    )
    assert response.status_code == 200
    html = page(response)
    assert "renseignez la part de main-d'œuvre, le taux et le coût horaire" in html
    assert 'value="12,5"' in html and 'value="50"' in html
    assert not Clause.objects.exists()


def test_clause_preview_computes_hours_from_what_is_typed(client_for, django_assert_max_num_queries):
    lot = LotFactory(amount=Decimal("1000000"))
    client = client_for(FACILITATOR)
    url = reverse("markets:clause_preview", kwargs={"pk": lot.pk})
    with django_assert_max_num_queries(6):  # session, user, roles, lot: no model validation
        html = page(client.get(url, {"labour_share": "50", "insertion_rate": "5", "hourly_cost": "30"}))
    assert "833,33 h" in html and "(montant du lot)" in html
    html = page(
        client.get(
            url, {"labour_share": "50", "insertion_rate": "5", "hourly_cost": "30", "stated_hours": "900"}
        )
    )
    assert "900,00 h" in html and "833,33 h" in html and "c'est lui qui fait foi" in html
    html = page(
        client.get(
            url,
            {
                "formula_amount": "2 000 000",
                "labour_share": "50",
                "insertion_rate": "5,5",
                "hourly_cost": "25",
            },
        )
    )
    assert "2\xa0000\xa0000,00 €" in html and "2\xa0200,00 h" in html
    assert client_for(READER).get(url).status_code == 403


def test_a_second_clause_goes_to_the_edit_form(client_for):
    clause = ClauseFactory()
    response = client_for(FACILITATOR).get(reverse("markets:clause_create", kwargs={"lot_pk": clause.lot_id}))
    assert response.status_code == 302 and response.url == reverse(
        "markets:clause_update", kwargs={"pk": clause.pk}
    )


def test_award_with_autocompleted_company_and_commitment_check(client_for):
    clause = ClauseFactory()  # 833,33 h
    company = CompanyFactory(name="Bâti Nord")
    client = client_for(FACILITATOR)
    url = reverse("markets:award_create", kwargs={"lot_pk": clause.lot_id})
    html = page(client.get(url))
    assert 'data-autocomplete-url="/recherche/autocompletion/company/"' in html
    assert "tom-select.complete.min.js" in html
    response = client.post(url, {"company": company.pk, "role": Award.Role.HOLDER, "hours_committed": "900"})
    assert response.status_code == 200
    assert "Les engagements dépasseraient les heures dues par le lot" in page(response)
    response = client.post(
        url, {"company": company.pk, "role": Award.Role.HOLDER, "hours_committed": "800,5"}
    )
    assert response.status_code == 302
    assert Award.objects.get().hours_committed == Decimal("800.50")


def test_lot_create_defaults_to_the_market_dates(client_for):
    market = MarketFactory(starts_on=datetime.date(2025, 2, 1), ends_on=datetime.date(2026, 1, 31))
    client = client_for(FACILITATOR)
    html = page(client.get(reverse("markets:lot_create", kwargs={"market_pk": market.pk})))
    assert 'value="2025-02-01"' in html and 'type="date"' in html
    response = client.post(
        reverse("markets:lot_create", kwargs={"market_pk": market.pk}),
        {"number": "Lot n°2", "title": "Menuiseries", "amount": "450 000", "starts_on": "2025-02-01"},
    )
    lot = Lot.objects.get()
    assert response.url == reverse("markets:lot_detail", kwargs={"pk": lot.pk})
    assert (lot.number_key, lot.amount) == ("2", Decimal("450000"))
    response = client.post(
        reverse("markets:lot_create", kwargs={"market_pk": market.pk}), {"number": "2", "title": "Doublon"}
    )
    assert "Ce marché a déjà un lot avec ce numéro." in page(response)


# --- delete and archive -------------------------------------------------------------------------------


def test_delete_is_refused_when_hours_are_recorded(client_for, worked_lot):
    client = client_for(FACILITATOR)
    market = worked_lot.market
    for name, pk in (
        ("markets:market_delete", market.pk),
        ("markets:buyer_delete", market.buyer_id),
        ("markets:lot_delete", worked_lot.pk),
        ("markets:clause_delete", worked_lot.clause.pk),
    ):
        url = reverse(name, kwargs={"pk": pk})
        text = page(client.get(url))
        assert "Suppression impossible : 3 saisies d'heures sont enregistrées" in text, name
        response = client.post(url)
        assert response.status_code == 409, name
    assert Market.objects.filter(pk=market.pk).exists() and Clause.objects.exists()
    assert HoursEntry.objects.count() == 3
    text = page(client.get(reverse("markets:market_delete", kwargs={"pk": market.pk})))
    assert "Archiver" in text and reverse("markets:market_archive", kwargs={"pk": market.pk}) in text


def test_award_delete_refused_when_its_company_has_hours_on_the_lot(client_for, worked_lot):
    client = client_for(FACILITATOR)
    holder = worked_lot.awards.get(company__name="Bâti Nord")
    sub = worked_lot.awards.get(company__name="Peintures du Littoral")
    assert client.post(reverse("markets:award_delete", kwargs={"pk": holder.pk})).status_code == 409
    assert client.post(reverse("markets:award_delete", kwargs={"pk": sub.pk})).status_code == 302
    assert list(worked_lot.awards.values_list("company__name", flat=True)) == ["Bâti Nord"]


def test_delete_without_hours_and_protected_records(client_for):
    client = client_for(FACILITATOR)
    market = MarketFactory()
    ClauseFactory(lot=LotFactory(market=market))
    response = client.post(reverse("markets:market_delete", kwargs={"pk": market.pk}))
    assert response.status_code == 302 and response.url == reverse("markets:market_list")
    assert not Market.objects.exists() and not Lot.objects.exists()
    # A person on the lot without hours yet: the assignment protects the lot.
    assignment = AssignmentFactory()
    response = client.post(reverse("markets:lot_delete", kwargs={"pk": assignment.lot_id}))
    assert response.status_code == 409
    assert "1 mises à l'emploi" in page(response)


def test_archive_and_unarchive(client_for):
    market = MarketFactory()
    client = client_for(FACILITATOR)
    url = reverse("markets:market_archive", kwargs={"pk": market.pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.url == reverse("markets:market_detail", kwargs={"pk": market.pk})
    market.refresh_from_db()
    assert market.archived
    client.post(url, {"archived": "0"})
    market.refresh_from_db()
    assert not market.archived
    assert client_for(READER).post(url).status_code == 403


def test_reader_cannot_post_edits(client_for, worked_lot):
    client = client_for(READER)
    market = worked_lot.market
    assert client.post(reverse("markets:market_delete", kwargs={"pk": market.pk})).status_code == 403
    assert client.post(reverse("markets:market_create"), {"reference": "X"}).status_code == 403
    assert Market.objects.count() == 1
    html = page(client.get(reverse("markets:market_detail", kwargs={"pk": market.pk})))
    assert reverse("markets:market_update", kwargs={"pk": market.pk}) not in html
