"""Validation month by month, re-opening with a reason, and the history shown on an entry's page."""

import datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse

from hours import grid
from hours.models import HoursEntry
from tests.editing import post_edit
from tests.hours.factories import AssignmentFactory, HoursEntryFactory

D = Decimal
JUNE = datetime.date(2025, 6, 1)

pytestmark = pytest.mark.django_db


def login(client_for, user):
    client = client_for(None)
    client.force_login(user)
    return client


def test_validating_a_selection(client_for, manager):
    a = AssignmentFactory()
    drafts = [HoursEntryFactory(assignment=a, month=datetime.date(2025, m, 1), draft=True) for m in (4, 5, 6)]
    done = HoursEntryFactory(assignment=a, month=datetime.date(2025, 3, 1))
    client = login(client_for, manager)
    ids = [drafts[0].pk, drafts[1].pk, done.pk]
    response = client.post(reverse("hours:entry_validate"), {"ids": ids}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "2 saisies validées. 1 ligne était déjà validée(s) ou introuvable(s)."
    ]
    statuses = dict(HoursEntry.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in drafts] == ["validee", "validee", "brouillon"]
    validated = HoursEntry.objects.get(pk=drafts[0].pk)
    assert validated.validated_by == manager and validated.validated_at is not None
    record = validated.history.first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        manager,
        "Validation",
    )


def test_validation_needs_the_right(client_for, facilitator):
    entry = HoursEntryFactory(draft=True)
    client = login(client_for, facilitator)
    assert client.post(reverse("hours:entry_validate"), {"ids": [entry.pk]}).status_code == 403
    assert client.get(reverse("hours:entry_validate")).status_code == 405
    with override_settings(CLAUSES_FACILITATORS_VALIDATE=True):
        assert client.post(reverse("hours:entry_validate"), {"ids": [entry.pk]}).status_code == 302
    entry.refresh_from_db()
    assert entry.is_validated and entry.validated_by == facilitator


def test_a_validated_entry_cannot_be_changed_until_reopened(client_for, manager):
    entry = HoursEntryFactory(month=JUNE, hours=D(120))
    client = login(client_for, manager)
    update = reverse("hours:entry_update", args=[entry.pk])
    response = client.get(update, follow=True)
    assert response.redirect_chain[-1][0] == reverse("hours:entry_detail", args=[entry.pk])
    assert "rouvrez-les d'abord" in [str(m) for m in response.context["messages"]][0]
    client.post(update, {"month": "2025-06", "hours": "130", "training_hours": ""})
    entry.refresh_from_db()
    assert entry.hours == D(120)
    # Deleting is refused too, with the explanation.
    response = client.post(reverse("hours:entry_delete", args=[entry.pk]))
    assert response.status_code == 409
    assert HoursEntry.objects.filter(pk=entry.pk).exists()

    # Re-open with a reason: a draft again, recorded in the history.
    reopen = reverse("hours:entry_reopen", args=[entry.pk])
    assert client.get(reopen).status_code == 200
    response = client.post(reopen, {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Indiquez le motif de la réouverture."]
    response = client.post(reopen, {"reason": "Erreur de l'entreprise sur la feuille de juin"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "brouillon" and entry.validated_by is None and entry.validated_at is None
    record = entry.history.first()
    assert record.history_user == manager
    assert record.history_change_reason == "Réouverture : Erreur de l'entreprise sur la feuille de juin"

    # Now editable; then the page shows who changed what, when and why.
    response = post_edit(client, update, {"month": "2025-06", "hours": "130,5", "training_hours": "7"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.hours, entry.training_hours, entry.entered_by) == (D("130.50"), D(7), manager)
    html = client.get(reverse("hours:entry_detail", args=[entry.pk])).content.decode()
    assert "Réouverture : Erreur de l&#x27;entreprise sur la feuille de juin" in html
    assert "<del>120,00</del> → <strong>130,50</strong>" in html
    assert "<del>Validée</del> → <strong>Brouillon</strong>" in html


def test_reopening_from_the_grid_goes_back_to_it(client_for, manager):
    entry = HoursEntryFactory(month=JUNE)
    client = login(client_for, manager)
    back = reverse("hours:grid") + f"?mois=2025-06&lot={entry.assignment.lot_id}"
    html = client.get(back).content.decode()
    reopen = reverse("hours:entry_reopen", args=[entry.pk])
    assert f'href="{reopen}?retour={quote(back, safe="/")}"' in html  # `retour`, as every screen
    response = client.post(
        reverse("hours:entry_reopen", args=[entry.pk]), {"reason": "Correction", "retour": back}
    )
    assert response.url == back
    response = client.post(
        reverse("hours:entry_reopen", args=[entry.pk]), {"reason": "x", "retour": "https://ailleurs.example/"}
    )
    assert response.url == reverse("hours:entry_detail", args=[entry.pk])  # not an open redirect


def test_facilitators_reopen_only_when_allowed(client_for, facilitator):
    entry = HoursEntryFactory()
    client = login(client_for, facilitator)
    url = reverse("hours:entry_reopen", args=[entry.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    with override_settings(CLAUSES_FACILITATORS_VALIDATE=True):
        assert client.post(url, {"reason": "x"}).status_code == 302
    entry.refresh_from_db()
    assert not entry.is_validated


def test_reopen_keeps_the_reason_within_the_history_column(manager):
    entry = HoursEntryFactory()
    grid.reopen_entry(entry, manager, "x" * 300)
    assert len(entry.history.first().history_change_reason) == 100


def test_entry_history_page_runs_few_queries(client_for, manager, django_assert_max_num_queries):
    entry = HoursEntryFactory(draft=True)
    client = login(client_for, manager)
    for n in range(10):
        post_edit(
            client,
            reverse("hours:entry_update", args=[entry.pk]),
            {"month": "2025-03", "hours": str(100 + n), "training_hours": ""},
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hours:entry_detail", args=[entry.pk]))
    assert len(response.context["versions"]) == 11
