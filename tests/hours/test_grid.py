"""The monthly hours grid: rows, cells (decimal comma, French errors), one save for the whole grid."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from clauses_site import months
from hours import grid
from hours.models import Assignment, HoursEntry, Modality
from participants.models import Participant
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory
from tests.participants.factories import ParticipantFactory

D = Decimal
MAY, JUNE = datetime.date(2025, 5, 1), datetime.date(2025, 6, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot_data():
    """A lot owing 1 000 h; in June 2025: Élodie (draft 100 h), Karim (validated 151,67 h), Sandrine
    (nothing yet); Mehdi's contract ended in April and Aurélie's starts in July (not in June's grid)."""
    holder = CompanyFactory(name="Bâti Flandre")
    etti = CompanyFactory(etti=True, name="ETTI Littoral")
    lot = ClauseFactory(stated=True).lot
    AwardFactory(lot=lot, company=holder)
    people = {
        name: ParticipantFactory(last_name=name, first_name=first)
        for name, first in [
            ("Aubry", "Élodie"),
            ("Benali", "Karim"),
            ("Caron", "Sandrine"),
            ("Dumont", "Mehdi"),
            ("Evrard", "Aurélie"),
        ]
    }
    a = {
        "elodie": AssignmentFactory(participant=people["Aubry"], lot=lot, company=holder),
        "karim": AssignmentFactory(
            participant=people["Benali"],
            lot=lot,
            company=holder,
            employer=etti,
            modality=Modality.ETTI,
            contract_type="interim",
        ),
        "sandrine": AssignmentFactory(
            participant=people["Caron"], lot=lot, company=holder, starts_on=datetime.date(2025, 6, 16)
        ),
        "mehdi": AssignmentFactory(
            participant=people["Dumont"], lot=lot, company=holder, ends_on=datetime.date(2025, 4, 30)
        ),
        "aurelie": AssignmentFactory(
            participant=people["Evrard"], lot=lot, company=holder, starts_on=datetime.date(2025, 7, 1)
        ),
    }
    e = {
        "elodie_june": HoursEntryFactory(assignment=a["elodie"], month=JUNE, hours=D(100), draft=True),
        "elodie_may": HoursEntryFactory(assignment=a["elodie"], month=MAY, hours=D("140.50")),
        "karim_june": HoursEntryFactory(assignment=a["karim"], month=JUNE, hours=D("151.67")),
        "mehdi_april": HoursEntryFactory(assignment=a["mehdi"], month=datetime.date(2025, 4, 1), hours=D(35)),
    }
    return {"lot": lot, "holder": holder, "etti": etti, "a": a, "e": e}


def grid_url(lot, month=JUNE):
    return reverse("hours:grid") + f"?mois={month:%Y-%m}&lot={lot.pk}"


def cells(data, month=JUNE, **values):
    """POST data: values like elodie=("120", ""), keyed by the names of lot_data's assignments, with the
    original values of a page rendered now (the values stored)."""
    post = {}
    for name, (hours, training) in values.items():
        pk = data["a"][name].pk
        original = grid.stored_cells(HoursEntry.objects.filter(assignment_id=pk, month=month).first())
        post[f"h{pk}"] = hours
        post[f"t{pk}"] = training
        post[f"oh{pk}"], post[f"ot{pk}"] = (grid.format_hours(v) for v in original)
    return post


# --- cells -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,value",
    [
        ("151,67", D("151.67")),
        ("151.67", D("151.67")),
        (" 35 ", D(35)),
        ("35 h", D(35)),
        ("7,5", D("7.50")),
        ("0", D(0)),
        ("744", D(744)),
        ("151,670", D("151.67")),
        ("", None),
        ("  ", None),
    ],
)
def test_cells_accept_a_decimal_comma(typed, value):
    assert grid.parse_hours(typed) == value


@pytest.mark.parametrize(
    "typed,message",
    [
        ("abc", "Saisissez un nombre (ex. 151,67)."),
        ("12,5,3", "Saisissez un nombre (ex. 151,67)."),
        ("800", "Au plus 744 heures dans un mois."),
        ("744,01", "Au plus 744 heures dans un mois."),
        ("-3", "Pas d'heures négatives."),
        ("1,234", "Deux décimales au plus (ex. 151,67)."),
    ],
)
def test_bad_cells_get_a_french_message(typed, message):
    with pytest.raises(ValidationError) as error:
        grid.parse_hours(typed)
    assert error.value.messages == [message]


def test_format_hours_for_an_input():
    assert [grid.format_hours(v) for v in (D("151.67"), D("35.00"), D("7.50"), None)] == [
        "151,67",
        "35,00",  # as the totals show it (issue 12 item 9), not « 35 »
        "7,50",
        "",
    ]


def test_months():
    assert months.parse_month("2025-06") == JUNE
    assert months.parse_month("06/2025") == JUNE
    assert months.parse_month("2025-13") is None
    assert months.parse_month("n'importe") is None
    assert months.add_months(datetime.date(2025, 1, 1), -3) == datetime.date(2024, 10, 1)
    assert months.month_label(JUNE) == "juin 2025"


# --- rows --------------------------------------------------------------------------------------------------


def test_rows_are_the_assignments_active_in_the_month(lot_data):
    rows = list(grid.grid_assignments(JUNE, lot=lot_data["lot"]))
    assert [a.participant.last_name for a in rows] == ["Aubry", "Benali", "Caron"]
    # Mehdi's April hours show in April's grid, Aurélie in July's.
    assert [
        a.participant.last_name for a in grid.grid_assignments(datetime.date(2025, 4, 1), lot=lot_data["lot"])
    ] == [
        "Aubry",
        "Benali",
        "Dumont",
    ]


def test_an_entry_outside_the_contract_is_still_shown(lot_data):
    # Mehdi's contract was shortened after his May hours were entered: they must not disappear.
    HoursEntry.objects.create(assignment=lot_data["a"]["mehdi"], month=MAY, hours=D(10))
    names = [a.participant.last_name for a in grid.grid_assignments(MAY, lot=lot_data["lot"])]
    assert names == ["Aubry", "Benali", "Dumont"]


def test_company_grid_has_the_company_credited_or_employer(lot_data):
    etti_rows = list(grid.grid_assignments(JUNE, company=lot_data["etti"]))
    assert [a.participant.last_name for a in etti_rows] == ["Benali"]
    holder_rows = list(grid.grid_assignments(JUNE, company=lot_data["holder"]))
    assert [a.participant.last_name for a in holder_rows] == ["Aubry", "Benali", "Caron"]


def test_rows_carry_the_month_and_the_three_previous_months(lot_data):
    rows, months = grid.build_rows(JUNE, grid.grid_assignments(JUNE, lot=lot_data["lot"]))
    assert months == [datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), MAY]
    elodie = rows[0]
    assert elodie.entry == lot_data["e"]["elodie_june"]
    assert [e.hours if e else None for e in elodie.previous] == [None, None, D("140.50")]
    assert rows[1].editable is False  # Karim's June hours are validated
    assert rows[2].entry is None


# --- the page ----------------------------------------------------------------------------------------------


def test_the_grid_shows_rows_reference_months_and_totals(lot_data, client_for):
    response = client_for("Facilitatrice").get(grid_url(lot_data["lot"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisie des heures — Juin 2025" in html
    assert [row.assignment.participant.last_name for row, *cells in response.context["grid_rows"]] == [
        "Aubry",
        "Benali",
        "Caron",
    ]
    elodie = lot_data["a"]["elodie"].pk
    assert f'name="h{elodie}" value="100,00"' in html  # the draft, editable, as the totals show it
    assert f'name="h{lot_data["a"]["karim"].pk}"' not in html  # validated: read-only
    assert "140,50" in html  # May, for reference
    assert response.context["hours_total"] == D("251.67")  # 100 + 151,67
    assert 'data-testid="total-hours">251,67<' in html
    summary = response.context["summary"]
    assert summary["progress"].required == D(1000)
    assert summary["progress"].done == D("327.17")  # validated to date: 140,50 + 151,67 + 35
    assert summary["done_in_month"] == D("151.67")
    assert summary["pending"] == D(100)


def test_without_a_lot_the_grid_lists_the_lots_to_enter(lot_data, client_for):
    response = client_for("Facilitatrice").get(reverse("hours:grid") + "?mois=2025-06")
    assert response.status_code == 200
    lots = list(response.context["lots"])
    assert [(lot.pk, lot.active, lot.entered, lot.validated) for lot in lots] == [
        (lot_data["lot"].pk, 3, 2, 1)
    ]


def test_lots_to_enter_counts_rows_and_keeps_a_facilitators_markets(lot_data, facilitator):
    """The domain query (hours.grid): a second lot, of a market the facilitator is in charge of, with one
    person at work and nothing entered; the first lot has 3 active rows, 2 entered, 1 validated; with the
    facilitator, only her market's lot (a month given by any of its days)."""
    other = ClauseFactory(stated=True).lot
    other.market.facilitator = facilitator
    other.market.save()
    AssignmentFactory(lot=other, company=lot_data["holder"])
    everything = {lot.pk: (lot.active, lot.entered, lot.validated) for lot in grid.lots_to_enter(JUNE)}
    assert everything == {other.pk: (1, 0, 0), lot_data["lot"].pk: (3, 2, 1)}
    mine = grid.lots_to_enter(datetime.date(2025, 6, 17), facilitator=facilitator)
    assert [(lot.pk, lot.active, lot.entered, lot.validated) for lot in mine] == [(other.pk, 1, 0, 0)]


def test_lots_to_enter_runs_four_queries_whatever_the_number_of_lots(lot_data, django_assert_num_queries):
    """Grouped counts, not a subquery per lot (national scale: 5 964 lots); a facilitator in charge of
    nothing gets none in one query."""
    for _ in range(3):
        AssignmentFactory(lot=ClauseFactory(stated=True).lot, company=lot_data["holder"])
    nobody = UserFactory(username="personne", facilitator=True)
    with django_assert_num_queries(4):
        assert len(grid.lots_to_enter(JUNE)) == 4
    with django_assert_num_queries(1):
        assert grid.lots_to_enter(JUNE, facilitator=nobody) == []


def test_one_save_creates_updates_and_deletes_drafts(lot_data, client_for, facilitator):
    client = client_for(None)
    client.force_login(facilitator)
    data = lot_data
    post = cells(data, elodie=("", ""), sandrine=("151,67", "7,5"))
    response = client.post(grid_url(data["lot"]), post)
    assert response.status_code == 302
    assert response.url == grid_url(data["lot"])
    assert not HoursEntry.objects.filter(pk=data["e"]["elodie_june"].pk).exists()  # cleared: deleted
    sandrine = HoursEntry.objects.get(assignment=data["a"]["sandrine"], month=JUNE)
    assert (sandrine.hours, sandrine.training_hours) == (D("151.67"), D("7.50"))
    assert sandrine.status == HoursEntry.Status.DRAFT
    assert sandrine.source == HoursEntry.Source.MANUAL
    assert sandrine.entered_by == facilitator
    # History: the creation and the deletion are recorded with the user.
    assert sandrine.history.get().history_user == facilitator
    deleted = HoursEntry.history.filter(id=data["e"]["elodie_june"].pk, history_type="-").get()
    assert deleted.history_user == facilitator

    response = client.post(grid_url(data["lot"]), cells(data, elodie=("98", ""), sandrine=("151,67", "7,5")))
    sandrine.refresh_from_db()
    assert sandrine.history.count() == 1  # unchanged: not written again
    elodie = HoursEntry.objects.get(assignment=data["a"]["elodie"], month=JUNE)
    assert elodie.hours == D(98)
    client.post(grid_url(data["lot"]), cells(data, elodie=("98,25", "3"), sandrine=("151,67", "7,5")))
    elodie.refresh_from_db()
    assert (elodie.hours, elodie.training_hours) == (D("98.25"), D(3))
    assert elodie.history.first().history_type == "~"


def test_training_hours_alone_mean_zero_hours_worked(lot_data, client_for):
    client_for("Facilitatrice").post(grid_url(lot_data["lot"]), cells(lot_data, sandrine=("", "14")))
    entry = HoursEntry.objects.get(assignment=lot_data["a"]["sandrine"], month=JUNE)
    assert (entry.hours, entry.training_hours) == (D(0), D(14))


def test_one_invalid_cell_saves_nothing_and_keeps_everything_typed(lot_data, client_for):
    before = list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "training_hours"))
    post = cells(lot_data, elodie=("151,67", "abc"), sandrine=("800", "7,5"))
    response = client_for("Facilitatrice").post(grid_url(lot_data["lot"]), post)
    assert response.status_code == 200
    assert list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "training_hours")) == before
    html = response.content.decode()
    elodie, sandrine = lot_data["a"]["elodie"].pk, lot_data["a"]["sandrine"].pk
    assert f'name="h{elodie}" value="151,67"' in html
    assert f'name="t{elodie}" value="abc"' in html
    assert f'name="h{sandrine}" value="800"' in html
    assert f'name="t{sandrine}" value="7,5"' in html
    assert "Rien n'a été enregistré : 2 cellules à corriger." in html
    assert "Au plus 744 heures dans un mois." in html
    assert "Saisissez un nombre (ex. 151,67)." in html
    form = response.context["form"]
    assert form.errors[f"h{sandrine}"] == ["Au plus 744 heures dans un mois."]
    assert form.errors[f"t{elodie}"] == ["Saisissez un nombre (ex. 151,67)."]
    assert "is-invalid" in str(form[f"h{sandrine}"])
    # The total line adds the valid cells as typed: 151,67 (Élodie) + 151,67 (Karim, validated).
    assert response.context["hours_total"] == D("303.34")


def test_worked_and_training_hours_together_at_most_744(lot_data, client_for):
    response = client_for("Facilitatrice").post(
        grid_url(lot_data["lot"]), cells(lot_data, sandrine=("700", "50"))
    )
    assert response.status_code == 200
    sandrine = lot_data["a"]["sandrine"].pk
    assert response.context["form"].errors[f"t{sandrine}"] == [
        "Heures travaillées et de formation : au plus 744 heures ensemble dans un mois."
    ]


def test_validated_entries_are_not_changed_by_the_grid(lot_data, client_for):
    """A validated row has no input; values posted for it anyway (a forged or stale page) are not written:
    without the original values they are ignored, with them they are a conflict."""
    karim = lot_data["e"]["karim_june"]
    post = {**cells(lot_data, sandrine=("20", "")), f"h{lot_data['a']['karim'].pk}": "10"}
    response = client_for("Facilitatrice").post(grid_url(lot_data["lot"]), post)
    assert response.status_code == 302
    karim.refresh_from_db()
    assert karim.hours == D("151.67") and karim.is_validated
    assert HoursEntry.objects.get(assignment=lot_data["a"]["sandrine"], month=JUNE).hours == D(20)
    post = cells(lot_data, karim=("10", ""))  # with its original « 151,67 »
    response = client_for("Facilitatrice").post(grid_url(lot_data["lot"]), post)
    assert response.status_code == 409
    karim.refresh_from_db()
    assert karim.hours == D("151.67") and karim.is_validated


def test_the_manager_saves_and_validates_the_month(lot_data, client_for, manager):
    client = client_for(None)
    client.force_login(manager)
    post = {**cells(lot_data, elodie=("100", ""), sandrine=("35", "")), "valider": "1", "confirmer": "1"}
    response = client.post(grid_url(lot_data["lot"]), post, follow=True)
    assert response.status_code == 200
    june = HoursEntry.objects.filter(assignment__lot=lot_data["lot"], month=JUNE)
    assert sorted((e.hours, e.status, e.validated_by_id) for e in june) == [
        (D(35), "validee", manager.pk),
        (D(100), "validee", manager.pk),
        (D("151.67"), "validee", None),  # Karim's: already validated (by the factory), untouched
    ]
    assert "Heures de juin 2025 enregistrées : 1 ligne créée, 0 modifiée, 0 effacée ; 2 lignes validées." in [
        str(m) for m in response.context["messages"]
    ]
    assert response.context["summary"]["progress"].done == D("462.17")  # 327,17 + 100 + 35


def test_facilitators_validate_only_when_the_manager_allows_it(lot_data, client_for):
    post = {**cells(lot_data, elodie=("100", "")), "valider": "1", "confirmer": "1"}  # confirmed
    client = client_for("Facilitatrice")
    assert client.post(grid_url(lot_data["lot"]), post).status_code == 403
    assert HoursEntry.objects.get(pk=lot_data["e"]["elodie_june"].pk).status == "brouillon"
    with override_settings(CLAUSES_FACILITATORS_VALIDATE=True):
        assert client.post(grid_url(lot_data["lot"]), post).status_code == 302
    assert HoursEntry.objects.get(pk=lot_data["e"]["elodie_june"].pk).status == "validee"


def test_the_reader_never_sees_the_grid(lot_data, client_for):
    assert client_for("Lecteur").get(grid_url(lot_data["lot"])).status_code == 403
    assert (
        client_for("Lecteur").post(grid_url(lot_data["lot"]), cells(lot_data, sandrine=("1", ""))).status_code
        == 403
    )
    assert not HoursEntry.objects.filter(assignment=lot_data["a"]["sandrine"]).exists()


def test_unknown_lot_is_404(client_for, db):
    assert client_for("Facilitatrice").get(reverse("hours:grid") + "?lot=999999").status_code == 404


# --- queries -----------------------------------------------------------------------------------------------


def _busy_lot(count):
    lot = ClauseFactory().lot
    company = CompanyFactory()
    for n in range(count):
        a = AssignmentFactory(lot=lot, company=company)
        HoursEntryFactory(assignment=a, month=MAY, hours=D(100))
        if n % 2:
            HoursEntryFactory(assignment=a, month=JUNE, hours=D(50), draft=True)
        if n % 5 == 0:
            AssignmentFactory(lot=lot, company=company, participant=a.participant, contract_type="CDI")
    return lot


def test_grid_queries_do_not_grow_with_rows(client_for, django_assert_max_num_queries):
    small, big = _busy_lot(3), _busy_lot(50)
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15) as small_ctx:
        assert client.get(grid_url(small)).status_code == 200
    with django_assert_max_num_queries(15) as big_ctx:
        response = client.get(grid_url(big))
    assert len(response.context["grid_rows"]) == 60
    assert len(big_ctx.captured_queries) == len(small_ctx.captured_queries)


def test_saving_a_big_grid_runs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    lot = _busy_lot(50)
    rows = Assignment.objects.filter(lot=lot)
    post = {}
    drafts = {e.assignment_id: e for e in HoursEntry.objects.filter(assignment__lot=lot, month=JUNE)}
    for n, a in enumerate(rows):
        post[f"h{a.pk}"] = f"{120 + n},5"
        post[f"t{a.pk}"] = ""
        post[f"oh{a.pk}"] = grid.format_hours(drafts[a.pk].hours) if a.pk in drafts else ""
        post[f"ot{a.pk}"] = ""
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(20):
        response = client.post(grid_url(lot), post)
    assert response.status_code == 302
    june = HoursEntry.objects.filter(assignment__lot=lot, month=JUNE)
    assert june.count() == 60
    assert sum(e.hours for e in june) == sum(D(f"{120 + n}.5") for n in range(60))


# --- adding a person ---------------------------------------------------------------------------------------


def add_url(lot, month=JUNE):
    return reverse("hours:grid_add") + f"?mois={month:%Y-%m}&lot={lot.pk}"


def test_adding_an_existing_person_in_the_modal_returns_the_new_row(lot_data, client_for):
    person = ParticipantFactory(last_name="Fournier", first_name="Kevin")
    post = {
        "participant": person.pk,
        "company": lot_data["holder"].pk,
        "modality": Modality.DIRECT_HIRE,
        "contract_type": "CDD",
        "job": "Peintre",
        "starts_on": "2025-06-02",
    }
    response = client_for("Facilitatrice").post(
        add_url(lot_data["lot"]), post, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#grid-body"
    assert response["HX-Reswap"] == "beforeend"
    a = Assignment.objects.get(participant=person)
    assert (a.lot, a.company, a.employer, a.job) == (
        lot_data["lot"],
        lot_data["holder"],
        lot_data["holder"],
        "Peintre",
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and f'name="h{a.pk}"' in html
    assert "FOURNIER Kevin" in html


def test_adding_a_new_person_without_javascript(lot_data, client_for):
    post = {
        "new_last_name": "Ouali",
        "new_first_name": "Samia",
        "new_birth_date": "1990-04-02",
        "new_sex": "F",
        "company": lot_data["holder"].pk,
        "employer": lot_data["etti"].pk,
        "modality": Modality.ETTI,
        "contract_type": "interim",
        "starts_on": "2025-05-12",
    }
    response = client_for("Facilitatrice").post(add_url(lot_data["lot"]), post)
    assert response.status_code == 302 and response.url == grid_url(lot_data["lot"])
    person = Participant.objects.get(last_name="Ouali")
    assert person.assignments.get().employer == lot_data["etti"]


def test_adding_a_duplicate_person_or_a_contract_outside_the_month_is_refused(lot_data, client_for):
    existing = lot_data["a"]["elodie"].participant
    post = {
        "new_last_name": "AUBRY",
        "new_first_name": "elodie",
        "new_birth_date": existing.birth_date.isoformat(),
        "new_sex": "F",
        "company": lot_data["holder"].pk,
        "modality": Modality.DIRECT_HIRE,
        "contract_type": "CDD",
        "starts_on": "2025-07-01",
    }
    count = Participant.objects.count()
    response = client_for("Facilitatrice").post(
        add_url(lot_data["lot"]), post, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["new_last_name"] == [
        "Cette personne existe déjà (même nom, prénom et date de naissance). "
        "Choisissez-la dans la liste « Personne »."
    ]
    assert errors["starts_on"] == [
        "Pour figurer dans la grille de juin 2025, le contrat doit commencer au plus tard le 30/06/2025."
    ]
    assert Participant.objects.count() == count
    assert "HX-Retarget" not in response


def test_adding_needs_a_person(lot_data, client_for):
    post = {
        "company": lot_data["holder"].pk,
        "modality": "embauche",
        "contract_type": "CDD",
        "starts_on": "2025-06-01",
    }
    response = client_for("Facilitatrice").post(add_url(lot_data["lot"]), post)
    assert response.status_code == 200
    assert response.context["form"].errors["participant"][0].startswith("Choisissez la personne")


def test_add_page_without_a_lot_goes_back_to_the_grid(client_for, db):
    response = client_for("Facilitatrice").get(reverse("hours:grid_add"))
    assert response.status_code == 302 and response.url.startswith(reverse("hours:grid"))


def test_a_facilitator_sees_her_lots_first(lot_data, client_for, facilitator):
    other = AssignmentFactory(starts_on=datetime.date(2025, 6, 1)).lot  # another market, nobody's
    mine = lot_data["lot"].market
    mine.facilitator = facilitator
    mine.save()
    client = client_for(None)
    client.force_login(facilitator)
    landing = reverse("hours:grid") + "?mois=2025-06"
    assert [lot.pk for lot in client.get(landing).context["lots"]] == [lot_data["lot"].pk]
    HoursEntryFactory(assignment=lot_data["a"]["sandrine"], month=JUNE, draft=True)  # ours: all entered
    every = client.get(landing + "&miens=0").context["lots"]
    # Lots with rows still to enter come first: the other lot (1 active, 0 entered), then ours (to validate).
    assert [lot.pk for lot in every] == [other.pk, lot_data["lot"].pk]


def test_the_add_page_works_without_javascript_and_in_the_modal(lot_data, client_for):
    client = client_for("Facilitatrice")
    page = client.get(add_url(lot_data["lot"])).content.decode()
    assert "<html" in page and "Ajouter une personne à la grille de juin 2025" in page
    fragment = client.get(add_url(lot_data["lot"]), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="add-form"' in fragment
    # The company credited is chosen among the lot's awarded companies (one here: preselected).
    assert f'<option value="{lot_data["holder"].pk}" selected>' in fragment


def test_adding_to_a_company_grid_picks_one_of_its_lots(lot_data, client_for):
    holder = lot_data["holder"]
    url = reverse("hours:grid_add") + f"?mois=2025-06&entreprise={holder.pk}"
    person = ParticipantFactory()
    post = {
        "participant": person.pk,
        "lot": lot_data["lot"].pk,
        "modality": "embauche",
        "contract_type": "CDI",
        "starts_on": "2025-06-01",
    }
    response = client_for("Facilitatrice").post(url, post)
    assert response.status_code == 302
    assert response.url == reverse("hours:grid") + f"?mois=2025-06&entreprise={holder.pk}"
    a = Assignment.objects.get(participant=person)
    assert (a.lot, a.company, a.employer) == (lot_data["lot"], holder, holder)
    stranger = ClauseFactory().lot  # not a lot of this company
    response = client_for("Facilitatrice").post(
        url, {**post, "lot": stranger.pk, "participant": ParticipantFactory().pk}
    )
    assert response.status_code == 200 and "lot" in response.context["form"].errors
