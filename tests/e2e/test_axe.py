"""axe-core on every main page, as each role (issue 15, item 1): no critical or serious violation.

axe-core is vendored in tests/e2e/vendor/ (see its README.md). The data are small and hand-made: one of
each kind of record, so that every list has a row and every kind of detail page and form can be opened.
Each role visits the pages the access matrix (tests/access_matrix.py) gives it with a 200, in one
browser context; a page that answers otherwise fails the test, so that no page is skipped unseen.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from clauses_site import roles
from tests.access_matrix import MATRIX
from tests.companies.factories import CompanyFactory, ContactFactory
from tests.factories import PASSWORD, UserFactory
from tests.hours.access_import import _refused_batch
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.jobs.factories import JobFactory
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.partnerships.factories import (
    JournalEntryFactory,
    NeedFactory,
    ProposalFactory,
    TraineeFactory,
    TrainingFactory,
)

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
FAILING_IMPACTS = {"critical", "serious"}
D = Decimal


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The pages' Content-Security-Policy forbids inline scripts: let the test add axe-core's."""
    return {**browser_context_args, "bypass_csp": True}


def build_data(manager):
    """One record of each kind, linked the way the team's work links them; returns the URL kwargs."""
    buyer = BuyerFactory(name="Communauté urbaine de Dunkerque")
    operation = OperationFactory(buyer=buyer, name="NPNRU Banc Vert")
    market = MarketFactory(
        buyer=buyer,
        operation=operation,
        reference="CUD-2025-014",
        title="Groupe scolaire",
        facilitator=manager,
    )
    clause = ClauseFactory(lot__market=market, lot__number="1", stated_hours=D(1000))
    lot = clause.lot
    bare_lot = LotFactory(market=market, number="2", title="Second œuvre")  # no clause yet
    company = CompanyFactory(name="Bâti Flandre")
    ContactFactory(company=company)
    award = AwardFactory(lot=lot, company=company)
    person = ParticipantFactory(last_name="Aubry", first_name="Élodie")
    outcome = OutcomeFactory(participant=person)
    assignment = AssignmentFactory(participant=person, lot=lot, company=company)
    for month in (3, 4, 5):
        entry = HoursEntryFactory(assignment=assignment, month=datetime.date(2025, month, 1), hours=D(120))
    for n in range(9):  # ten people in 2025: the Lecteur may see the buyer's bilan (from 10 people)
        other = AssignmentFactory(
            participant=ParticipantFactory(last_name=f"Dupont{n}"), lot=lot, company=company
        )
        HoursEntryFactory(assignment=other, month=datetime.date(2025, 4, 1), hours=D(35))
    draft = HoursEntryFactory(assignment=assignment, month=datetime.date(2025, 6, 1), hours=D(80), draft=True)
    # A lot running now with few hours: the dashboard's table, the lots at risk and their icons.
    running = ClauseFactory(
        lot__market__buyer=buyer,
        lot__market__reference="CUD-2026-003",
        lot__market__starts_on=datetime.date(2026, 1, 1),
        lot__market__ends_on=datetime.date(2027, 6, 30),
        stated_hours=D(2000),
    ).lot
    AwardFactory(lot=running, company=company)
    recent = AssignmentFactory(
        participant=ParticipantFactory(last_name="Caron"),
        lot=running,
        company=company,
        starts_on=datetime.date(2026, 2, 2),
        ends_on=datetime.date(2026, 12, 31),
    )
    HoursEntryFactory(assignment=recent, month=datetime.date(2026, 3, 1), hours=D(35))
    journal = JournalEntryFactory(markets=[market], buyers=[buyer], companies=[company])
    need = NeedFactory(lot=lot, company=company)
    proposal = ProposalFactory(need=need, participant=ParticipantFactory(last_name="Benali"))
    training = TrainingFactory()
    trainee = TraineeFactory(training=training, participant=person)
    return {
        "buyer": buyer,
        "operation": operation,
        "market": market,
        "lot": lot,
        "bare_lot": bare_lot,
        "clause": clause,
        "award": award,
        "company": company,
        "person": person,
        "outcome": outcome,
        "assignment": assignment,
        "entry": entry,
        "draft": draft,
        "journal": journal,
        "need": need,
        "proposal": proposal,
        "training": training,
        "trainee": trainee,
        "batch": _refused_batch(),
        "job": JobFactory(user=manager),
    }


def pages(d):
    """(url name, URL) of every main page: home, lists, each kind of detail page and form, the grid with a
    lot and a month, the pipeline, the bilans and a preview, the imports, the partnerships, the account."""
    pk = {name: {"pk": obj.pk} for name, obj in d.items()}
    scope = f"scope=buyer&id={d['buyer'].pk}&start=2025-01-01&end=2025-12-31"
    rows = [
        ("home", None, ""),
        ("search", None, "?q=flandre"),
        ("password_change", None, ""),
        ("two_factor", None, ""),
        ("markets:market_list", None, ""),
        ("markets:market_list", None, f"?buyer={d['buyer'].pk}"),
        ("markets:market_create", None, ""),
        ("markets:market_detail", pk["market"], ""),
        ("markets:market_update", pk["market"], ""),
        ("markets:market_delete", pk["market"], ""),
        ("markets:lot_create", {"market_pk": d["market"].pk}, ""),
        ("markets:buyer_list", None, ""),
        ("markets:buyer_create", None, ""),
        ("markets:buyer_detail", pk["buyer"], ""),
        ("markets:buyer_update", pk["buyer"], ""),
        ("markets:operation_create", {"buyer_pk": d["buyer"].pk}, ""),
        ("markets:operation_update", pk["operation"], ""),
        ("markets:lot_list", None, ""),
        ("markets:lot_detail", pk["lot"], ""),
        ("markets:lot_update", pk["lot"], ""),
        ("markets:clause_create", {"lot_pk": d["bare_lot"].pk}, ""),
        ("markets:clause_update", pk["clause"], ""),
        ("markets:award_create", {"lot_pk": d["lot"].pk}, ""),
        ("markets:award_update", pk["award"], ""),
        ("markets:pipeline", None, ""),
        ("markets:pipeline_upcoming", None, ""),
        ("companies:company_list", None, ""),
        ("companies:company_create", None, ""),
        ("companies:company_detail", pk["company"], ""),
        ("companies:company_update", pk["company"], ""),
        ("participants:participant_list", None, ""),
        ("participants:participant_create", None, ""),
        ("participants:participant_detail", pk["person"], ""),
        ("participants:participant_update", pk["person"], ""),
        ("participants:outcome_create", pk["person"], ""),
        ("participants:outcome_update", pk["outcome"], ""),
        ("participants:personal_data", None, ""),
        ("participants:access_log", None, ""),
        ("participants:participant_anonymise", pk["person"], ""),
        ("hours:grid", None, "?mois=2025-06"),
        ("hours:grid", None, f"?mois=2025-06&lot={d['lot'].pk}"),
        ("hours:entry_list", None, ""),
        ("hours:entry_create", None, ""),
        ("hours:entry_detail", pk["entry"], ""),
        ("hours:entry_update", pk["draft"], ""),
        ("hours:entry_reopen", pk["entry"], ""),
        ("hours:assignment_list", None, ""),
        ("hours:assignment_create", None, ""),
        ("hours:assignment_detail", pk["assignment"], ""),
        ("hours:assignment_update", pk["assignment"], ""),
        ("hours:import_upload", None, ""),
        ("hours:import_list", None, ""),
        ("hours:import_detail", pk["batch"], ""),
        ("reporting:bilan_form", None, ""),
        ("reporting:bilan_form", None, f"?{scope}"),
        ("reporting:bilan_archive", None, ""),
        ("reporting:dashboard_lots", None, ""),
        ("reporting:activity", None, ""),
        ("partnerships:index", None, ""),
        ("partnerships:need_list", None, ""),
        ("partnerships:need_create", None, ""),
        ("partnerships:need_detail", pk["need"], ""),
        ("partnerships:need_update", pk["need"], ""),
        ("partnerships:need_upcoming", None, ""),
        ("partnerships:proposal_create", pk["need"], ""),
        ("partnerships:proposal_update", pk["proposal"], ""),
        ("partnerships:proposal_hire", pk["proposal"], ""),
        ("partnerships:training_list", None, ""),
        ("partnerships:training_create", None, ""),
        ("partnerships:training_detail", pk["training"], ""),
        ("partnerships:training_update", pk["training"], ""),
        ("partnerships:trainee_create", pk["training"], ""),
        ("partnerships:trainee_update", pk["trainee"], ""),
        ("partnerships:journal_list", None, ""),
        ("partnerships:journal_create", None, ""),
        ("partnerships:journal_detail", pk["journal"], ""),
        ("partnerships:journal_update", pk["journal"], ""),
        ("partnerships:journal_follow_ups", None, ""),
        ("partnerships:outcomes_end", None, ""),
        ("partnerships:outcomes_six_months", None, ""),
        ("partnerships:directory", None, ""),
        ("jobs:job_list", None, ""),
        ("jobs:job_detail", pk["job"], ""),
    ]
    return [(name, reverse(name, kwargs=kwargs) + query) for name, kwargs, query in rows]


def axe_violations(page):
    """The critical and serious violations of the page as lines: rule, impact, count, first targets."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} nœud(s)) : "
        + " ; ".join(", ".join(map(str, node["target"])) for node in v["nodes"][:3])
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url} : HTTP {response.status}"
    return axe_violations(page)


def report(found):
    return "Violations axe critiques ou graves :\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(lines) for url, lines in found.items()
    )


def test_the_pages_without_an_account_pass_axe(page, live_server, transactional_db):
    found = {}
    for name in ("login", "password_reset"):
        url = reverse(name)
        if lines := visit(page, live_server.url + url):
            found[url] = lines
    assert not found, report(found)


@pytest.mark.parametrize("role", [roles.MANAGER, roles.FACILITATOR, roles.READER])
def test_every_main_page_passes_axe(role, login, page, live_server, transactional_db):
    manager = UserFactory(username="nadia", first_name="Nadia", manager=True)
    user = manager if role == roles.MANAGER else UserFactory(username="visiteur", role=role)
    visited = [(name, url) for name, url in pages(build_data(manager)) if MATRIX[name][role] == 200]
    login(user, PASSWORD)
    found = {}
    for _, url in visited:
        if lines := visit(page, live_server.url + url):
            found[url] = lines
    assert len(visited) > 20  # every role sees the lists and detail pages at least
    assert not found, report(found)
