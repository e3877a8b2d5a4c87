"""Another organisation's objects answer 404 in the space, and the lists show only one's own (two
organisations of each kind: tests/spaces/conftest.py)."""

from django.urls import reverse


def lot_url(lot):
    return reverse("spaces:lot", args=[lot.pk])


def market_url(market):
    return reverse("spaces:market", args=[market.pk])


def test_a_company_sees_its_clause_lots_only(world, signed_in):
    a, b = world["users"]["a"], world["users"]["b"]
    lots = world["lots"]
    home_a = signed_in(a).get(reverse("spaces:home"))
    # A: lot 1 of GRV-1 (clause); not lot 2 (no clause), not the lot of a market still under study.
    assert [award.lot for award in home_a.context["awards"]] == [lots["x1"]]
    home_b = signed_in(b).get(reverse("spaces:home"))
    assert sorted(award.lot.pk for award in home_b.context["awards"]) == sorted(
        [lots["x1"].pk, lots["y1"].pk]
    )
    client_a = signed_in(a)
    assert client_a.get(lot_url(lots["x1"])).status_code == 200
    for other in ("x2", "study", "y1"):  # no clause, under study, another company's
        assert client_a.get(lot_url(lots[other])).status_code == 404, other
    assert signed_in(b).get(lot_url(lots["y1"])).status_code == 200
    # A company has no market page.
    assert client_a.get(market_url(world["markets"]["grv"])).status_code == 404


def test_a_buyer_sees_its_markets_and_lots_only(world, signed_in):
    x, y = world["users"]["x"], world["users"]["y"]
    markets, lots = world["markets"], world["lots"]
    client_x, client_y = signed_in(x), signed_in(y)
    assert [m.reference for m in client_x.get(reverse("spaces:home")).context["markets"]] == ["GRV-1"]
    assert [m.reference for m in client_y.get(reverse("spaces:home")).context["markets"]] == ["CUD-1"]
    assert client_x.get(market_url(markets["grv"])).status_code == 200
    assert [lot.number for lot in client_x.get(market_url(markets["grv"])).context["lots"]] == ["1", "2"]
    for market in ("study", "cud"):
        assert client_x.get(market_url(markets[market])).status_code == 404, market
    assert client_y.get(market_url(markets["grv"])).status_code == 404
    assert client_x.get(lot_url(lots["x1"])).status_code == 200
    for lot in ("study", "y1"):
        assert client_x.get(lot_url(lots[lot])).status_code == 404, lot
    assert client_y.get(lot_url(lots["x1"])).status_code == 404
    assert client_y.get(lot_url(lots["y1"])).status_code == 200


def test_the_address_alone_never_chooses_the_organisation(world, signed_in):
    """The same ids typed by the other organisation's user: 404 (querysets filtered by the user's
    organisation), and a query string naming the other organisation changes nothing."""
    a = world["users"]["a"]
    b_company = world["companies"][1]
    response = signed_in(a).get(reverse("spaces:home") + f"?company={b_company.pk}&entreprise={b_company.pk}")
    assert response.context["company"] == world["companies"][0]
    assert "Peintures du Nord" not in response.content.decode()


def test_a_revoked_or_unbound_external_user_sees_no_organisation(world, signed_in):
    from django.contrib.auth.models import Group

    from clauses_site import roles
    from tests.factories import UserFactory

    orphan = UserFactory(username="orphelin")
    orphan.groups.add(Group.objects.get(name=roles.COMPANY_USER))  # the group, no account
    client = signed_in(orphan)
    assert client.get(reverse("spaces:home")).status_code == 403
    assert client.get(lot_url(world["lots"]["x1"])).status_code == 403
    assert client.get(reverse("markets:market_list")).status_code == 403
