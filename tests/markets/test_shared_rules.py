"""Markets use the rules shared with the other apps (issue 13): one list of colleagues, one way of
moving a market between stages, one explanation of a clause's hours owed, one record URL."""

from datetime import date as day
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clauses_site import roles
from clauses_site.formatting import hours
from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.roles import FACILITATOR
from markets.filters import MarketFilter
from markets.forms import ClauseForm, MarketForm
from markets.models import Buyer, Clause, Lot, Market, Stage, StageChange
from markets.views import hours_preview
from tests.editing import post_edit
from tests.factories import UserFactory
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)

pytestmark = pytest.mark.django_db


def test_market_form_and_filter_offer_the_team_in_one_order_named_one_way():
    """Active facilitators and managers, by first name, last name then log-in (two « Anne Martin »
    come in the order of their log-ins); a user without a name is shown by their log-in."""
    UserFactory(username="zoe", first_name="Anne", last_name="Martin", facilitator=True)
    UserFactory(username="abel", first_name="Anne", last_name="Martin", manager=True)
    UserFactory(username="sans-nom", first_name="", last_name="", facilitator=True)
    UserFactory(username="lecteur", first_name="Aaron", last_name="Abel", reader=True)
    UserFactory(username="partie", first_name="Aaron", last_name="Abel", facilitator=True, is_active=False)
    for field in (MarketForm().fields["facilitator"], MarketFilter().form.fields["facilitator"]):
        choices = [(str(label), user.instance.username if user else "") for user, label in field.choices]
        assert [username for _, username in choices] == ["", "sans-nom", "abel", "zoe"]
        assert [label for label, _ in choices][1:] == ["sans-nom", "Anne Martin", "Anne Martin"]
    assert list(roles.team_members().values_list("username", flat=True)) == ["sans-nom", "abel", "zoe"]


@pytest.mark.parametrize("model", [Buyer, Market])
def test_keys_and_search_come_from_the_shared_records(model):
    """compute_keys() + save() from KeyedModel; search() from SearchableQuerySet (no copy here)."""
    assert issubclass(model, KeyedModel) and "save" not in vars(model)
    assert isinstance(model.objects.all(), SearchableQuerySet)
    assert "search" not in vars(type(model.objects.all()))
    assert issubclass(Lot, KeyedModel)  # its save() adds the clause's recomputation


def test_keys_are_filled_on_save_and_search_ignores_case_and_accents():
    buyer = BuyerFactory(name="Ville de Grande-Synthe")
    market = MarketFactory(buyer=buyer, reference="GS-2026-01", title="École Léon Blum")
    lot = LotFactory(market=market, number="Lot n° 03")
    assert (buyer.name_key, buyer.search_text) == ("villedegrandesynthe", "ville de grande-synthe")
    assert (market.search_text, lot.number_key) == ("gs-2026-01 ecole leon blum", "3")
    assert list(Market.objects.search("LEON ecole")) == [market]
    assert list(Buyer.objects.search("synthe GRANDE")) == [buyer]
    assert list(Buyer.objects.search("")) == [buyer]


# --- moving a market between stages --------------------------------------------------------------------


@pytest.fixture
def moves(monkeypatch):
    """The calls of Market.move_to (which still runs): [(reference, stage, user, on)]."""
    calls = []
    move_to = Market.move_to

    def spy(self, stage, user=None, on=None):
        calls.append((self.reference, stage, user.username if user else None, on))
        return move_to(self, stage, user, on)

    monkeypatch.setattr(Market, "move_to", spy)
    return calls


def admin_form(client, market, **changes):
    """The admin change form of the market as stored, with `changes`, and no lot or stage inline."""
    market.refresh_from_db()
    page = client.get(reverse("admin:markets_market_change", args=[market.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for name in ("starts_on", "ends_on", "stage_reached_on"):  # as the admin writes dates
        data[name] = f"{getattr(market, name):%d/%m/%Y}"
    data["initial-stage_reached_on"] = data["stage_reached_on"]  # a callable default: hidden initial
    for prefix in ("lots", "stage_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return {**data, **changes}


def test_the_admin_moves_a_market_through_move_to(client, manager, moves):
    market = MarketFactory(reference="CUD-2026-007", stage=Stage.STUDY, stage_reached_on=day(2025, 2, 1))
    client.force_login(manager)
    url = reverse("admin:markets_market_change", args=[market.pk])
    response = client.post(url, admin_form(client, market, stage=Stage.PROPOSED))
    assert response.status_code == 302
    assert moves == [("CUD-2026-007", Stage.PROPOSED, manager.username, None)]  # today
    market.refresh_from_db()
    assert (market.stage, market.stage_reached_on) == (Stage.PROPOSED, timezone.localdate())
    change = StageChange.objects.get()
    assert (change.stage, change.date, change.by) == (Stage.PROPOSED, timezone.localdate(), manager)

    # The day typed with the stage is the day of the change; the same stage again records nothing.
    client.post(url, admin_form(client, market, stage=Stage.IN_TENDER_DOCS, stage_reached_on="03/03/2026"))
    client.post(url, admin_form(client, market, title="Autre intitulé", stage_reached_on="04/03/2026"))
    assert moves[1:] == [("CUD-2026-007", Stage.IN_TENDER_DOCS, manager.username, day(2026, 3, 3))]
    assert list(StageChange.objects.order_by("pk").values_list("stage", "date")) == [
        (Stage.PROPOSED, timezone.localdate()),
        (Stage.IN_TENDER_DOCS, day(2026, 3, 3)),
    ]
    market.refresh_from_db()
    assert (market.title, market.stage_reached_on) == ("Autre intitulé", day(2026, 3, 4))


def test_the_market_form_moves_a_market_through_move_to(client_for, moves):
    market = MarketFactory(reference="CUD-2026-008", stage=Stage.SPOTTED)
    url = reverse("markets:market_update", kwargs={"pk": market.pk})
    client = client_for(FACILITATOR)
    data = {"buyer": market.buyer_id, "reference": market.reference, "title": market.title}
    assert post_edit(client, url, {**data, "stage": Stage.STUDY}).status_code == 302
    assert post_edit(client, url, {**data, "stage": Stage.STUDY, "notes": "Vu le 3"}).status_code == 302
    assert moves == [("CUD-2026-008", Stage.STUDY, "u-facilitatrice", None)]
    assert list(StageChange.objects.values_list("stage", "by__username")) == [
        (Stage.STUDY, "u-facilitatrice")
    ]


# --- how a clause's hours owed are obtained ------------------------------------------------------------

#: Hand-built clauses of a lot of 1 000 000 € (or of no amount): what is stored (fractions), what the form
#: receives (percentages, French numbers), and the hours owed and the rule that gives them.
CLAUSES = {
    "formula on the lot's amount": (
        {"labour_share": D("0.5"), "insertion_rate": D("0.05"), "hourly_cost": D(30)},
        {"labour_share": "50", "insertion_rate": "5", "hourly_cost": "30"},
        (D("833.33"), "formula"),
    ),
    "stated wins over the formula": (
        {"stated_hours": D(900), "labour_share": D("0.5"), "insertion_rate": D("0.05"), "hourly_cost": D(30)},
        {"stated_hours": "900", "labour_share": "50", "insertion_rate": "5", "hourly_cost": "30"},
        (D(900), "stated"),
    ),
    "formula on its own amount": (
        {
            "formula_amount": D(2_000_000),
            "labour_share": D("0.5"),
            "insertion_rate": D("0.055"),
            "hourly_cost": D(25),
        },
        {"formula_amount": "2 000 000", "labour_share": "50", "insertion_rate": "5,5", "hourly_cost": "25"},
        (D(2200), "formula"),
    ),
    "stated zero": ({"stated_hours": D(0)}, {"stated_hours": "0"}, (D(0), "stated")),
    "nothing quantified": ({"hourly_cost": D(30)}, {"hourly_cost": "30"}, (None, None)),
    "incomplete formula": (
        {"labour_share": D("0.5"), "hourly_cost": D(30)},
        {"labour_share": "50", "hourly_cost": "30", "insertion_rate": "cinq"},
        (None, None),
    ),
    "formula without any amount": (
        {"labour_share": D("0.5"), "insertion_rate": D("0.05"), "hourly_cost": D(30)},
        {"labour_share": "50", "insertion_rate": "5", "hourly_cost": "30"},
        (None, None),
    ),
}


@pytest.mark.parametrize("case", CLAUSES)
def test_the_preview_explains_hours_owed_as_the_saved_clause_does(case, client_for):
    """One rule (Clause.explain()) for the lot's page, the market's page and the live preview: where no
    number is given the hours owed are « non chiffrées » everywhere (None), while hours_required
    stores 0 (sums count nothing owed); a stated 0 is 0 h, stated."""
    stored, typed, (owed, source) = CLAUSES[case]
    lot = LotFactory(amount=None if case == "formula without any amount" else D(1_000_000))
    clause = Clause.objects.create(lot=lot, **stored)  # as saved, even where clean() would refuse it
    explanation = Clause.objects.get().explain()
    assert (explanation["owed"], explanation["source"]) == (owed, source)
    assert clause.hours_required == (owed or 0)

    preview = hours_preview(ClauseForm(typed, instance=Clause(lot=lot)), lot)
    assert preview == explanation

    client = client_for(FACILITATOR)
    shown = "non chiffrées" if owed is None else f"{hours(owed)} h"
    pages = [
        client.get(reverse("markets:clause_preview", kwargs={"pk": lot.pk}), typed),
        client.get(reverse("markets:lot_detail", kwargs={"pk": lot.pk})),
        client.get(reverse("markets:market_detail", kwargs={"pk": lot.market_id})),
        client.get(reverse("markets:clause_update", kwargs={"pk": clause.pk})),  # unbound: the record
    ]
    for response in pages:
        assert response.status_code == 200
        assert f'data-testid="heures-dues-clause">{shown}</strong>' in response.content.decode()


# --- each record's page --------------------------------------------------------------------------------


def test_every_record_answers_the_page_that_shows_it():
    award = AwardFactory()
    clause = ClauseFactory(lot=award.lot)
    operation = OperationFactory(buyer=award.lot.market.buyer)
    lot, market, buyer = award.lot, award.lot.market, award.lot.market.buyer
    assert buyer.get_absolute_url() == f"/marches/donneurs/{buyer.pk}/"
    assert market.get_absolute_url() == f"/marches/{market.pk}/"
    assert lot.get_absolute_url() == f"/marches/lots/{lot.pk}/"
    # Shown on their parent's page: no page of their own.
    assert operation.get_absolute_url() == buyer.get_absolute_url()
    assert clause.get_absolute_url() == award.get_absolute_url() == lot.get_absolute_url()


def test_edit_and_delete_pages_go_back_to_the_record_by_default(client_for):
    """Success and cancel URLs come from get_absolute_url() (clauses_site/editing.py), not from one
    method per view; a create page cancels to where the record would have been shown."""
    award = AwardFactory()
    clause = ClauseFactory(lot=award.lot)
    operation = OperationFactory(buyer=award.lot.market.buyer)
    lot, market, buyer = award.lot, award.lot.market, award.lot.market.buyer
    client = client_for(FACILITATOR)
    pages = {
        ("buyer_update", buyer.pk): buyer,
        ("buyer_delete", buyer.pk): buyer,
        ("operation_create", buyer.pk): buyer,
        ("operation_update", operation.pk): buyer,
        ("operation_delete", operation.pk): buyer,
        ("market_update", market.pk): market,
        ("market_delete", market.pk): market,
        ("lot_create", market.pk): market,
        ("lot_update", lot.pk): lot,
        ("lot_delete", lot.pk): lot,
        ("clause_update", clause.pk): lot,
        ("clause_delete", clause.pk): lot,
        ("award_create", lot.pk): lot,
        ("award_update", award.pk): lot,
        ("award_delete", award.pk): lot,
    }
    for (name, pk), record in pages.items():
        response = client.get(reverse(f"markets:{name}", args=[pk]))
        assert response.status_code == 200, name
        assert response.context["cancel_url"] == record.get_absolute_url(), name
    assert client.get(reverse("markets:buyer_create")).context["cancel_url"] == "/marches/donneurs/"
    clause.delete()
    response = client.get(reverse("markets:clause_create", args=[lot.pk]))
    assert response.context["cancel_url"] == lot.get_absolute_url()

    # After saving: the record's page; after archiving: too; after deleting: the parent's page.
    data = {"buyer": buyer.pk, "reference": market.reference, "title": "Autre", "stage": market.stage}
    response = post_edit(client, reverse("markets:market_update", args=[market.pk]), data)
    assert response.url == market.get_absolute_url()
    response = client.post(reverse("markets:market_archive", args=[market.pk]))
    assert response.url == market.get_absolute_url()
    response = client.post(reverse("markets:operation_delete", args=[operation.pk]))
    assert response.url == buyer.get_absolute_url()
    response = client.post(reverse("markets:award_delete", args=[award.pk]))
    assert response.url == lot.get_absolute_url()


def test_upcoming_page_and_pdf_show_one_market_in_the_same_cells(client_for):
    """« Marchés à venir »: the page and its PDF write a market's cells from one template."""
    market = MarketFactory(title="Piscine", stage=Stage.STUDY, estimated_amount=D(1_500_000))
    market.pipeline_amount, market.clause_short = D(1_500_000), ""  # as the view annotates it
    pdf = render_to_string(
        "markets/pipeline_upcoming_pdf.html", {"markets": [market], "today": day(2026, 3, 1)}
    )
    page = client_for(FACILITATOR).get(reverse("markets:pipeline_upcoming")).content.decode()
    cells = [
        "<td>Piscine</td>",
        f"<td>{market.buyer.name}</td>",
        "<td>—</td>",
        '<td class="num">1,5\xa0M€</td>',
    ]
    for html in (pdf, page):
        assert all(cell in html for cell in cells), html
    assert '<td><span class="muted">à préciser</span></td>' in pdf and "<td>à préciser</td>" in page
