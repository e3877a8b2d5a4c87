"""Small things a user of the grid hits at once (issue 12 item 9): saved values shown as the totals show
them, the month's validation confirmed first (a page without JavaScript), a fully validated grid without
save buttons, an import's month 13 named as such."""

import re
from decimal import Decimal
from html import unescape

import pytest

from hours.models import HoursEntry
from tests.factories import UserFactory
from tests.hours.suivi import as_file, line, workbook
from tests.hours.test_grid import JUNE, cells, grid_url, lot_data  # noqa: F401 - lot_data is a fixture
from tests.hours.test_grid_concurrency import page_of

D = Decimal
pytestmark = pytest.mark.django_db


def _input_value(html, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
    value = re.search(r'value="([^"]*)"', tag)
    return value[1] if value else ""


def test_saved_values_are_shown_formatted(lot_data, client_for):  # noqa: F811
    client = client_for("Facilitatrice")
    sandrine = lot_data["a"]["sandrine"].pk
    response = client.post(grid_url(lot_data["lot"]), cells(lot_data, sandrine=("95", "7,5")), follow=True)
    html = response.content.decode()
    assert (_input_value(html, f"h{sandrine}"), _input_value(html, f"t{sandrine}")) == ("95,00", "7,50")
    assert (_input_value(html, f"oh{sandrine}"), _input_value(html, f"ot{sandrine}")) == ("95,00", "7,50")
    elodie = lot_data["a"]["elodie"].pk
    assert _input_value(html, f"h{elodie}") == "100,00"
    # A value typed with an error is kept as typed.
    response = client.post(grid_url(lot_data["lot"]), cells(lot_data, sandrine=("95x", "")))
    assert _input_value(response.content.decode(), f"h{sandrine}") == "95x"


@pytest.fixture
def manager_client(client_for):
    client = client_for(None)
    client.force_login(UserFactory(username="nadia", first_name="Nadia", last_name="Lefebvre", manager=True))
    return client


def test_validating_the_month_asks_first(lot_data, manager_client):  # noqa: F811
    url = grid_url(lot_data["lot"])
    page = unescape(manager_client.get(url).content.decode())
    assert (
        'data-confirm="Valider les heures de juin 2025 ? Une fois validées, les lignes ne se modifient plus '
        'sans réouverture (motif consigné dans l\'historique)." data-confirm-field="confirmer"' in page
    )
    post = {**page_of(manager_client, url), f"h{lot_data['a']['sandrine'].pk}": "35", "valider": "1"}
    response = manager_client.post(url, post)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Valider les heures de juin 2025 ?" in html
    # Its answer is one keystroke away: Enter on « Valider le mois », which has the focus.
    assert re.search(r'<button [^>]*id="grid-confirm-validate" autofocus>', html)
    assert "Vous allez enregistrer la grille et valider 2 lignes : 135,00 h travaillées." in " ".join(
        re.sub(r"<[^>]+>", "", html).split()
    )  # Élodie's draft 100 h and Sandrine's 35 h typed; Karim's, already validated, not counted
    assert not HoursEntry.objects.filter(assignment=lot_data["a"]["sandrine"]).exists()  # nothing written
    assert HoursEntry.objects.get(pk=lot_data["e"]["elodie_june"].pk).status == "brouillon"
    # The page re-posts what was typed, with « confirmer »: the month is saved and validated.
    posted = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert posted["confirmer"] == "1" and posted[f"h{lot_data['a']['sandrine'].pk}"] == "35"
    response = manager_client.post(url, {**posted, "valider": "1"}, follow=True)
    assert "Heures de juin 2025 enregistrées : 1 ligne créée, 0 modifiée, 0 effacée ; 2 lignes validées." in [
        str(m) for m in response.context["messages"]
    ]
    june = HoursEntry.objects.filter(assignment__lot=lot_data["lot"], month=JUNE)
    assert sorted((e.hours, e.status) for e in june) == [
        (D(35), "validee"),
        (D(100), "validee"),
        (D("151.67"), "validee"),
    ]
    # « Enregistrer sans valider » from the confirmation page: saved, not validated.


def test_the_confirmation_page_can_save_without_validating(lot_data, manager_client):  # noqa: F811
    url = grid_url(lot_data["lot"])
    sandrine = lot_data["a"]["sandrine"].pk
    response = manager_client.post(
        url, {**page_of(manager_client, url), f"h{sandrine}": "35", "valider": "1"}
    )
    posted = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.content.decode())
    )
    assert manager_client.post(url, posted).status_code == 302  # the other button: no « valider »
    assert HoursEntry.objects.get(assignment=lot_data["a"]["sandrine"], month=JUNE).status == "brouillon"


def test_a_fully_validated_grid_has_no_save_buttons(lot_data, manager_client):  # noqa: F811
    url = grid_url(lot_data["lot"])
    html = manager_client.get(url).content.decode()
    assert 'id="grid-save"' in html and 'id="grid-validate"' in html
    confirmed = {**page_of(manager_client, url), f"h{lot_data['a']['sandrine'].pk}": "35"}
    confirmed.update({"valider": "1", "confirmer": "1"})
    assert manager_client.post(url, confirmed).status_code == 302
    html = unescape(manager_client.get(url).content.decode())
    assert 'id="grid-save"' not in html and 'id="grid-validate"' not in html
    assert (
        "Toutes les lignes de juin 2025 sont validées. Pour corriger une ligne, rouvrez-la (« Rouvrir »)."
        in html
    )
    assert 'id="grid-add"' in html  # a person can still be added


def test_an_import_month_13_is_named(db):
    from hours.suivi import run_import

    report = run_import(
        as_file(workbook([line(month="13/2025"), line(month="2025-00", last_name="Autre")])),
        user=UserFactory(username="imp", manager=True),
    )
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (2, "Mois", "13/2025", "mois 13 invalide (de 01 à 12)"),
        (3, "Mois", "2025-00", "mois 0 invalide (de 01 à 12)"),
    ]
