"""Probe (issue 16): the person an ETTI provides is on two companies' declarations (the credited company's
and its employer's); when both declare the same month, the conflict message must not name the other
organisation's contact (a person of another organisation) — the team's members are named as in the grid."""

from decimal import Decimal
from html import unescape

from hours.models import HoursEntry
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.spaces.factories import external_user
from tests.spaces.test_declaration import JUNE, anne, cells, url


def test_a_conflict_names_no_contact_of_another_organisation(world, signed_in):
    etti = CompanyFactory(name="Intérim Solidaire")
    row = anne(world)
    row.employer = etti
    row.save()
    etti_user = external_user(etti, username="e@interim.example", first_name="Ophélie", last_name="Vandamme")
    assert signed_in(etti_user).post(url(), cells(row, h="20")).status_code == 302
    client = signed_in(world["users"]["a"])
    response = client.post(url(), cells(row, h="30"))  # its page showed June empty
    assert response.status_code == 409
    text = unescape(response.content.decode())
    assert "modifiée par quelqu'un" in text
    assert "Vandamme" not in text and "Ophélie" not in text and "interim.example" not in text
    # The team's member who changed it meanwhile is named, as in the team's grid.
    facilitator = UserFactory(username="sophie", first_name="Sophie", last_name="Deschodt")
    entry = HoursEntry.objects.get(assignment=row, month=JUNE)
    entry.hours, entry.entered_by = Decimal(25), facilitator
    entry._history_user = facilitator
    entry.save()
    response = client.post(url(), cells(row, h="30", oh="20,00"))
    assert response.status_code == 409
    assert "modifiée par Sophie Deschodt" in unescape(response.content.decode())
