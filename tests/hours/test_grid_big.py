"""A grid too big for one field per cell (issue 14 item 2): the page's JavaScript posts the cells in one
field (« cellules », JSON; hours.forms.posted_cells), and the save keeps every rule of a save by fields —
only the cells changed are written, a cell changed meanwhile is a conflict, validation sees every row."""

import datetime
import json
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from hours import grid
from hours.forms import UNREADABLE_CELLS, HoursCellInput, OriginalCellInput
from hours.models import HoursEntry
from tests.companies.factories import CompanyFactory
from tests.hours.factories import people_at_work
from tests.markets.factories import AwardFactory, ClauseFactory

D = Decimal
JUNE, MAY = datetime.date(2025, 6, 1), datetime.date(2025, 5, 1)
ROWS = 260  # 4 fields a row: 1 040 fields, over Django's 1 000

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_lot():
    """A lot with 260 people at work in June 2025, each with a draft of 100 h in June (bulk inserts)."""
    lot = ClauseFactory(stated=True).lot
    company = CompanyFactory(name="Bâti Flandre")
    AwardFactory(lot=lot, company=company)
    assignments = people_at_work(lot, company, ROWS)
    HoursEntry.objects.bulk_create(HoursEntry(assignment=a, month=JUNE, hours=D(100)) for a in assignments)
    return lot, assignments


def url(lot):
    return reverse("hours:grid") + f"?mois=2025-06&lot={lot.pk}"


def rendered(assignments):
    """The cells as a page rendered now holds them: {name: value} of every row's originals."""
    cells = {}
    for a in assignments:
        entry = HoursEntry.objects.filter(assignment=a, month=JUNE).first()
        hours, training = (grid.format_hours(v) for v in grid.stored_cells(entry))
        cells[f"oh{a.pk}"], cells[f"ot{a.pk}"] = hours, training
    return cells


def june(assignment):
    return HoursEntry.objects.get(assignment=assignment, month=JUNE)


def test_a_big_grid_saved_one_field_per_cell_is_refused_and_saved_from_one_field(big_lot, client_for):
    lot, assignments = big_lot
    client = client_for("Facilitatrice")
    cells = rendered(assignments)
    every_field = {
        **cells,
        **{f"h{a.pk}": "100,00" for a in assignments},
        **{f"t{a.pk}": "" for a in assignments},
    }
    every_field[f"h{assignments[0].pk}"] = "120"
    assert client.post(url(lot), every_field).status_code == 400  # TooManyFieldsSent: 1 040 fields
    assert june(assignments[0]).hours == D(100)

    cells[f"h{assignments[0].pk}"] = "120"  # as grid.js sends it: the originals and the cells changed
    cells[f"t{assignments[1].pk}"] = "7,5"
    response = client.post(url(lot), {"cellules": json.dumps(cells)})
    assert response.status_code == 302
    first, second = june(assignments[0]), june(assignments[1])
    assert (first.hours, first.training_hours) == (D(120), D(0))
    assert (second.hours, second.training_hours) == (D(100), D("7.50"))
    untouched = HoursEntry.objects.filter(month=JUNE).exclude(assignment__in=assignments[:2])
    assert sorted(set(untouched.values_list("hours", flat=True))) == [D(100)]
    assert untouched.count() == ROWS - 2
    assert HoursEntry.history.filter(history_type="~").count() == 2  # only the two rows changed


def test_a_cell_changed_meanwhile_is_a_conflict_when_posted_in_one_field(big_lot, client_for):
    lot, assignments = big_lot
    client = client_for("Facilitatrice")
    cells = rendered(assignments)
    HoursEntry.objects.filter(assignment=assignments[5], month=JUNE).update(hours=D(44))  # a colleague
    cells[f"h{assignments[5].pk}"] = "151,67"
    cells[f"h{assignments[6].pk}"] = "35"
    response = client.post(url(lot), {"cellules": json.dumps(cells)})
    assert response.status_code == 409
    assert (june(assignments[5]).hours, june(assignments[6]).hours) == (D(44), D(100))  # nothing written
    conflicts = response.context["conflicts"]
    assert [(c.row.key, c.column, c.typed, c.current) for c in conflicts] == [
        (assignments[5].pk, "h", D("151.67"), D(44))
    ]


def test_validating_a_big_grid_from_one_field_validates_every_row(big_lot, client_for):
    """Every row's originals are in the field: each row counts as seen, none is « absente de votre page »."""
    lot, assignments = big_lot
    client = client_for("Responsable")
    cells = rendered(assignments)
    response = client.post(url(lot), {"cellules": json.dumps(cells), "valider": "1", "confirmer": "1"})
    assert response.status_code == 302
    assert HoursEntry.objects.filter(month=JUNE, status=HoursEntry.Status.VALIDATED).count() == ROWS

    HoursEntry.objects.filter(month=JUNE).update(status=HoursEntry.Status.DRAFT, validated_at=None)
    del cells[f"oh{assignments[3].pk}"], cells[f"ot{assignments[3].pk}"]  # a row the page did not show
    response = client.post(url(lot), {"cellules": json.dumps(cells), "valider": "1", "confirmer": "1"})
    assert response.status_code == 409
    assert [(c.row.key, c.to_check) for c in response.context["conflicts"]] == [(assignments[3].pk, "unseen")]
    assert not HoursEntry.objects.filter(status=HoursEntry.Status.VALIDATED).exists()


@pytest.mark.parametrize(
    "field",
    [
        "pas du JSON",
        "[1, 2]",
        json.dumps({"valider": "1"}),
        json.dumps({"h1": 12}),
        json.dumps({"xh1": "1"}),
        "[" * 100_000 + "]" * 100_000,  # nested deeper than the parser's recursion (was a 500)
    ],
)
def test_an_unreadable_cells_field_is_refused_in_french(big_lot, client_for, field):
    lot, assignments = big_lot
    response = client_for("Facilitatrice").post(url(lot), {"cellules": field})
    assert response.status_code == 400
    assert UNREADABLE_CELLS.replace("'", "&#x27;") in response.content.decode()
    assert not HoursEntry.objects.exclude(hours=D(100)).exists()


@pytest.mark.parametrize(
    "widget,value,attrs",
    [
        (HoursCellInput({"aria-label": "Heures — « Dupont » & <Cie>", "data-col": "h"}), D("151.67"), {}),
        (HoursCellInput(), None, {"id": "id_h12", "disabled": True, "required": False}),
        (HoursCellInput(), 'il a dit "35"', {"id": "id_h12"}),
        (OriginalCellInput(), D(7), {"id": "id_oh12"}),
        (OriginalCellInput(), None, {}),
    ],
)
def test_the_grid_inputs_render_as_django_renders_an_input(widget, value, attrs):
    """The cells skip the template engine (thousands a page) but write exactly Django's input.html."""
    django_widget = (forms.HiddenInput if isinstance(widget, OriginalCellInput) else forms.TextInput)(
        widget.attrs
    )
    django_widget.format_value = widget.format_value
    assert widget.render("h12", value, attrs) == django_widget.render("h12", value, attrs)


def test_the_grid_page_renders_its_cells(big_lot, client_for):
    lot, assignments = big_lot
    html = client_for("Facilitatrice").get(url(lot)).content.decode()
    pk = assignments[0].pk
    assert (
        f'<input type="text" name="h{pk}" value="100,00" class="form-control form-control-sm num grid-cell" '
        f'inputmode="decimal" autocomplete="off" spellcheck="false" size="6" '
        f'aria-label="Heures travaillées — {assignments[0].participant}" data-col="h" id="id_h{pk}">'
    ) in html
    assert f'<input type="hidden" name="oh{pk}" value="100,00" id="id_oh{pk}">' in html
    assert timezone.localdate() >= JUNE  # the grid is not a future month's (no disabled inputs)
