"""Editing a participant in the browser keeps « Habitant d'un QPV » (a bilan criterion) as stored."""

import pytest
from django.urls import reverse

from tests.editing import form_data
from tests.participants.factories import ParticipantFactory


@pytest.mark.parametrize("stored", [True, False, None])
def test_the_edit_page_sends_back_the_stored_qpv(client_for, stored):
    person = ParticipantFactory(qpv=stored)
    client = client_for("Facilitatrice")
    url = reverse("participants:participant_update", args=[person.pk])
    data = form_data(client.get(url))
    assert data["qpv"] == {True: "true", False: "false", None: "unknown"}[stored]
    data["commune"] = "Grande-Synthe"
    response = client.post(url, data)  # the page's own version field is in data
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.qpv is stored
    assert person.commune == "Grande-Synthe"
