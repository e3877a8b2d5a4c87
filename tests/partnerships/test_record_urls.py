"""Every record of companies, participants and partnerships names its page (get_absolute_url); the edit
and delete screens take their cancel links from it (clauses_site/editing.py), and child records without a
page of their own (outcomes, proposals, trainees) name their parent's."""

import pytest
from django.urls import reverse

from clauses_site.roles import MANAGER, READER
from tests.companies.factories import CompanyFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.partnerships.factories import (
    JournalEntryFactory,
    NeedFactory,
    ProposalFactory,
    TraineeFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

RECORDS = {  # factory, (URL name, the record shown there)
    "company": (CompanyFactory, "companies:company_detail", lambda o: o),
    "participant": (ParticipantFactory, "participants:participant_detail", lambda o: o),
    "need": (NeedFactory, "partnerships:need_detail", lambda o: o),
    "training": (TrainingFactory, "partnerships:training_detail", lambda o: o),
    "journal": (JournalEntryFactory, "partnerships:journal_detail", lambda o: o),
    "outcome": (OutcomeFactory, "participants:participant_detail", lambda o: o.participant),
    "proposal": (ProposalFactory, "partnerships:need_detail", lambda o: o.need),
    "trainee": (TraineeFactory, "partnerships:training_detail", lambda o: o.training),
}


@pytest.mark.parametrize("kind", RECORDS)
def test_a_record_names_the_page_that_shows_it(kind, client_for):
    factory, name, shown = RECORDS[kind]
    record = factory()
    assert record.get_absolute_url() == reverse(name, args=[shown(record).pk])
    assert client_for(MANAGER).get(record.get_absolute_url()).status_code == 200


EDIT_SCREENS = {
    "company": (CompanyFactory, "companies:company_update", "companies:company_delete"),
    "participant": (ParticipantFactory, "participants:participant_update", "participants:participant_delete"),
    "need": (NeedFactory, "partnerships:need_update", "partnerships:need_delete"),
    "training": (TrainingFactory, "partnerships:training_update", "partnerships:training_delete"),
    "journal": (JournalEntryFactory, "partnerships:journal_update", "partnerships:journal_delete"),
    "outcome": (OutcomeFactory, "participants:outcome_update", "participants:outcome_delete"),
    "proposal": (ProposalFactory, "partnerships:proposal_update", "partnerships:proposal_delete"),
    "trainee": (TraineeFactory, "partnerships:trainee_update", "partnerships:trainee_delete"),
}


@pytest.mark.parametrize("kind", EDIT_SCREENS)
def test_editing_and_deleting_cancel_to_the_record_page(kind, client_for):
    factory, update, delete = EDIT_SCREENS[kind]
    record = factory()
    client = client_for(MANAGER)
    for name in (update, delete):
        response = client.get(reverse(name, args=[record.pk]))
        assert response.status_code == 200
        assert response.context["cancel_url"] == record.get_absolute_url()


def test_edit_screens_fetch_the_record_among_what_the_user_may_see(client_for):
    """editing.records_of: a record that is not among records_for(user) is not found (404); the
    read-only role never reaches a person's records (403)."""
    trainee = TraineeFactory()
    manager = client_for(MANAGER)
    assert manager.get(reverse("partnerships:trainee_update", args=[trainee.pk + 1000])).status_code == 404
    assert manager.get(reverse("partnerships:need_delete", args=[99999])).status_code == 404
    assert (
        client_for(READER)
        .get(reverse("partnerships:proposal_update", args=[ProposalFactory().pk]))
        .status_code
        == 403
    )


@pytest.mark.parametrize("kind", ["need", "training", "journal"])
def test_a_record_page_offers_editing_to_editors_only(kind, client_for):
    factory, update, delete = EDIT_SCREENS[kind]
    record = factory()
    links = [f'href="{reverse(update, args=[record.pk])}"', f'href="{reverse(delete, args=[record.pk])}"']
    editor_page = client_for(MANAGER).get(record.get_absolute_url()).content.decode()
    reader_page = client_for(READER).get(record.get_absolute_url()).content.decode()
    assert [link in editor_page for link in links] == [True, True]
    assert [link in reader_page for link in links] == [False, False]
