"""A company's monthly declaration (issue 16 item 3, spaces/views_declaration.py), on the world of
tests/spaces/conftest.py (today 15 July 2025: the month being collected is June 2025).

Company A employs Anne DURAND on X's lot 1 (validated: 100 h in March, 50 h in April; a team's draft of
40 h in May); company B employs Karim BENALI on X's lot 1 (80 h in March) and on Y's lot 1 (60 h)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clauses_site import roles
from companies.models import Company
from hours.models import Assignment, HoursEntry, LotMonthHours
from hours.queries import awards_with_hours, companies_with_hours, lots_with_hours
from markets.models import Award, Lot
from reporting import indicators
from spaces import declarations
from tests.factories import UserFactory

JUNE, MAY, MARCH = datetime.date(2025, 6, 1), datetime.date(2025, 5, 1), datetime.date(2025, 3, 1)


def url(year=2025, month=6):
    return reverse("spaces:declaration", args=[year, month])


def anne(world):
    return Assignment.objects.get(participant__first_name="Anne")


def karim_on(world, lot):
    return Assignment.objects.get(participant__first_name="Karim", lot=world["lots"][lot])


def cells(assignment, h="", t="", oh="", ot=""):
    pk = assignment.pk
    return {f"h{pk}": h, f"t{pk}": t, f"oh{pk}": oh, f"ot{pk}": ot}


def a_x1_done(world):
    """Hours counted for A on X's lot 1 (all months), A's bilan figures for 2025, X's lot 1's hours (its
    progress: A's and B's) and A's on the team's company page (companies_with_hours)."""
    a, x1 = world["companies"][0], world["lots"]["x1"]
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    award = awards_with_hours(Award.objects.filter(company=a, lot=x1)).get()
    figures = indicators.for_company(a, start, end)
    lot = lots_with_hours(Lot.objects.filter(pk=x1.pk), start, end).get()
    company = companies_with_hours(Company.objects.filter(pk=a.pk), start, end).get()
    return award.hours_done, figures.hours_done, lot.hours_done, company.hours_done


def test_months_due_and_the_home_page(world, signed_in):
    a, b = world["companies"]
    due = declarations.months_due(a, datetime.date(2025, 7, 15))
    assert [(d.month.month, d.status, d.rows) for d in due] == [
        (6, "a_faire", 1),
        (5, "declaree", 1),  # every row entered (the team's draft), not validated
        (2, "a_faire", 1),
        (1, "a_faire", 1),
    ]  # March and April: validated, not due
    due_b = declarations.months_due(b, datetime.date(2025, 7, 15))
    assert [(d.month.month, d.status, d.rows) for d in due_b] == [(m, "a_faire", 2) for m in (6, 5, 4, 2, 1)]
    text = signed_in(world["users"]["a"]).get(reverse("spaces:home")).content.decode()
    assert "Déclaration de juin 2025</a> : <span" in text
    assert "à faire" in text and "déclarée, en attente de validation" in text


def test_the_page_names_the_company_s_own_people_and_posts_only(world, signed_in):
    response = signed_in(world["users"]["a"]).get(url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "DURAND Anne" in text and "BENALI" not in text
    assert "Maçon" in text or "poste non précisé" in text
    assert f'name="h{anne(world).pk}"' in text
    assert f'name="h{karim_on(world, "x1").pk}"' not in text
    b_text = signed_in(world["users"]["b"]).get(url()).content.decode()
    assert "BENALI Karim" in b_text and "DURAND" not in b_text
    assert signed_in(world["users"]["x"]).get(url()).status_code == 404  # a buyer declares nothing


def test_declared_hours_count_nowhere_until_validated(world, signed_in, client_for):
    user_a = world["users"]["a"]
    before = (Decimal("150.00"), Decimal("150.00"), Decimal("230.00"), Decimal("150.00"))
    assert a_x1_done(world) == before
    response = signed_in(user_a).post(url(), cells(anne(world), h="151,67"))
    assert response.status_code == 302
    entry = HoursEntry.objects.get(assignment=anne(world), month=JUNE)
    assert (entry.status, entry.source, entry.entered_by) == ("declaree", "declaration", user_a)
    assert (entry.hours, entry.training_hours, entry.validated_at) == (Decimal("151.67"), 0, None)
    assert entry.history.get().history_user == user_a
    # Counted nowhere: the award's hours, the company's bilan figures, the lot × month summary.
    assert a_x1_done(world) == before
    assert not LotMonthHours.objects.filter(lot=world["lots"]["x1"], month=JUNE).exists()
    home = signed_in(user_a).get(reverse("spaces:home"))
    award = home.context["awards"][0]
    assert (award.progress.done, award.declared) == (Decimal("150.00"), Decimal("151.67"))
    assert '<td class="num" data-testid="declared">151,67</td>' in home.content.decode()
    assert [(d.month, d.status) for d in home.context["due"]][0] == (JUNE, "declaree")

    # The team's grid shows it « Déclarée », editable; validating the month makes it count.
    manager = client_for(roles.MANAGER)
    grid_url = f"{reverse('hours:grid')}?mois=2025-06&lot={world['lots']['x1'].pk}"
    page = manager.get(grid_url).content.decode()
    assert ">Déclarée</a>" in page
    detail = manager.get(reverse("hours:entry_detail", args=[entry.pk])).content.decode()
    assert 'data-testid="status">Déclarée</span>' in detail and "Déclaration de l&#x27;entreprise" in detail
    posted = {
        **cells(anne(world), h="151,67", oh="151,67"),
        **cells(karim_on(world, "x1")),
        "valider": "1",
        "confirmer": "1",
    }
    assert manager.post(grid_url, posted).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "validee" and entry.validated_by.username == "u-responsable"
    history = list(entry.history.order_by("history_id").values_list("history_user__username", "status"))
    assert history == [(user_a.username, "declaree"), ("u-responsable", "validee")]
    after = (Decimal("301.67"), Decimal("301.67"), Decimal("381.67"), Decimal("301.67"))
    assert a_x1_done(world) == after
    summary = LotMonthHours.objects.get(lot=world["lots"]["x1"], month=JUNE)
    assert (summary.entries, summary.hours) == (1, Decimal("151.67"))
    assert signed_in(user_a).get(reverse("spaces:home")).context["awards"][0].declared == 0


def test_a_company_changing_a_team_draft_declares_it(world, signed_in):
    response = signed_in(world["users"]["a"]).post(url(2025, 5), cells(anne(world), h="45", oh="40,00"))
    assert response.status_code == 302
    entry = HoursEntry.objects.get(assignment=anne(world), month=MAY)
    assert (entry.hours, entry.status, entry.source) == (Decimal("45.00"), "declaree", "declaration")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("745", "Au plus 744 heures dans un mois."),
        ("-3", "Pas d&#x27;heures négatives."),
        ("12,345", "Deux décimales au plus (ex. 151,67)."),
        ("douze", "Saisissez un nombre (ex. 151,67)."),
    ],
)
def test_refused_cells_say_why_and_keep_what_was_typed(world, signed_in, typed, message):
    response = signed_in(world["users"]["a"]).post(url(), cells(anne(world), h=typed))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and "Rien n'a été enregistré" in text
    assert f'value="{typed}"' in text
    assert not HoursEntry.objects.filter(month=JUNE).exists()


def test_a_future_month_is_refused(world, signed_in):
    response = signed_in(world["users"]["a"]).post(url(2025, 8), cells(anne(world), h="35"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Août 2025 n&#x27;a pas encore commencé" in text and 'value="35"' in text
    assert not HoursEntry.objects.filter(month=datetime.date(2025, 8, 1)).exists()


def test_an_attacker_writes_nothing_but_its_own_rows(world, signed_in):
    """Company A posts cells for B's assignments (on a lot A shares, and on a lot of another buyer) and a
    change to its own validated March: nothing of B is written, the validated entry stays."""
    posted = {
        **cells(anne(world), h="10"),
        **cells(karim_on(world, "x1"), h="99"),
        **cells(karim_on(world, "y1"), h="98"),
    }
    assert signed_in(world["users"]["a"]).post(url(), posted).status_code == 302
    assert list(HoursEntry.objects.filter(month=JUNE).values_list("assignment__company__name", "hours")) == [
        ("Béton Côte d'Opale", Decimal("10.00"))
    ]
    march = {**cells(anne(world), h="5", oh="100,00"), **cells(karim_on(world, "x1"), h="1", oh="80,00")}
    response = signed_in(world["users"]["a"]).post(url(2025, 3), march)
    assert response.status_code == 409
    assert (
        "votre saisie (5,00) n&#x27;est pas enregistrée : demandez à l&#x27;équipe de la corriger"
    ) in response.content.decode()
    assert sorted(HoursEntry.objects.filter(month=MARCH).values_list("hours", "status")) == [
        (Decimal("60.00"), "validee"),
        (Decimal("80.00"), "validee"),
        (Decimal("100.00"), "validee"),
    ]


def test_a_facilitator_s_change_meanwhile_is_not_overwritten(world, signed_in):
    """The company's page showed June empty; meanwhile a facilitator entered 20 h: the company's 30 h is a
    conflict (409), nothing written; posting again (the page now shows 20 h) writes its value."""
    facilitator = UserFactory(username="sophie", first_name="Sophie", last_name="Deschodt")
    HoursEntry.objects.create(
        assignment=anne(world), month=JUNE, hours=Decimal(20), status="brouillon", entered_by=facilitator
    )
    client = signed_in(world["users"]["a"])
    response = client.post(url(), cells(anne(world), h="30"))
    assert response.status_code == 409
    assert "modifiée par" in response.content.decode()
    entry = HoursEntry.objects.get(assignment=anne(world), month=JUNE)
    assert (entry.hours, entry.status) == (Decimal("20.00"), "brouillon")
    assert client.post(url(), cells(anne(world), h="30", oh="20,00")).status_code == 302
    entry.refresh_from_db()
    assert (entry.hours, entry.status) == (Decimal("30.00"), "declaree")


def test_the_team_s_queue_lists_the_declarations_by_month_and_company(world, signed_in, client_for):
    a, b = world["companies"]
    signed_in(world["users"]["a"]).post(url(), cells(anne(world), h="151,67", t="7"))
    signed_in(world["users"]["b"]).post(
        url(), {**cells(karim_on(world, "x1"), h="10"), **cells(karim_on(world, "y1"), h="20,5")}
    )
    signed_in(world["users"]["a"]).post(url(2025, 5), cells(anne(world), h="45", oh="40,00"))
    from hours.queries import declarations_by_company_month

    assert [
        (r["month"].month, r["company_name"], r["lines"], r["hours"], r["training"])
        for r in declarations_by_company_month()
    ] == [
        (5, "Béton Côte d'Opale", 1, Decimal("45.00"), Decimal("0.00")),
        (6, "Béton Côte d'Opale", 1, Decimal("151.67"), Decimal("7.00")),
        (6, "Peintures du Nord", 2, Decimal("30.50"), Decimal("0.00")),
    ]
    page = client_for(roles.FACILITATOR).get(reverse("hours:declarations")).content.decode()
    assert f"?mois=2025-06&amp;entreprise={b.pk}" in page and "30,50" in page
    assert "Mai 2025" in page
