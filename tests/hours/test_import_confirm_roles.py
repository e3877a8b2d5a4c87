"""The POST matrix of the import's confirm step (hours:import_confirm), per role, with its effect on the
hours (issue 11, part 3). The GET matrix (tests/hours/access_import.py) only says the URL wants a POST.

The database holds March 2025: 24,50 h validated by Nadia Benali (Responsable) on 12/03/2026. A pending
import either adds May 2025 (« new ») or turns March into 124,50 h (« change »)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from clauses_site.roles import FACILITATOR, MANAGER, READER
from hours.models import HoursEntry, ImportBatch
from hours.suivi import run_import
from tests.conftest import ROLE_TRAITS
from tests.factories import UserFactory
from tests.hours.suivi import as_file, line, workbook

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MARCH, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 5, 1)
REFUSAL = "validée le 12/03/2026 par Nadia Benali : à rouvrir d'abord"
FILES = {"new": [line(month="05/2025", hours=30)], "change": [line(month="03/2025", hours=124.5)]}

# (role, CLAUSES_FACILITATORS_VALIDATE, file, status, what happens)
#   pending: nothing done; draft / validated: imported, the new or changed entry in that state, in the
#   name of the one who confirms; refused: the file refused, nothing written.
CASES = [
    (None, False, "new", 302, "pending"),
    (None, False, "change", 302, "pending"),
    (READER, False, "new", 403, "pending"),
    (READER, True, "change", 403, "pending"),
    (FACILITATOR, False, "new", 302, "draft"),
    (FACILITATOR, False, "change", 302, "refused"),
    (FACILITATOR, True, "new", 302, "validated"),
    (FACILITATOR, True, "change", 302, "validated"),
    (MANAGER, False, "new", 302, "validated"),
    (MANAGER, False, "change", 302, "validated"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def nadia(db):
    user = UserFactory(username="nbenali", first_name="Nadia", last_name="Benali", manager=True)
    assert run_import(as_file(workbook([line(month="03/2025", hours=24.5)])), user=user).imported
    HoursEntry.objects.update(validated_at=datetime.datetime(2026, 3, 12, 9, 30, tzinfo=PARIS))
    return user


def pending_batch(rows, uploader):
    batch = ImportBatch(file_name="suivi.xlsx", uploaded_by=uploader, status=ImportBatch.Status.PENDING)
    batch.file.save("suivi.xlsx", ContentFile(workbook(rows)), save=False)
    batch.save()
    return batch


def client_of(role):
    client = Client()
    user = None
    if role is not None:
        user = UserFactory(
            username=f"u-{role.lower()}", first_name="Sophie", last_name=role, **ROLE_TRAITS[role]
        )
        client.force_login(user)
    return client, user


@pytest.mark.parametrize("role,may_validate,file,status,outcome", CASES)
def test_confirm_per_role(role, may_validate, file, status, outcome, nadia, settings):
    settings.CLAUSES_FACILITATORS_VALIDATE = may_validate
    batch = pending_batch(FILES[file], nadia)
    client, user = client_of(role)
    url = reverse("hours:import_confirm", args=[batch.pk])

    response = client.post(url)

    assert response.status_code == status, f"{role or 'anonyme'} POST {url}"
    if role is None:
        assert response.url.startswith(reverse("login"))
    elif status == 302:
        assert response.url == reverse("hours:import_detail", args=[batch.pk])
    batch.refresh_from_db()
    march = HoursEntry.objects.get(month=MARCH)
    may = HoursEntry.objects.filter(month=MAY).first()
    untouched = march.hours == Decimal("24.50") and march.validated_by == nadia and may is None

    if outcome == "pending":
        assert batch.status == ImportBatch.Status.PENDING and batch.file and untouched
        return
    notes = [m.message for m in get_messages(response.wsgi_request)]
    if outcome == "refused":
        assert batch.status == ImportBatch.Status.REFUSED and untouched
        assert [(e["row"], e["column"], e["reason"]) for e in batch.report["errors"]] == [
            (2, "Heures", REFUSAL)
        ]
        assert batch.file  # kept for the annotated workbook
        assert notes == ["Le fichier a été refusé à la confirmation : rien n'a été enregistré."]
        return
    assert batch.status == ImportBatch.Status.IMPORTED and batch.uploaded_by == user
    entry = may if file == "new" else march
    assert entry.hours == (Decimal("30.00") if file == "new" else Decimal("124.50"))
    assert entry.entered_by == user and entry.import_batch_id == batch.pk
    if outcome == "draft":
        assert entry.status == HoursEntry.Status.DRAFT and entry.validated_by is None
        assert entry.validated_at is None
        assert notes == ["Le tableau de suivi a été importé : ses heures sont en brouillon."]
        assert march.validated_by == nadia and march.hours == Decimal("24.50")
    else:
        assert entry.status == HoursEntry.Status.VALIDATED and entry.validated_by == user
        assert notes == ["Le tableau de suivi a été importé."]


def test_the_preview_shows_the_refusal_before_any_confirmation(nadia, settings):
    """The upload's dry run already refuses the file of a facilitator who may not validate."""
    settings.CLAUSES_FACILITATORS_VALIDATE = False
    client, _ = client_of(FACILITATOR)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = SimpleUploadedFile("suivi.xlsx", workbook(FILES["change"]), content_type=xlsx)
    response = client.post(reverse("hours:import_upload"), {"file": data})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.REFUSED
    page = client.get(reverse("hours:import_detail", args=[batch.pk])).content.decode()
    assert REFUSAL.replace("'", "&#x27;") in page and "124,50" in page
    assert HoursEntry.objects.get(month=MARCH).hours == Decimal("24.50")
