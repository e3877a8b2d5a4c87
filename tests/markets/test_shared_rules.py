"""Markets use the rules shared with the other apps (issue 13): one list of colleagues, one way of
moving a market between stages, one explanation of a clause's hours owed, one record URL."""

import pytest

from clauses_site import roles
from clauses_site.records import KeyedModel, SearchableQuerySet
from markets.filters import MarketFilter
from markets.forms import MarketForm
from markets.models import Buyer, Lot, Market
from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory, LotFactory, MarketFactory

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
