"""An anonymised person is frozen: no new contract can be added to them (it would change the figures
their record keeps), while the contracts they had stay as they were."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from hours.models import Assignment
from participants import privacy
from tests.hours.factories import AssignmentFactory
from tests.participants.factories import ParticipantFactory


def another_contract(person, earlier):
    """A new contract for the person on the lot of an earlier one, starting in March 2026."""
    return Assignment(
        participant=person,
        lot=earlier.lot,
        company=earlier.company,
        starts_on=datetime.date(2026, 3, 2),
        contract_type=earlier.contract_type,
        modality=earlier.modality,
    )


@pytest.mark.django_db
def test_no_new_assignment_for_an_anonymised_person(manager):
    earlier = AssignmentFactory(starts_on=datetime.date(2025, 1, 6))
    person = privacy.anonymise_identity(earlier.participant, [earlier.starts_on], user=manager)
    new = another_contract(person, earlier)
    with pytest.raises(ValidationError) as refused:
        new.full_clean()
    assert refused.value.message_dict["participant"] == [
        "Cette personne a été anonymisée : on ne lui ajoute plus de mise à l'emploi."
    ]
    earlier.refresh_from_db()
    earlier.full_clean()  # the contract they had is still valid as it is


@pytest.mark.django_db
def test_a_person_not_anonymised_gets_new_assignments():
    person = ParticipantFactory()
    earlier = AssignmentFactory(participant=person)
    new = another_contract(person, earlier)
    new.full_clean()
