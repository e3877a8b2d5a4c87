"""Hour entries and assignments: filtered lists and exports, details, forms."""

import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hours.models import Assignment, HoursEntry
from markets.models import Market
from tests.companies.factories import CompanyFactory, SectorFactory
from tests.editing import post_edit
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import BuyerFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

D = Decimal
ENTRIES = reverse("hours:entry_list")
ASSIGNMENTS = reverse("hours:assignment_list")

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    """Two buyers; lot A (Claire's market) with Élodie employed by an ETTI for Bâti Nord, lot B with Karim."""
    claire = UserFactory(username="claire", first_name="Claire", last_name="Vandenbussche", facilitator=True)
    sophie = UserFactory(username="sophie", first_name="Sophie", last_name="Deschodt", facilitator=True)
    cud, ville = BuyerFactory(name="CUD"), BuyerFactory(name="Ville de Gravelines")
    lot_a = LotFactory(market=MarketFactory(buyer=cud, reference="CUD-1", facilitator=claire), number="1")
    lot_b = LotFactory(market=MarketFactory(buyer=ville, reference="GRA-7", facilitator=sophie), number="2")
    bati, etti, voirie = (
        CompanyFactory(name="Bâti Nord"),
        CompanyFactory(etti=True),
        CompanyFactory(name="Voirie"),
    )
    elodie = ParticipantFactory(last_name="Lefèvre", first_name="Élodie")
    karim = ParticipantFactory(last_name="Benali", first_name="Karim")
    a = AssignmentFactory(participant=elodie, lot=lot_a, company=bati, employer=etti, modality="etti")
    b = AssignmentFactory(participant=karim, lot=lot_b, company=voirie)
    e = {
        "a_mar": HoursEntryFactory(assignment=a, month=datetime.date(2025, 3, 1), hours=D("151.67")),
        "a_apr": HoursEntryFactory(assignment=a, month=datetime.date(2025, 4, 1), hours=D(120), draft=True),
        "b_apr": HoursEntryFactory(assignment=b, month=datetime.date(2025, 4, 1), hours=D("35.5")),
        "b_may": HoursEntryFactory(assignment=b, month=datetime.date(2025, 5, 1), hours=D(70), draft=True),
    }
    return {
        "lots": (lot_a, lot_b),
        "buyers": (cud, ville),
        "companies": (bati, etti, voirie),
        "users": (claire, sophie),
        "a": a,
        "b": b,
        "e": e,
    }


def rows(response):
    assert response.status_code == 200
    return sorted((e.assignment.participant.last_name, e.month.month) for e in response.context["table"].data)


def test_entry_list_filters(data, client_for):
    client = client_for("Facilitatrice")
    lot_a, lot_b = data["lots"]
    bati, etti, voirie = data["companies"]
    claire, sophie = data["users"]
    cases = {
        "": [("Benali", 4), ("Benali", 5), ("Lefèvre", 3), ("Lefèvre", 4)],
        "status=validee": [("Benali", 4), ("Lefèvre", 3)],
        "status=brouillon": [("Benali", 5), ("Lefèvre", 4)],
        "period_du=2025-04-15&period_au=2025-04-30": [("Benali", 4), ("Lefèvre", 4)],
        "period_du=2025-05-01": [("Benali", 5)],
        f"lot={lot_a.pk}": [("Lefèvre", 3), ("Lefèvre", 4)],
        f"company={etti.pk}": [("Lefèvre", 3), ("Lefèvre", 4)],  # the employer
        f"company={voirie.pk}": [("Benali", 4), ("Benali", 5)],
        f"buyer={data['buyers'][1].pk}": [("Benali", 4), ("Benali", 5)],
        f"facilitator={claire.pk}": [("Lefèvre", 3), ("Lefèvre", 4)],
        f"facilitator={sophie.pk}&status=validee": [("Benali", 4)],
        "q=lefevre": [("Lefèvre", 3), ("Lefèvre", 4)],
    }
    for query, expected in cases.items():
        assert rows(client.get(f"{ENTRIES}?{query}")) == expected, query


def test_entry_export_has_the_filtered_rows(data, client_for):
    response = client_for("Responsable").get(f"{ENTRIES}?status=validee&export=xlsx&sort=month")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Mois", "Nom", "Prénom")
    assert [(r[0].date(), r[1], r[3], r[10], r[12]) for r in values[1:]] == [
        (datetime.date(2025, 3, 1), "Lefèvre", "CUD", 151.67, "Validée"),
        (datetime.date(2025, 4, 1), "Benali", "Ville de Gravelines", 35.5, "Validée"),
    ]


def test_entry_list_queries_are_constant(client_for, django_assert_max_num_queries):
    lot = LotFactory()
    for n in range(55):
        HoursEntryFactory(assignment=AssignmentFactory(lot=lot), draft=bool(n % 2))
    client = client_for("Responsable")
    with django_assert_max_num_queries(15):
        response = client.get(ENTRIES)
    assert len(response.context["table"].page.object_list) == 50
    assert 'name="ids"' in response.content.decode()  # the selection to validate


def test_only_validators_get_the_selection_boxes(data, client_for):
    assert 'name="ids"' not in client_for("Facilitatrice").get(ENTRIES).content.decode()


def test_assignment_list_and_export(data, client_for, django_assert_max_num_queries):
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15):
        response = client.get(f"{ASSIGNMENTS}?modality=etti")
    assert [a.participant.last_name for a in response.context["table"].data] == ["Lefèvre"]
    response = client.get(f"{ASSIGNMENTS}?export=xlsx&sort=person")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    # Hours validated only: Élodie 151,67 (not the April draft); Karim 35,5.
    assert [(r[0], r[5], r[6], r[12]) for r in values[1:]] == [
        ("Benali", "Voirie", "Voirie", 35.5),
        ("Lefèvre", "Bâti Nord", data["companies"][1].name, 151.67),
    ]


def test_assignment_detail(data, client_for, django_assert_max_num_queries):
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("hours:assignment_detail", args=[data["a"].pk]))
    html = response.content.decode()
    assert 'data-testid="hours-done">151,67 h<' in html
    assert [e.month.month for e in response.context["entries"]] == [4, 3]


def test_assignment_create_and_duplicate(data, client_for):
    client = client_for("Facilitatrice")
    person = ParticipantFactory()
    lot_a = data["lots"][0]
    post = {
        "participant": person.pk,
        "lot": lot_a.pk,
        "company": data["companies"][0].pk,
        "modality": "embauche",
        "contract_type": "CDI",
        "job": "Chef d'équipe",
        "starts_on": "2025-09-01",
    }
    response = client.post(reverse("hours:assignment_create"), post)
    created = Assignment.objects.get(participant=person)
    assert response.url == reverse("hours:assignment_detail", args=[created.pk])
    assert created.employer == data["companies"][0]  # empty employer: the company credited
    response = client.post(reverse("hours:assignment_create"), post)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début)."
    ]


def test_assignment_dates_cannot_exclude_recorded_hours(data, client_for):
    a = data["a"]
    post = {
        "participant": a.participant_id,
        "lot": a.lot_id,
        "company": a.company_id,
        "employer": a.employer_id,
        "modality": a.modality,
        "contract_type": a.contract_type,
        "starts_on": "2025-04-01",
        "ends_on": "2025-12-31",
    }
    response = post_edit(client_for("Facilitatrice"), reverse("hours:assignment_update", args=[a.pk]), post)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Des heures sont saisies hors de ces dates (03/2025) : "
        "corrigez les dates ou supprimez d'abord ces heures."
    ]
    response = post_edit(
        client_for("Facilitatrice"),
        reverse("hours:assignment_update", args=[a.pk]),
        {**post, "starts_on": "2025-02-10"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.starts_on == datetime.date(2025, 2, 10)


def test_deleting_an_assignment_with_hours_is_refused(data, client_for):
    client = client_for("Responsable")
    response = client.post(reverse("hours:assignment_delete", args=[data["a"].pk]))
    assert response.status_code == 409
    assert "2 saisies d&#x27;heures sont enregistrées" in response.content.decode()
    empty = AssignmentFactory()
    assert client.post(reverse("hours:assignment_delete", args=[empty.pk])).status_code == 302
    assert not Assignment.objects.filter(pk=empty.pk).exists()


def test_entry_create_as_draft_with_a_decimal_comma(data, client_for, facilitator):
    client = client_for(None)
    client.force_login(facilitator)
    post = {"assignment": data["a"].pk, "month": "2025-06", "hours": "151,67", "training_hours": "3,5"}
    response = client.post(reverse("hours:entry_create"), post)
    entry = HoursEntry.objects.get(assignment=data["a"], month=datetime.date(2025, 6, 1))
    assert response.url == reverse("hours:entry_detail", args=[entry.pk])
    assert (entry.hours, entry.training_hours, entry.status, entry.source, entry.entered_by) == (
        D("151.67"),
        D("3.5"),
        "brouillon",
        "saisie",
        facilitator,
    )
    response = client.post(reverse("hours:entry_create"), {**post, "hours": "800"})
    assert response.context["form"].errors["hours"] == ["Au plus 744 heures dans un mois."]
    response = client.post(reverse("hours:entry_create"), {**post, "month": "2026-03"})
    assert response.context["form"].errors["month"] == [
        "Ce mois est hors du contrat (du 06/01/2025 au 31/12/2025)."
    ]
    response = client.post(reverse("hours:entry_create"), post)
    assert response.context["form"].errors["month"] == [
        "Des heures sont déjà saisies pour ce mois et cette mise à l'emploi."
    ]


def test_a_draft_entry_can_be_deleted(data, client_for):
    draft = data["e"]["b_may"]
    response = client_for("Facilitatrice").post(reverse("hours:entry_delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not HoursEntry.objects.filter(pk=draft.pk).exists()


def test_assignment_list_queries_are_constant(client_for, django_assert_max_num_queries):
    lot = LotFactory()
    for n in range(55):
        a = AssignmentFactory(lot=lot)
        if n % 2:
            HoursEntryFactory(assignment=a)
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15):
        response = client.get(ASSIGNMENTS)
    assert len(response.context["table"].page.object_list) == 50


# --- filters by buyer, facilitator, sector and start date (the dashboard links to them) ---------------


@pytest.fixture
def sectors(data):
    """Lot A's market (CUD, Claire) in « Bâtiment », lot B's (Gravelines, Sophie) in « Nettoyage »; a third
    lot in « Bâtiment » for Gravelines without a facilitator, where Inès started on 01/03/2025 and
    Nora on 31/03/2025."""
    batiment, nettoyage = SectorFactory(name="Bâtiment"), SectorFactory(name="Nettoyage")
    lot_a, lot_b = data["lots"]
    Market.objects.filter(pk=lot_a.market_id).update(sector=batiment)
    Market.objects.filter(pk=lot_b.market_id).update(sector=nettoyage)
    lot_c = LotFactory(market=MarketFactory(buyer=data["buyers"][1], reference="GRA-9", sector=batiment))
    ines = AssignmentFactory(
        participant=ParticipantFactory(last_name="Roussel", first_name="Inès"),
        lot=lot_c,
        starts_on=datetime.date(2025, 3, 1),
    )
    nora = AssignmentFactory(
        participant=ParticipantFactory(last_name="Mahieu", first_name="Nora"),
        lot=lot_c,
        starts_on=datetime.date(2025, 3, 31),
    )
    HoursEntryFactory(assignment=ines, month=datetime.date(2025, 3, 1), hours=D(12))
    return {"batiment": batiment, "nettoyage": nettoyage, "ines": ines, "nora": nora}


def names(response):
    assert response.status_code == 200
    return sorted(a.participant.last_name for a in response.context["table"].data)


def test_assignment_list_filters_by_buyer_facilitator_sector_and_start(data, sectors, client_for):
    client = client_for("Facilitatrice")
    cud, ville = data["buyers"]
    claire, sophie = data["users"]
    batiment, nettoyage = sectors["batiment"], sectors["nettoyage"]
    # Élodie (lot A) and Karim (lot B) started on 06/01/2025.
    cases = {
        "": ["Benali", "Lefèvre", "Mahieu", "Roussel"],
        f"buyer={cud.pk}": ["Lefèvre"],
        f"buyer={ville.pk}": ["Benali", "Mahieu", "Roussel"],
        f"facilitator={claire.pk}": ["Lefèvre"],
        f"facilitator={sophie.pk}": ["Benali"],
        f"sector={batiment.pk}": ["Lefèvre", "Mahieu", "Roussel"],
        f"sector={nettoyage.pk}": ["Benali"],
        f"sector={batiment.pk}&buyer={ville.pk}": ["Mahieu", "Roussel"],
        "start_du=2025-03-01&start_au=2025-03-31": ["Mahieu", "Roussel"],  # both ends included
        "start_du=2025-03-02": ["Mahieu"],
        "start_au=2025-03-30": ["Benali", "Lefèvre", "Roussel"],
        "start_du=2025-01-06&start_au=2025-01-06": ["Benali", "Lefèvre"],
        f"start_du=2025-03-01&sector={batiment.pk}&buyer={ville.pk}": ["Mahieu", "Roussel"],
        "start_du=2025-04-01": [],
    }
    for query, expected in cases.items():
        assert names(client.get(f"{ASSIGNMENTS}?{query}")) == expected, query
    # Dates in the wrong order: the error shown, no rows (never the unfiltered list).
    response = client.get(f"{ASSIGNMENTS}?start_du=2025-03-31&start_au=2025-03-01")
    assert names(response) == []
    assert "La fin précède le début." in response.content.decode()


def test_assignment_list_keeps_its_filters_in_the_url(data, sectors, client_for):
    ville, batiment = data["buyers"][1], sectors["batiment"]
    query = f"buyer={ville.pk}&sector={batiment.pk}&start_du=2025-03-01&start_au=2025-03-31"
    html = unescape(client_for("Facilitatrice").get(f"{ASSIGNMENTS}?{query}").content.decode())
    # The form shows what was chosen; sorting and exporting keep every filter.
    assert 'name="start_du" value="2025-03-01"' in html and 'name="start_au" value="2025-03-31"' in html
    assert f'<option value="{batiment.pk}" selected>Bâtiment</option>' in html
    assert f"?{query}&export=xlsx" in html
    assert f"?{query}&sort=person" in html
    assert "Réinitialiser" in html


def test_assignment_export_has_the_rows_filtered_by_sector_and_start(data, sectors, client_for):
    ville, batiment = data["buyers"][1], sectors["batiment"]
    response = client_for("Facilitatrice").get(
        f"{ASSIGNMENTS}?buyer={ville.pk}&sector={batiment.pk}&start_du=2025-03-01&export=xlsx&sort=person"
    )
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0], r[1], r[2], r[3], r[10].date(), r[12]) for r in values[1:]] == [
        ("Mahieu", "Nora", "Ville de Gravelines", "GRA-9", datetime.date(2025, 3, 31), 0),
        ("Roussel", "Inès", "Ville de Gravelines", "GRA-9", datetime.date(2025, 3, 1), 12),
    ]


def test_entry_list_filters_by_sector(data, sectors, client_for):
    client = client_for("Facilitatrice")
    batiment, nettoyage = sectors["batiment"], sectors["nettoyage"]
    cases = {
        f"sector={batiment.pk}": [("Lefèvre", 3), ("Lefèvre", 4), ("Roussel", 3)],
        f"sector={nettoyage.pk}": [("Benali", 4), ("Benali", 5)],
        f"sector={batiment.pk}&status=validee&period_du=2025-03-01&period_au=2025-03-31": [
            ("Lefèvre", 3),
            ("Roussel", 3),
        ],
        f"sector={batiment.pk}&buyer={data['buyers'][1].pk}": [("Roussel", 3)],
    }
    for query, expected in cases.items():
        assert rows(client.get(f"{ENTRIES}?{query}")) == expected, query
    response = client_for("Responsable").get(f"{ENTRIES}?sector={batiment.pk}&export=xlsx&sort=month")
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0].date(), r[1], r[10]) for r in values[1:]] == [
        (datetime.date(2025, 3, 1), "Lefèvre", 151.67),
        (datetime.date(2025, 3, 1), "Roussel", 12),
        (datetime.date(2025, 4, 1), "Lefèvre", 120),
    ]


def test_filtered_lists_queries_are_constant(client_for, django_assert_max_num_queries):
    """50 rows of each list, with every new filter applied: at most 15 queries."""
    sector = SectorFactory(name="Bâtiment")
    claire = UserFactory(username="claire", facilitator=True)
    market = MarketFactory(sector=sector, facilitator=claire)
    lot = LotFactory(market=market)
    for n in range(55):
        a = AssignmentFactory(lot=lot, starts_on=datetime.date(2025, 2, 1 + n % 28))
        HoursEntryFactory(assignment=a, draft=bool(n % 2))
    client = client_for("Responsable")
    common = f"buyer={market.buyer_id}&facilitator={claire.pk}&sector={sector.pk}"
    with django_assert_max_num_queries(15):
        response = client.get(f"{ASSIGNMENTS}?{common}&start_du=2025-02-01&start_au=2025-02-28")
    assert response.context["result_count"] == 55
    assert len(response.context["table"].page.object_list) == 50
    with django_assert_max_num_queries(15):
        response = client.get(f"{ENTRIES}?{common}")
    assert response.context["result_count"] == 55
    assert len(response.context["table"].page.object_list) == 50


# --- links to the tracking spreadsheet's pages -----------------------------------------------------------


def suivi_links(html):
    """The hrefs of the « Tableau de suivi » links of a page, with their labels."""
    import re

    nav = html.split('data-testid="suivi-links"', 1)[1].split("</nav>", 1)[0]
    return [
        (href, label.strip())
        for href, label in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(?:<i [^>]*></i>)?\s*([^<]*)</a>', nav)
    ]


@pytest.mark.parametrize("role", ["Responsable", "Facilitatrice"])
def test_the_hours_pages_link_to_the_import_and_the_export(data, client_for, role):
    client = client_for(role)
    expected = [
        (reverse("hours:import_upload"), "Importer un tableau de suivi"),
        (reverse("hours:import_list"), "Imports"),
        (reverse("hours:export_suivi"), "Exporter le tableau de suivi"),
    ]
    grid_home = unescape(client.get(reverse("hours:grid"), {"mois": "2025-03"}).content.decode())
    assert suivi_links(grid_home) == expected
    assert suivi_links(unescape(client.get(ENTRIES).content.decode())) == expected
    for href, _ in expected:
        assert client.get(href).status_code == 200, href


def test_the_entries_list_exports_the_tracking_sheet_of_its_buyer_and_period(data, client_for):
    client = client_for("Facilitatrice")
    cud = data["buyers"][0]
    html = unescape(
        client.get(
            f"{ENTRIES}?buyer={cud.pk}&period_du=2025-03-01&period_au=2025-04-30&status=brouillon"
        ).content.decode()
    )
    href, label = suivi_links(html)[2]
    assert href == f"{reverse('hours:export_suivi')}?buyer={cud.pk}&period_du=2025-03-01&period_au=2025-04-30"
    assert 'title="Les heures validées de CUD de 03/2025 à 04/2025, au format du tableau de suivi"' in html
    sheet = load_workbook(io.BytesIO(b"".join(client.get(href).streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2  # the titles and Élodie's validated March (the April draft is not exported)
    # An invalid filter: the whole export, not a half-filtered one.
    html = unescape(
        client.get(f"{ENTRIES}?buyer={cud.pk}&period_du=2025-05-01&period_au=2025-04-01").content.decode()
    )
    assert suivi_links(html)[2][0] == reverse("hours:export_suivi")


def test_the_facilitator_filter_lists_the_market_holders_as_the_team_names_them(client_for):
    """One user choice field (TeamMemberChoiceField): the colleagues in charge of a market, one who has
    left the team included, by first then last name (then log-in), named « Prénom Nom » (else the
    log-in); not a colleague in charge of nothing."""
    zoe = UserFactory(username="zoe", first_name="Zoé", last_name="Arnould", facilitator=True)
    gone = UserFactory(username="anne", first_name="Anne", last_name="Zeller", is_active=False)
    login_only = UserFactory(username="m.durand", first_name="", last_name="", manager=True)
    UserFactory(username="nobody", first_name="Nadia", last_name="Sans-Marché", facilitator=True)
    namesakes = [UserFactory(username=u, first_name="Zoé", last_name="Arnould") for u in ("zoe.b", "zoe.a")]
    for user in (zoe, gone, login_only, zoe, *namesakes):
        MarketFactory(facilitator=user)
    client = client_for("Responsable")
    for url in (ENTRIES, ASSIGNMENTS):
        field = client.get(url).context["filter"].form.fields["facilitator"]
        choices = [(label, value) for value, label in field.choices]
        assert choices == [
            ("Toutes", ""),
            ("m.durand", login_only.pk),
            ("Anne Zeller", gone.pk),
            ("Zoé Arnould", zoe.pk),  # namesakes by log-in: zoe, zoe.a, zoe.b
            ("Zoé Arnould", namesakes[1].pk),
            ("Zoé Arnould", namesakes[0].pk),
        ]
