"""static/js/grid.js checks cells as one types with the server's own rules: it reads the most hours of a
month and the messages from the page (json_script « grid-rules », hours.grid.cell_rules), never from
numbers or sentences of its own."""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from hours import grid
from hours.models import MAX_MONTH_HOURS
from tests.hours.factories import AssignmentFactory

GRID_JS = Path(settings.BASE_DIR) / "static" / "js" / "grid.js"


def test_grid_js_has_no_limit_or_message_of_its_own():
    source = GRID_JS.read_text(encoding="utf-8")
    assert not re.search(r"\b744\b", source)
    for message in grid.CELL_MESSAGES.values():
        assert message not in source
    for code in grid.CELL_MESSAGES:
        assert f"MESSAGES.{code}" in source  # every message the server has, shown by the script


@pytest.mark.parametrize(
    ("typed", "code"),
    [("abc", "invalid"), ("-1", "min_value"), ("744,01", "max_value"), ("1,234", "max_decimal_places")],
)
def test_the_server_refuses_a_cell_with_the_messages_the_page_gives_the_script(typed, code):
    with pytest.raises(ValidationError) as refused:
        grid.parse_hours(typed)
    assert refused.value.code == code
    assert refused.value.messages == [grid.CELL_MESSAGES[code]]


@pytest.mark.django_db
def test_the_grid_page_holds_the_python_limit_and_messages(client_for):
    assignment = AssignmentFactory(starts_on=datetime.date(2025, 1, 6))
    response = client_for("Facilitatrice").get(
        reverse("hours:grid") + f"?mois=2025-06&lot={assignment.lot.pk}"
    )
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<script id="grid-rules" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the grid page has no json_script « grid-rules »"
    rules = json.loads(found.group(1))
    assert Decimal(rules["max_hours"]) == MAX_MONTH_HOURS == Decimal(744)
    assert rules["messages"] == grid.CELL_MESSAGES
    assert rules["messages"]["max_value"] == "Au plus 744 heures dans un mois."
    assert html.index('id="grid-rules"') < html.index("js/grid.js")  # read by the script: before it
