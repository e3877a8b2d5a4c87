"""Personal-data rights in the access matrix: the manager (Responsable) only — exports of a person's
data, the anonymisation's confirmation page, « Données personnelles » and the access log."""

from tests.access_shapes import MANAGER_ONLY

MATRIX = {
    "participants:participant_export_pdf": MANAGER_ONLY,
    "participants:participant_export_xlsx": MANAGER_ONLY,
    "participants:participant_anonymise": MANAGER_ONLY,
    "participants:personal_data": MANAGER_ONLY,
    "participants:access_log": MANAGER_ONLY,
}


def _person():
    from tests.participants.factories import ParticipantFactory

    return {"pk": ParticipantFactory().pk}


URL_KWARGS = {
    "participants:participant_export_pdf": _person,
    "participants:participant_export_xlsx": _person,
    "participants:participant_anonymise": _person,
}
