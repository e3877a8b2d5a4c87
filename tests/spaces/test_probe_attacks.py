"""Probes of the spaces as an attacker (issue 16): every internal URL as each external role (GET, POST,
htmx), other organisations' ids, odd ids and months, odd cells, CSRF."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from clauses_site import roles
from hours.models import HoursEntry
from spaces.middleware import OPEN_TO_EXTERNAL
from tests.access_matrix import MATRIX, URL_KWARGS

INTERNAL = sorted(
    name for name in MATRIX if not name.startswith("spaces:") and name not in OPEN_TO_EXTERNAL | {"home"}
)


@pytest.mark.parametrize("role", roles.EXTERNAL_ROLES)
@pytest.mark.parametrize("url_name", INTERNAL)
def test_every_internal_url_is_403_to_external_roles(role, url_name, client_for):
    kwargs = URL_KWARGS[url_name]() if url_name in URL_KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    client = client_for(role)
    for method, headers in (
        ("get", {}),
        ("get", {"HTTP_HX_REQUEST": "true"}),
        ("post", {}),
        ("post", {"HTTP_HX_REQUEST": "true"}),
    ):
        response = getattr(client, method)(url, **headers)
        assert response.status_code == 403, (method, headers, url, response.status_code)


def test_admin_is_closed_to_external_users(world, signed_in):
    for who in "ax":
        user = world["users"][who]
        user.is_staff = user.is_superuser = True
        user.save()
        client = signed_in(user)
        for url in ("/admin/", "/admin/auth/user/", "/admin/login/"):
            assert client.get(url).status_code == 403, url
            assert client.post(url).status_code == 403, url


@pytest.mark.parametrize(
    "who,name,key",
    [
        ("a", "spaces:lot", "y1"),  # B's lot
        ("a", "spaces:lot", "study"),  # A's own award, a market under study
        ("a", "spaces:lot", "x2"),  # A's own award, a lot without clause
        ("b", "spaces:lot", "study"),
        ("x", "spaces:lot", "y1"),
        ("x", "spaces:lot", "study"),
        ("y", "spaces:lot", "x1"),
    ],
)
def test_other_organisations_objects_are_404(world, signed_in, who, name, key):
    client = signed_in(world["users"][who])
    assert client.get(reverse(name, args=[world["lots"][key].pk])).status_code == 404


@pytest.mark.parametrize("who,key", [("x", "cud"), ("x", "study"), ("y", "grv"), ("a", "grv"), ("b", "cud")])
def test_other_markets_are_404(world, signed_in, who, key):
    client = signed_in(world["users"][who])
    assert client.get(reverse("spaces:market", args=[world["markets"][key].pk])).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/espace/lots/0/",
        "/espace/lots/-1/",
        "/espace/lots/abc/",
        "/espace/lots/99999999999999999999999999999/",
        "/espace/marches/99999999999999999999999999999/",
        "/espace/marches/9223372036854775808/",
        "/espace/declarations/2025/13/",
        "/espace/declarations/2025/0/",
        "/espace/declarations/0/1/",
        "/espace/declarations/99999/1/",
        "/espace/declarations/1/1/",
        "/espace/declarations/1/3/",
        "/espace/declarations/1899/12/",
        "/espace/declarations/3000/1/",
        "/espace/declarations/9999/12/",
        "/espace/declarations/99999999999999999999999999999/1/",
        "/espace/declarations/2025/99999999999999999999999999999/",
    ],
)
@pytest.mark.parametrize("who", ["a", "x"])
def test_odd_addresses_are_404(world, signed_in, path, who):
    client = signed_in(world["users"][who])
    assert client.get(path).status_code == 404, path
    assert client.post(path).status_code == 404, path


def test_a_future_month_of_the_project_s_range_is_shown_never_written(world, signed_in):
    client = signed_in(world["users"]["a"])
    assert client.get("/espace/declarations/2999/12/").status_code == 200
    anne_a = world["lots"]["x1"].assignments.get(company=world["companies"][0])
    response = client.post(
        "/espace/declarations/2999/12/", {f"h{anne_a.pk}": "10", f"oh{anne_a.pk}": "", f"ot{anne_a.pk}": ""}
    )
    assert response.status_code == 400
    assert not HoursEntry.objects.filter(month__year=2999).exists()


def _rows(world):
    a, b = world["companies"]
    anne_a = world["lots"]["x1"].assignments.get(company=a)
    karim_b = world["lots"]["x1"].assignments.get(company=b)
    return anne_a, karim_b


@pytest.mark.parametrize("typed", ["745", "-1", "1e3", "NaN", "Infinity", "inf", "1_0", "0x10", "١٥"])
def test_odd_cells_write_nothing(world, signed_in, typed):
    anne_a, _ = _rows(world)
    client = signed_in(world["users"]["a"])
    before = list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "status"))
    url = "/espace/declarations/2025/6/"
    response = client.post(url, {f"h{anne_a.pk}": typed, f"oh{anne_a.pk}": "", f"ot{anne_a.pk}": ""})
    assert response.status_code == 400, typed
    cells = json.dumps({f"h{anne_a.pk}": typed, f"oh{anne_a.pk}": "", f"ot{anne_a.pk}": ""})
    assert client.post(url, {"cellules": cells}).status_code == 400
    assert list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "status")) == before


@pytest.mark.parametrize(
    "cells",
    [
        "[" * 100000 + "]" * 100000,
        '{"h1": {"a": "1"}}',
        '{"h1": ["1"]}',
        '{"h1": 1}',
        '{"x": "1"}',
        "null",
        "1e999999",
        '{"h1": "1", "h1": "2"' + ', "h1": "3"' * 1000 + "}",
        json.dumps({f"h{i}": "1" for i in range(50000)}),
    ],
)
def test_odd_json_writes_nothing(world, signed_in, cells):
    client = signed_in(world["users"]["a"])
    before = HoursEntry.objects.count()
    response = client.post("/espace/declarations/2025/6/", {"cellules": cells})
    assert response.status_code in (200, 302, 400)
    assert HoursEntry.objects.count() == before


def test_another_company_s_assignment_and_a_validated_entry_are_not_written(world, signed_in):
    anne_a, karim_b = _rows(world)
    client = signed_in(world["users"]["a"])
    before = list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "status"))
    # June: B's row; March: A's own validated entry (100 h)
    for month, row, original in ((6, karim_b, ""), (3, anne_a, "100,00"), (3, karim_b, "80,00")):
        cells = {f"h{row.pk}": "7", f"oh{row.pk}": original, f"ot{row.pk}": "", f"t{row.pk}": "1"}
        client.post(f"/espace/declarations/2025/{month}/", cells)
        client.post(f"/espace/declarations/2025/{month}/", {"cellules": json.dumps(cells)})
    assert list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "status")) == before


def test_own_assignment_on_a_lot_without_clause_or_a_market_under_study(world, signed_in):
    from tests.hours.factories import AssignmentFactory
    from tests.participants.factories import ParticipantFactory

    a = world["companies"][0]
    person = ParticipantFactory(last_name="Caché", first_name="Zoé")
    rows = [
        AssignmentFactory(participant=person, lot=world["lots"]["x2"], company=a),
        AssignmentFactory(participant=person, lot=world["lots"]["study"], company=a),
    ]
    client = signed_in(world["users"]["a"])
    response = client.get("/espace/declarations/2025/6/")
    assert "Caché" not in response.content.decode()
    for row in rows:
        client.post("/espace/declarations/2025/6/", {f"h{row.pk}": "7", f"oh{row.pk}": "", f"ot{row.pk}": ""})
    assert not HoursEntry.objects.filter(assignment__in=rows).exists()


def test_a_buyer_posting_a_declaration_gets_404(world, signed_in):
    anne_a, _ = _rows(world)
    client = signed_in(world["users"]["x"])
    response = client.post("/espace/declarations/2025/6/", {f"h{anne_a.pk}": "7", f"oh{anne_a.pk}": ""})
    assert response.status_code == 404
    assert not HoursEntry.objects.filter(month__month=6).exists()


def test_csrf_is_enforced_on_every_space_post(world):
    anne_a, _ = _rows(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["a"])
    response = client.post("/espace/declarations/2025/6/", {f"h{anne_a.pk}": "7", f"oh{anne_a.pk}": ""})
    assert response.status_code == 403
    assert not HoursEntry.objects.filter(month__month=6).exists()
    for url in ("/espace/", f"/espace/lots/{world['lots']['x1'].pk}/"):
        assert client.post(url).status_code == 403
