"""A facilitator records a site launch meeting with two recruitment needs, proposes a person for one of
them and hires her in one step: the assignment then appears in the monthly hours grid of the lot."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from hours.models import Assignment
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory


def choose(page, label, typed, option):
    """Pick `option` in an autocompletion box (Tom Select) by typing `typed`."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option).click()
    page.keyboard.press("Escape")


def test_site_launch_meeting_needs_proposal_and_hire(login, live_server, transactional_db):
    today = timezone.localdate()
    start = today.replace(day=1)
    market = MarketFactory(
        buyer=BuyerFactory(name="Communauté Urbaine de Dunkerque"),
        reference="CUD-2026-031",
        title="Groupe scolaire Lamartine",
        starts_on=start - datetime.timedelta(days=60),
        ends_on=start + datetime.timedelta(days=400),
    )
    lot = LotFactory(market=market, number="3", title="Gros œuvre")
    ClauseFactory(lot=lot)
    company = CompanyFactory(name="Bâti Nord")
    AwardFactory(lot=lot, company=company)
    person = ParticipantFactory(last_name="Dupont", first_name="Élodie")

    page = login(UserFactory(username="claire", first_name="Claire", facilitator=True))
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Partenariats").click()
    page.get_by_role("link", name="Réunion de lancement de chantier").click()

    # 1. The meeting.
    expect(page.get_by_role("heading", name="Nouvelle entrée du journal")).to_be_visible()
    expect(page.get_by_role("combobox", name="Type", exact=True)).to_have_value("lancement")
    page.get_by_role("textbox", name="Objet", exact=True).fill("Lancement du groupe scolaire Lamartine")
    choose(
        page,
        "Marchés",
        "lamartine",
        "CUD-2026-031 — Groupe scolaire Lamartine (Communauté Urbaine de Dunkerque)",
    )
    choose(page, "Entreprises et structures", "bati", "Bâti Nord (Dunkerque, " + company.siret + ")")
    page.get_by_label("Personnes rencontrées").fill("M. Leroy, conducteur de travaux")
    page.get_by_label("À relancer le").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("heading", name="Lancement du groupe scolaire Lamartine")).to_be_visible()
    expect(page.get_by_test_id("marches")).to_contain_text("CUD-2026-031")

    # 2. Two needs collected at the meeting (the lot and company lists are the meeting's).
    page.get_by_role("link", name="Ajouter un besoin").click()
    expect(page.get_by_role("combobox", name="Lot", exact=True)).to_have_value(str(lot.pk))
    page.get_by_role("combobox", name="Entreprise", exact=True).select_option(label="Bâti Nord")
    page.get_by_role("textbox", name="Poste", exact=True).fill("Maçon")
    page.get_by_label("Code ROME").fill("f1703")
    page.get_by_label("Nombre de postes").fill("1")
    page.get_by_label("Début prévu").fill(start.isoformat())
    page.get_by_label("Durée (mois)").fill("6")
    page.get_by_role("button", name="Enregistrer et ajouter un autre besoin").click()
    expect(page.get_by_role("alert")).to_contain_text("Besoin enregistré : Maçon (1) — Bâti Nord")
    page.get_by_role("combobox", name="Entreprise", exact=True).select_option(label="Bâti Nord")
    page.get_by_role("textbox", name="Poste", exact=True).fill("Coffreur bancheur")
    page.get_by_label("Nombre de postes").fill("2")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    needs = page.get_by_test_id("besoin")
    expect(needs).to_have_count(2)
    expect(needs.first).to_contain_text("F1703")

    # 3. A person proposed for the mason's job.
    needs.first.get_by_role("link", name="Maçon").click()
    page.get_by_role("link", name="Proposer un candidat").click()
    choose(page, "Participant", "dupont", "DUPONT Élodie (12/03/1987)")
    page.get_by_label("Commentaire de la facilitatrice").fill("Expérience en maçonnerie, permis B.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_test_id("statut-besoin")).to_have_text("Candidats proposés")
    expect(page.get_by_test_id("proposition")).to_contain_text("DUPONT Élodie")

    # 4. Hired in one step: the terms come from the need.
    page.get_by_role("link", name="Recruter").click()
    expect(page.get_by_label("Début du contrat")).to_have_value(start.isoformat())
    expect(page.get_by_role("combobox", name="Modalité", exact=True)).to_have_value("embauche")
    page.get_by_role("combobox", name="Type de contrat", exact=True).select_option(label="CDD")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("DUPONT Élodie est recruté(e)")
    expect(page.get_by_test_id("statut-besoin")).to_have_text("Pourvu")

    assignment = Assignment.objects.get()
    assert (assignment.participant, assignment.lot, assignment.company, assignment.employer) == (
        person,
        lot,
        company,
        company,
    )
    assert (assignment.job, assignment.contract_type, assignment.starts_on) == ("Maçon", "CDD", start)
    assert Proposal.objects.get().state == Proposal.State.RETAINED
    entry = JournalEntry.objects.get()
    assert sorted(n.job for n in RecruitmentNeed.objects.filter(meeting=entry)) == [
        "Coffreur bancheur",
        "Maçon",
    ]

    # 5. The new assignment is in the lot's hours grid for the month.
    page.goto(f"{live_server.url}/heures/saisie/?lot={lot.pk}&mois={start:%Y-%m}")
    expect(page.get_by_role("link", name="DUPONT Élodie")).to_be_visible()
