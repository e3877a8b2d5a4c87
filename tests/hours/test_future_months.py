"""Hours of a month after the current one are refused, in the grid, the entry form and the import; the grid
opens on the month being collected (the previous one), the current month stays allowed (issue 12 item 7)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hours import grid
from hours.models import HoursEntry
from hours.suivi import run_import
from hours.suivi.cells import _checked_month
from tests.factories import UserFactory
from tests.hours.suivi import as_file, line, workbook
from tests.hours.test_grid import JUNE, cells, grid_url, lot_data  # noqa: F401 - lot_data is a fixture

D = Decimal
pytestmark = pytest.mark.django_db

REFUSED_JUNE = "Juin 2025 n'a pas encore commencé : les heures d'un mois se saisissent à partir de ce mois."


@pytest.fixture
def today(monkeypatch):
    """today(date): timezone.localdate() returns it (everywhere: grid, views, forms, import)."""
    real = timezone.localdate

    def set_today(day):
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value, tz)
        )

    return set_today


def test_the_message_and_the_current_month(today):
    assert grid.future_month_error(datetime.date(2027, 3, 1), datetime.date(2026, 12, 2)) == (
        "Mars 2027 n'a pas encore commencé : les heures d'un mois se saisissent à partir de ce mois."
    )
    # The current month is allowed (its hours may be entered on its last days), and so is the past.
    assert grid.future_month_error(datetime.date(2026, 12, 1), datetime.date(2026, 12, 2)) is None
    assert grid.future_month_error(datetime.date(2026, 11, 1), datetime.date(2026, 12, 2)) is None
    # Boundaries: the last day of the month before, the first day of the month.
    assert grid.future_month_error(datetime.date(2027, 1, 1), datetime.date(2026, 12, 31)) is not None
    assert grid.future_month_error(datetime.date(2027, 1, 1), datetime.date(2027, 1, 1)) is None


def test_the_grid_opens_on_the_month_being_collected(lot_data, client_for, today):  # noqa: F811
    today(datetime.date(2025, 7, 2))  # July's hours are not in yet: June's are being collected
    response = client_for("Facilitatrice").get(reverse("hours:grid") + f"?lot={lot_data['lot'].pk}")
    assert response.context["month"] == JUNE
    assert "Saisie des heures — Juin 2025" in response.content.decode()
    chooser = client_for("Facilitatrice").get(reverse("hours:grid"))
    assert chooser.context["month"] == JUNE
    # 1st of January: December of the year before.
    today(datetime.date(2026, 1, 1))
    response = client_for("Facilitatrice").get(reverse("hours:grid") + f"?lot={lot_data['lot'].pk}")
    assert response.context["month"] == datetime.date(2025, 12, 1)


def test_the_grid_of_a_future_month_is_shown_not_saved(lot_data, client_for, today):  # noqa: F811
    today(datetime.date(2025, 5, 31))  # June has not started
    client = client_for("Facilitatrice")
    response = client.get(grid_url(lot_data["lot"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert REFUSED_JUNE in html.replace("&#x27;", "'")
    assert 'id="grid-save"' not in html and 'id="grid-add"' not in html
    sandrine = lot_data["a"]["sandrine"]
    post = cells(lot_data, sandrine=("150", ""))
    response = client.post(grid_url(lot_data["lot"]), post)
    assert response.status_code == 400
    assert REFUSED_JUNE in response.content.decode().replace("&#x27;", "'")
    assert not HoursEntry.objects.filter(assignment=sandrine).exists()


def test_the_current_month_is_saved(lot_data, client_for, today):  # noqa: F811
    today(datetime.date(2025, 6, 1))  # June in progress: allowed
    sandrine = lot_data["a"]["sandrine"]
    response = client_for("Facilitatrice").post(
        grid_url(lot_data["lot"]), cells(lot_data, sandrine=("150", ""))
    )
    assert response.status_code == 302
    assert HoursEntry.objects.get(assignment=sandrine, month=JUNE).hours == D(150)


def test_save_rows_refuses_a_future_month(lot_data, today):  # noqa: F811
    today(datetime.date(2025, 5, 2))
    rows, _ = grid.build_rows(JUNE, grid.grid_assignments(JUNE, lot=lot_data["lot"]))
    with pytest.raises(grid.ValidationError) as error:
        grid.save_rows(JUNE, rows, {lot_data["a"]["sandrine"].pk: (D(150), None)}, None)
    assert error.value.messages == [REFUSED_JUNE]


def test_the_entry_form_refuses_a_future_month(lot_data, client_for, today):  # noqa: F811
    today(datetime.date(2025, 5, 20))
    post = {
        "assignment": lot_data["a"]["sandrine"].pk,
        "month": "2025-06",
        "hours": "150",
        "training_hours": "",
    }
    response = client_for("Facilitatrice").post(reverse("hours:entry_create"), post)
    assert response.context["form"].errors["month"] == [REFUSED_JUNE]
    assert not HoursEntry.objects.filter(assignment=lot_data["a"]["sandrine"]).exists()
    today(datetime.date(2025, 6, 20))  # the month in progress
    response = client_for("Facilitatrice").post(reverse("hours:entry_create"), post)
    assert response.status_code == 302


def test_the_import_refuses_a_future_month_row_by_row(today):
    today(datetime.date(2025, 4, 2))  # April in progress: March and April allowed, May refused
    report = run_import(
        as_file(workbook([line(month="03/2025"), line(month="04/2025"), line(month="05/2025")])),
        user=UserFactory(username="imp", manager=True),
    )
    assert report.refused
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (
            4,
            "Mois",
            "05/2025",
            "Mai 2025 n'a pas encore commencé : les heures d'un mois se saisissent à partir de ce mois.",
        )
    ]
    assert not HoursEntry.objects.exists()


def test_checked_month(today):
    today(datetime.date(2026, 12, 2))
    assert _checked_month("12/2026") == datetime.date(2026, 12, 1)
    with pytest.raises(Exception, match="Mars 2027 n'a pas encore commencé"):
        _checked_month("mars 2027")


def test_the_assignment_page_links_to_the_grid_of_the_month_being_collected(lot_data, client_for, today):  # noqa: F811
    today(datetime.date(2025, 7, 2))
    elodie = lot_data["a"]["elodie"]
    response = client_for("Facilitatrice").get(reverse("hours:assignment_detail", args=[elodie.pk]))
    assert response.context["grid_url"] == grid_url(lot_data["lot"], JUNE)
