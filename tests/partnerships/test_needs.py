"""Recruitment needs: proposing people, hiring in one step (all or nothing), the lists and the needs to
come by month and trade."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.roles import FACILITATOR, READER
from hours.models import Assignment, ContractType, Modality
from partnerships import needs
from partnerships.models import Proposal, RecruitmentNeed
from tests.companies.factories import CompanyFactory, SectorFactory
from tests.editing import post_edit
from tests.markets.factories import LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import JournalEntryFactory, NeedFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def terms(**kwargs):
    values = {
        "starts_on": datetime.date(2025, 4, 7),
        "contract_type": ContractType.CDD,
        "modality": Modality.DIRECT_HIRE,
    }
    values.update(kwargs)
    return needs.HireTerms(**values)


# --- domain -----------------------------------------------------------------------------------------------


def test_proposing_someone_moves_an_identified_need_on():
    need = NeedFactory()
    assert need.status == RecruitmentNeed.Status.IDENTIFIED
    needs.propose(need, ParticipantFactory(), "Motivée")
    need.refresh_from_db()
    assert need.status == RecruitmentNeed.Status.PROPOSED


@pytest.mark.parametrize(
    "trait,message",
    [("cancelled", "Ce besoin est annulé."), ("filled", "Tous les postes de ce besoin sont pourvus.")],
)
def test_nobody_is_proposed_for_a_closed_need(trait, message):
    need = NeedFactory(**{trait: True})
    with pytest.raises(ValidationError) as error:
        needs.propose(need, ParticipantFactory())
    assert error.value.messages == [message]
    assert Proposal.objects.count() == 0


def test_hiring_creates_the_assignment_retains_the_proposal_and_fills_the_need():
    company = CompanyFactory(name="Bâti Nord")
    lot = LotFactory()
    need = NeedFactory(lot=lot, company=company, job="Coffreur bancheur", positions=2)
    first = ProposalFactory(need=need)
    second = ProposalFactory(need=need)
    needs.refresh_status(need)

    assignment = needs.hire(first, terms(ends_on=datetime.date(2025, 10, 6)))

    assignment.refresh_from_db()
    assert (assignment.participant, assignment.lot, assignment.company, assignment.employer) == (
        first.participant,
        lot,
        company,
        company,
    )
    assert (assignment.modality, assignment.contract_type, assignment.job) == (
        "embauche",
        "CDD",
        "Coffreur bancheur",
    )
    assert (assignment.starts_on, assignment.ends_on) == (
        datetime.date(2025, 4, 7),
        datetime.date(2025, 10, 6),
    )
    first.refresh_from_db()
    need.refresh_from_db()
    assert (first.state, first.assignment) == (Proposal.State.RETAINED, assignment)
    assert need.status == RecruitmentNeed.Status.PROPOSED  # 1 of 2 positions

    etti = CompanyFactory(etti=True)
    second_assignment = needs.hire(
        second, terms(employer=etti, modality=Modality.ETTI, contract_type=ContractType.TEMP)
    )
    need.refresh_from_db()
    assert need.status == RecruitmentNeed.Status.FILLED
    assert second_assignment.employer == etti and second_assignment.company == company
    assert Assignment.objects.count() == 2


def test_hiring_is_all_or_nothing():
    need = NeedFactory()
    proposal = ProposalFactory(need=need)
    with pytest.raises(ValidationError) as error:
        needs.hire(proposal, terms(ends_on=datetime.date(2025, 4, 1)))  # ends before it starts
    assert error.value.message_dict == {"ends_on": ["La fin du contrat ne peut pas précéder son début."]}
    proposal.refresh_from_db()
    need.refresh_from_db()
    assert Assignment.objects.count() == 0
    assert proposal.state == Proposal.State.PROPOSED and proposal.assignment is None
    assert need.status == RecruitmentNeed.Status.IDENTIFIED


def test_a_proposal_is_hired_once():
    proposal = ProposalFactory(need=NeedFactory(positions=3))
    needs.hire(proposal, terms())
    with pytest.raises(ValidationError) as error:
        needs.hire(proposal, terms(starts_on=datetime.date(2025, 5, 1)))
    assert error.value.messages == ["Cette proposition a déjà donné lieu à une mise à l'emploi."]
    assert Assignment.objects.count() == 1


def test_the_same_contract_twice_is_refused_without_saving_anything():
    need = NeedFactory(positions=2)
    proposal = ProposalFactory(need=need)
    Assignment.objects.create(
        participant=proposal.participant,
        lot=need.lot,
        company=need.company,
        contract_type=ContractType.CDD,
        starts_on=datetime.date(2025, 4, 7),
    )
    with pytest.raises(ValidationError):
        needs.hire(proposal, terms())
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PROPOSED
    assert Assignment.objects.count() == 1


def test_a_retained_proposal_cannot_be_refused():
    proposal = ProposalFactory()
    needs.hire(proposal, terms())
    with pytest.raises(ValidationError):
        needs.set_state(proposal, Proposal.State.REFUSED)


def test_suggested_terms_follow_the_employer():
    assert needs.suggested_terms(CompanyFactory(etti=True)) == (Modality.ETTI, ContractType.TEMP)
    assert needs.suggested_terms(CompanyFactory(geiq=True)) == (
        Modality.GEIQ,
        ContractType.PROFESSIONALISATION,
    )
    assert needs.suggested_terms(CompanyFactory()) == (Modality.DIRECT_HIRE, ContractType.CDD)
    need = NeedFactory.build(duration_months=6)
    assert needs.suggested_end(need, datetime.date(2025, 4, 7)) == datetime.date(2025, 10, 6)


# --- screens ----------------------------------------------------------------------------------------------


def test_a_need_is_recorded_from_a_meeting_among_its_lots_and_companies(client_for):
    market = MarketFactory(reference="CUD-2025-014")
    lot = LotFactory(market=market, number="3", title="Gros œuvre")
    LotFactory(market=market, number="4", title="Charpente")
    LotFactory(title="Lot d'un autre marché")
    company = CompanyFactory(name="Bâti Nord")
    meeting = JournalEntryFactory(markets=[market], companies=[company])
    client = client_for(FACILITATOR)
    url = reverse("partnerships:need_create") + f"?reunion={meeting.pk}"
    form = client.get(url).context["form"]
    assert sorted(str(lot) for lot in form.fields["lot"].queryset) == [
        "Lot 3 — Gros œuvre",
        "Lot 4 — Charpente",
    ]
    assert list(form.fields["company"].queryset) == [company]

    response = client.post(
        url,
        {
            "lot": lot.pk,
            "company": company.pk,
            "job": "Maçon",
            "rome_code": "f1703",
            "positions": "2",
            "expected_start": "2025-04-01",
            "ajouter_autre": "1",
        },
    )
    need = RecruitmentNeed.objects.get()
    assert response.status_code == 302 and response.url == url
    assert (need.meeting, need.rome_code, need.positions, need.status) == (meeting, "F1703", 2, "identifie")
    assert need.created_by.username == "u-facilitatrice"


def test_a_need_with_bad_input_is_not_saved_and_the_errors_are_at_the_fields(client_for):
    lot = LotFactory()
    company = CompanyFactory()
    response = client_for(FACILITATOR).post(
        reverse("partnerships:need_create"),
        {"lot": lot.pk, "company": company.pk, "job": "", "rome_code": "F17", "positions": "0"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["job"] == ["Ce champ est obligatoire."]
    assert errors["rome_code"] == ["Code ROME : une lettre suivie de quatre chiffres (ex. F1703)."]
    assert errors["positions"] == ["Au moins un poste."]
    assert RecruitmentNeed.objects.count() == 0
    assert 'value="F17"' in response.content.decode()


def test_a_need_is_not_marked_filled_by_hand_without_enough_people(client_for):
    need = NeedFactory(positions=2)
    data = {
        "lot": need.lot_id,
        "company": need.company_id,
        "job": need.job,
        "positions": "2",
        "status": "pourvu",
    }
    response = post_edit(client_for(FACILITATOR), reverse("partnerships:need_update", args=[need.pk]), data)
    assert response.context["form"].errors["status"] == [
        "0 personne retenue pour 2 postes : le besoin n'est pas pourvu."
    ]


def test_proposing_and_hiring_through_the_pages(client_for):
    need = NeedFactory(job="Maçon", expected_start=datetime.date(2025, 4, 7), duration_months=3)
    person = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    client = client_for(FACILITATOR)
    response = client.post(
        reverse("partnerships:proposal_create", args=[need.pk]),
        {"participant": person.pk, "comment": "Motivée"},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    again = client.post(reverse("partnerships:proposal_create", args=[need.pk]), {"participant": person.pk})
    assert again.context["form"].errors["participant"] == ["Cette personne est déjà proposée pour ce besoin."]

    hire_url = reverse("partnerships:proposal_hire", args=[proposal.pk])
    form = client.get(hire_url).context["form"]
    assert form.initial["starts_on"] == datetime.date(2025, 4, 7)
    assert form.initial["ends_on"] == datetime.date(2025, 7, 6)
    assert (form.initial["modality"], form.initial["contract_type"], form.initial["job"]) == (
        "embauche",
        "CDD",
        "Maçon",
    )
    bad = client.post(
        hire_url,
        {
            "modality": "embauche",
            "contract_type": "CDD",
            "job": "Maçon",
            "starts_on": "2025-04-07",
            "ends_on": "2025-03-01",
        },
    )
    assert bad.context["form"].errors["ends_on"] == ["La fin du contrat ne peut pas précéder son début."]
    assert Assignment.objects.count() == 0

    response = client.post(
        hire_url,
        {"modality": "embauche", "contract_type": "CDI", "job": "Maçon", "starts_on": "2025-04-07"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    need.refresh_from_db()
    assert (assignment.participant, assignment.contract_type, need.status) == (person, "CDI", "pourvu")


def test_the_reader_sees_a_need_without_names_and_cannot_propose(client_for):
    proposal = ProposalFactory(participant=ParticipantFactory(last_name="Dupont"))
    reader = client_for(READER)
    response = reader.get(reverse("partnerships:need_detail", args=[proposal.need_id]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "DUPONT" not in text and "1 proposé" in text
    assert (
        reader.post(
            reverse("partnerships:proposal_state", args=[proposal.pk]), {"state": "refuse"}
        ).status_code
        == 403
    )
    facilitator = client_for(FACILITATOR)
    assert (
        "DUPONT"
        in facilitator.get(reverse("partnerships:need_detail", args=[proposal.need_id])).content.decode()
    )


def test_refusing_a_proposal(client_for):
    proposal = ProposalFactory()
    response = client_for(FACILITATOR).post(
        reverse("partnerships:proposal_state", args=[proposal.pk]), {"state": "refuse"}
    )
    proposal.refresh_from_db()
    assert response.status_code == 302 and proposal.state == "refuse"


def test_need_list_runs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    for index in range(50):
        need = NeedFactory(job=f"Poste {index}")
        ProposalFactory(need=need)
    client = client_for(READER)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:need_list"))
    assert len(response.context["table"].page.object_list) == 50
    assert "1 / 1 (1 proposé)" not in response.content.decode()  # 0 retained
    assert "0 / 1 (1 proposé)" in response.content.decode()


def test_need_list_filters_and_export(client_for):
    NeedFactory(job="Maçon", status=RecruitmentNeed.Status.FILLED, expected_start=datetime.date(2025, 4, 1))
    NeedFactory(job="Peintre", expected_start=datetime.date(2025, 9, 1))
    client = client_for(READER)
    response = client.get(reverse("partnerships:need_list"), {"status": ["identifie", "proposes"]})
    assert [n.job for n in response.context["table"].data] == ["Peintre"]
    response = client.get(
        reverse("partnerships:need_list"), {"period_du": "2025-03-01", "period_au": "2025-05-01"}
    )
    assert [n.job for n in response.context["table"].data] == ["Maçon"]
    export = client.get(reverse("partnerships:need_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Début prévu", "Poste", "Code ROME", "Postes")
    assert [r[1] for r in rows[1:]] == ["Maçon", "Peintre"]


# --- needs to come ------------------------------------------------------------------------------------------


@pytest.fixture
def upcoming_needs():
    """Open needs in April (3 masons in two needs, one without ROME code but the same job counts apart,
    2 painters), May (1 mason), one undated, one filled and one before the period."""
    masonry = SectorFactory(name="Bâtiment gros œuvre")
    market = MarketFactory(sector=masonry)
    lot = LotFactory(market=market)
    NeedFactory(
        lot=lot, job="Maçon", rome_code="F1703", positions=2, expected_start=datetime.date(2025, 4, 2)
    )
    NeedFactory(job="Maçon VRD", rome_code="F1703", positions=1, expected_start=datetime.date(2025, 4, 20))
    NeedFactory(job="Peintre", rome_code="", positions=2, expected_start=datetime.date(2025, 4, 9))
    NeedFactory(
        lot=lot, job="Maçon", rome_code="F1703", positions=1, expected_start=datetime.date(2025, 5, 5)
    )
    NeedFactory(job="Plaquiste", rome_code="", positions=4, expected_start=None)
    NeedFactory(job="Coffreur", positions=5, expected_start=datetime.date(2025, 4, 15), filled=True)
    NeedFactory(job="Couvreur", positions=1, expected_start=datetime.date(2025, 3, 31))
    return masonry


def test_upcoming_needs_by_month_and_trade(upcoming_needs):
    rows, summary = needs.upcoming(RecruitmentNeed.objects.all(), datetime.date(2025, 4, 10), 6)
    compact = [(r["month"], r["trade"], r["positions"], r["needs"]) for r in summary]
    assert compact == [
        (datetime.date(2025, 4, 1), "F1703", 3, 2),
        (datetime.date(2025, 4, 1), "peintre", 2, 1),
        (datetime.date(2025, 5, 1), "F1703", 1, 1),
        (None, "plaquiste", 4, 1),
    ]
    assert [(m, p) for m, _, p in needs.group_by_month(summary)] == [
        (datetime.date(2025, 4, 1), 5),
        (datetime.date(2025, 5, 1), 1),
        (None, 4),
    ]
    assert [n.job for n in rows] == ["Maçon", "Peintre", "Maçon VRD", "Maçon", "Plaquiste"]
    _, one_month = needs.upcoming(RecruitmentNeed.objects.all(), datetime.date(2025, 4, 1), 1)
    assert sum(r["positions"] for r in one_month) == 9  # April 5 + undated 4


def test_upcoming_page_for_the_reader_with_a_sector_filter(client_for, upcoming_needs):
    client = client_for(READER)
    response = client.get(reverse("partnerships:need_upcoming"), {"mois": "2025-04", "horizon": "6"})
    assert response.status_code == 200
    assert response.context["total_positions"] == 10
    assert [g["label"] for g in response.context["groups"]] == ["avril 2025", "mai 2025", "Date à préciser"]
    response = client.get(
        reverse("partnerships:need_upcoming"), {"mois": "2025-04", "sector": upcoming_needs.pk}
    )
    assert response.context["total_positions"] == 3  # 2 masons in April, 1 in May on the masonry market
    export = client.get(reverse("partnerships:need_upcoming"), {"mois": "2025-04", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5


def test_upcoming_page_runs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    for index in range(50):
        NeedFactory(job=f"Poste {index % 7}", expected_start=datetime.date(2025, 4 + index % 5, 1))
    client = client_for(READER)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:need_upcoming"), {"mois": "2025-04", "horizon": "12"})
    assert response.context["total_needs"] == 50
