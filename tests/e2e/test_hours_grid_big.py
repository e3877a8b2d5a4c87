"""Browser journey of issue 14 item 2: a grid of 300 people (1 200 inputs, over Django's 1 000 fields)
saves, the page's JavaScript posting its cells in one field."""

import datetime
import json
from decimal import Decimal
from urllib.parse import parse_qs

from playwright.sync_api import expect

from hours.models import HoursEntry
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import people_at_work
from tests.markets.factories import AwardFactory, ClauseFactory

D = Decimal
JUNE = datetime.date(2025, 6, 1)


def test_a_grid_of_300_people_saves(login, live_server, transactional_db):
    lot = ClauseFactory(stated=True).lot
    company = CompanyFactory(name="Bâti Flandre")
    AwardFactory(lot=lot, company=company)
    people_at_work(lot, company, 300)
    page = login(UserFactory(username="claire", facilitator=True))
    posts = []
    page.on("request", lambda r: posts.append(r.post_data) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/heures/saisie/?mois=2025-06&lot={lot.pk}")
    page.get_by_label("Heures travaillées — NOM0000 Élodie").fill("151,67")
    page.get_by_label("Heures de formation — NOM0299 Élodie").fill("7")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Heures de juin 2025 enregistrées")).to_contain_text(
        "2 lignes créées"
    )
    june = HoursEntry.objects.filter(month=JUNE).order_by("assignment__participant__last_name")
    assert [(e.assignment.participant.last_name, e.hours, e.training_hours) for e in june] == [
        ("Nom0000", D("151.67"), D(0)),
        ("Nom0299", D(0), D(7)),
    ]
    assert len(posts) == 1
    fields = parse_qs(posts[0])  # two fields, not 1 200: the cells are in « cellules »
    assert sorted(fields) == ["cellules", "csrfmiddlewaretoken"]
    cells = json.loads(fields["cellules"][0])
    assert len(cells) == 2 * 300 + 2  # every row's originals, and the two cells typed
