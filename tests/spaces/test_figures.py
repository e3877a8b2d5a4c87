"""The spaces' figures on the hand-built data of tests/spaces/conftest.py, exact, and equal to the team's
pages for the same lots (hours/queries.py is the one way of counting: the spaces only show it)."""

import datetime
from decimal import Decimal

from django.urls import reverse

from clauses_site.roles import FACILITATOR
from hours.queries import Progress

THROUGH = datetime.date(2025, 5, 1)  # 15/07/2025, one month of collection lag: expected to end of May


def figures(p):
    return (p.required, p.done, p.expected, p.remaining, p.rate, p.lagging, p.expected_through)


def test_company_space_figures(world, signed_in):
    a, b = world["users"]["a"], world["users"]["b"]
    awards_a = signed_in(a).get(reverse("spaces:home")).context["awards"]
    assert [figures(aw.progress) for aw in awards_a] == [
        (Decimal(700), Decimal(150), Decimal("291.67"), Decimal(550), Decimal("0.2143"), True, THROUGH)
    ]
    response_b = signed_in(b).get(reverse("spaces:home"))
    by_lot = {aw.lot.market.reference: figures(aw.progress) for aw in response_b.context["awards"]}
    assert by_lot == {
        "GRV-1": (
            Decimal(300),
            Decimal(80),
            Decimal("125.00"),
            Decimal(220),
            Decimal("0.2667"),
            True,
            THROUGH,
        ),
        "CUD-1": (
            Decimal(500),
            Decimal(60),
            Decimal("208.33"),
            Decimal(440),
            Decimal("0.1200"),
            True,
            THROUGH,
        ),
    }
    overall = response_b.context["overall"]
    assert (overall.required, overall.done, overall.expected) == (
        Decimal(800),
        Decimal(140),
        Decimal("333.33"),
    )
    # The page shows them, French formatting.
    text = response_b.content.decode()
    for shown in ("300,00", "80,00", "125,00", "220,00", "208,33", "440,00"):
        assert shown in text, shown
    # The lot page of A: the same figures.
    lot_page = signed_in(a).get(reverse("spaces:lot", args=[world["lots"]["x1"].pk]))
    assert figures(lot_page.context["award"].progress) == figures(awards_a[0].progress)


def test_buyer_space_figures(world, signed_in):
    x, y = world["users"]["x"], world["users"]["y"]
    home_x = signed_in(x).get(reverse("spaces:home"))
    [grv] = home_x.context["markets"]
    expected_grv = (
        Decimal(1000),
        Decimal(230),
        Decimal("416.67"),
        Decimal(770),
        Decimal("0.2300"),
        True,
        THROUGH,
    )
    assert figures(grv.progress) == expected_grv
    assert figures(home_x.context["overall"]) == expected_grv
    [cud] = signed_in(y).get(reverse("spaces:home")).context["markets"]
    assert figures(cud.progress)[:4] == (Decimal(500), Decimal(60), Decimal("208.33"), Decimal(440))
    market_page = signed_in(x).get(reverse("spaces:market", args=[grv.pk]))
    lots = {lot.number: figures(lot.progress)[:4] for lot in market_page.context["lots"]}
    assert lots == {
        "1": (Decimal(1000), Decimal(230), Decimal("416.67"), Decimal(770)),
        "2": (Decimal(0), Decimal(0), Decimal("0.00"), Decimal(0)),  # no clause
    }
    lot_page = signed_in(x).get(reverse("spaces:lot", args=[world["lots"]["x1"].pk]))
    assert figures(lot_page.context["lot"].progress)[:4] == lots["1"]
    companies = {aw.company.name: figures(aw.progress)[:4] for aw in lot_page.context["awards"]}
    assert companies == {
        "Béton Côte d'Opale": (Decimal(700), Decimal(150), Decimal("291.67"), Decimal(550)),
        "Peintures du Nord": (Decimal(300), Decimal(80), Decimal("125.00"), Decimal(220)),
    }
    # The draft of 40 h (May) is counted nowhere.
    assert "190,00" not in lot_page.content.decode() and "270,00" not in lot_page.content.decode()


def test_the_spaces_show_the_team_pages_figures(world, signed_in, client_for):
    team = client_for(FACILITATOR)
    users, lots, markets = world["users"], world["lots"], world["markets"]
    company_a, company_b = world["companies"]
    for user, company in ((users["a"], company_a), (users["b"], company_b)):
        internal = team.get(reverse("companies:company_detail", args=[company.pk])).context["awards"]
        internal = {aw.lot_id: aw.progress for aw in internal}
        space = signed_in(user).get(reverse("spaces:home")).context["awards"]
        assert space and all(isinstance(aw.progress, Progress) for aw in space)
        for award in space:
            assert award.progress == internal[award.lot_id], (company, award.lot)
    internal_market = team.get(reverse("markets:market_detail", args=[markets["grv"].pk])).context
    space_market = signed_in(users["x"]).get(reverse("spaces:market", args=[markets["grv"].pk])).context
    assert space_market["overall"] == internal_market["overall"]
    assert {lot.pk: lot.progress for lot in space_market["lots"]} == {
        lot.pk: lot.progress for lot in internal_market["lots"]
    }
    internal_lot = team.get(reverse("markets:lot_detail", args=[lots["x1"].pk])).context
    space_lot = signed_in(users["x"]).get(reverse("spaces:lot", args=[lots["x1"].pk])).context
    assert space_lot["lot"].progress == internal_lot["lot"].progress
    assert {aw.company_id: aw.progress for aw in space_lot["awards"]} == {
        aw.company_id: aw.progress for aw in internal_lot["awards"]
    }
    internal_buyer = team.get(reverse("markets:buyer_detail", args=[world["buyers"][1].pk])).context
    space_buyer = signed_in(users["y"]).get(reverse("spaces:home")).context
    assert space_buyer["overall"] == internal_buyer["overall"]  # Y: its one market, in execution


def test_space_pages_run_a_constant_number_of_queries(world, signed_in, django_assert_max_num_queries):
    client_x, client_b = signed_in(world["users"]["x"]), signed_in(world["users"]["b"])
    pages = [
        (client_x, reverse("spaces:home")),
        (client_x, reverse("spaces:market", args=[world["markets"]["grv"].pk])),
        (client_x, reverse("spaces:lot", args=[world["lots"]["x1"].pk])),
        (client_b, reverse("spaces:home")),
        (client_b, reverse("spaces:lot", args=[world["lots"]["x1"].pk])),
        (client_b, reverse("spaces:declaration", args=[2025, 6])),
    ]
    for client, url in pages:
        client.get(url)  # the session's first save
        # A company's home: + its declared hours (1 query) and the months due (2): spaces.declarations.
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200
