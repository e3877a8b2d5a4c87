"""The participants' screens in the access matrix: personal data, never for the read-only role."""

from tests.access_shapes import PEOPLE

MATRIX = {
    "participants:participant_list": PEOPLE,
    "participants:participant_create": PEOPLE,
    "participants:participant_detail": PEOPLE,
    "participants:participant_update": PEOPLE,
    "participants:participant_delete": PEOPLE,
    "participants:outcome_create": PEOPLE,
    "participants:outcome_update": PEOPLE,
    "participants:outcome_delete": PEOPLE,
}


def _person():
    from tests.participants.factories import ParticipantFactory

    return {"pk": ParticipantFactory().pk}


def _outcome():
    from tests.participants.factories import OutcomeFactory

    return {"pk": OutcomeFactory().pk}


URL_KWARGS = {
    "participants:participant_detail": _person,
    "participants:participant_update": _person,
    "participants:participant_delete": _person,
    "participants:outcome_create": _person,
    "participants:outcome_update": _outcome,
    "participants:outcome_delete": _outcome,
}
