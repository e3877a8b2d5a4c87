"""« Générer le bilan » gives the file at once as well as archiving it; a period shortcut (« L'année
dernière ») fills the Du / Au fields (issue 12 item 9)."""

import datetime
import hashlib
import json
import re
from html import unescape

import pytest
from django.urls import reverse

from reporting.models import Bilan
from tests.reporting.test_views import generate

pytestmark = pytest.mark.django_db


def test_generate_downloads_the_file_it_archives(client, facilitator, bilan_data):
    client.force_login(facilitator)
    response = generate(client, bilan_data)
    archived = Bilan.objects.get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    assert hashlib.sha256(response.content).hexdigest() == archived.sha256
    assert len(response.content) == archived.size
    # Archived as well: in the archive's list and under « Déjà généré » on the Bilans page.
    listing = client.get(reverse("reporting:bilan_archive"))
    assert [b.pk for b in listing.context["page"].object_list] == [archived.pk]
    preview = client.get(
        reverse("reporting:bilan_form"),
        {"scope": "buyer", "id": bilan_data.cud.pk, "start": "2025-01-01", "end": "2025-06-30"},
    )
    assert [v.version for v in preview.context["versions"]] == [1]


def test_generate_a_second_version_in_json(client, facilitator, bilan_data):
    client.force_login(facilitator)
    generate(client, bilan_data)
    response = generate(client, bilan_data, format="json", anonymise_small="")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.json"'
    )
    assert json.loads(response.content)
    again = generate(client, bilan_data)
    assert again["Content-Disposition"].endswith('-2025-01-01-2025-06-30-v2.pdf"')
    assert Bilan.objects.count() == 3


def test_an_invalid_generation_still_redirects_with_the_message(client, facilitator, bilan_data):
    client.force_login(facilitator)
    response = generate(client, bilan_data, end="2024-01-01")
    assert response.status_code == 302 and not Bilan.objects.exists()


def _field_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', match[0]) if match else None
    return value[1] if value else ""


def test_last_year_fills_the_start_and_end_fields(client, facilitator, bilan_data, monkeypatch):
    import reporting.forms

    monkeypatch.setattr(reporting.forms.timezone, "localdate", lambda: datetime.date(2026, 12, 2))
    client.force_login(facilitator)
    response = client.get(
        reverse("reporting:bilan_form"), {"scope": "buyer", "id": bilan_data.cud.pk, "period": "last_year"}
    )
    html = unescape(response.content.decode())
    assert (_field_value(html, "start"), _field_value(html, "end")) == ("2025-01-01", "2025-12-31")
    scope = response.context["scope"]
    assert (scope.start, scope.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
