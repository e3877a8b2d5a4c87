"""Two colleagues on one grid (issue 11, part 1): a save changes only the cells its user changed, a cell
changed meanwhile by someone else is never overwritten silently, rows the page did not show are never
touched. The pages are posted as a browser would: every input of the grid form as rendered."""

import datetime
import threading
import time
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hours import grid
from hours.models import Assignment, HoursEntry, Modality
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory
from tests.participants.factories import ParticipantFactory

D = Decimal
JUNE = datetime.date(2025, 6, 1)


class GridInputs(HTMLParser):
    """The inputs of the grid form (name -> value), as the browser would post them."""

    def __init__(self):
        super().__init__()
        self.values, self.inside = {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "grid-form":
            self.inside = True
        elif tag == "input" and self.inside and attrs.get("name") and attrs.get("type") != "submit":
            self.values[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def page_of(client, url, response=None):
    """The grid's inputs as the page shows them (a GET, or the re-displayed page of a response)."""
    response = response or client.get(url)
    assert response.status_code in (200, 409)
    parser = GridInputs()
    parser.feed(response.content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def at_local(hour, minute):
    """Today at hour:minute, Paris time (what « à 14 h 32 » shows)."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute)))


def june(assignment):
    entry = HoursEntry.objects.filter(assignment=assignment, month=JUNE).first()
    return None if entry is None else (entry.hours, entry.training_hours, entry.status)


@pytest.fixture(autouse=True)
def sessions_outlast_the_day(settings):
    """The saves are dated today at a fixed hour (« à 14 h 32 »), which may be hours after the real now:
    the sessions must still be open then, whatever time of day the suite runs."""
    settings.SESSION_COOKIE_AGE = 2 * 24 * 3600


@pytest.fixture
def team(db):
    """A lot in June 2025: Aubry (draft 100 h), Caron (nothing yet); Claire and Sophie, facilitators."""
    holder = CompanyFactory(name="Bâti Flandre")
    lot = ClauseFactory(stated=True).lot
    AwardFactory(lot=lot, company=holder)
    aubry = AssignmentFactory(participant=ParticipantFactory(last_name="Aubry", first_name="Élodie"), lot=lot)
    caron = AssignmentFactory(
        participant=ParticipantFactory(last_name="Caron", first_name="Sandrine"), lot=lot
    )
    HoursEntryFactory(assignment=aubry, month=JUNE, hours=D(100), draft=True)
    clients = {}
    for name, first, last in [("claire", "Claire", "Martin"), ("sophie", "Sophie", "Deschodt")]:
        user = UserFactory(username=name, first_name=first, last_name=last, facilitator=True)
        clients[name] = Client()
        clients[name].force_login(user)
    return {
        "lot": lot,
        "holder": holder,
        "aubry": aubry,
        "caron": caron,
        "url": reverse("hours:grid") + f"?mois=2025-06&lot={lot.pk}",
        "claire": clients["claire"],
        "sophie": clients["sophie"],
    }


def save_at(client, url, data, when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return client.post(url, data)


# --- (a) a colleague's new cell survives an older page ---------------------------------------------------


def test_an_older_page_does_not_delete_a_cell_filled_meanwhile(team):
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)  # Claire opens the grid: Caron's cell is empty
    sophie_page = page_of(team["sophie"], url)
    assert (
        save_at(team["sophie"], url, {**sophie_page, f"h{caron}": "20"}, at_local(14, 32)).status_code == 302
    )
    assert june(team["caron"]) == (D(20), D(0), "brouillon")

    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "98,5"}, follow=True)
    assert june(team["aubry"]) == (D("98.50"), D(0), "brouillon")
    assert june(team["caron"]) == (D(20), D(0), "brouillon")  # Sophie's 20 h kept
    assert [str(m) for m in response.context["messages"]] == [
        "Heures de juin 2025 enregistrées : 0 ligne créée, 1 modifiée, 0 effacée."
    ]


def test_the_company_grid_keeps_a_cell_filled_meanwhile_too(team):
    url = reverse("hours:grid") + f"?mois=2025-06&entreprise={team['holder'].pk}"
    team["aubry"].company = team["caron"].company = team["holder"]
    team["aubry"].save()
    team["caron"].save()
    aubry, caron = team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)
    assert team["sophie"].post(url, {**page_of(team["sophie"], url), f"h{caron}": "20"}).status_code == 302
    assert team["claire"].post(url, {**claire_page, f"h{aubry}": "98,5"}).status_code == 302
    assert (june(team["aubry"]), june(team["caron"])) == (
        (D("98.50"), D(0), "brouillon"),
        (D(20), D(0), "brouillon"),
    )


# --- (b) a person added meanwhile is not touched by a page that did not show her -------------------------


def test_an_older_page_does_not_touch_a_person_added_meanwhile(team):
    url = team["url"]
    claire_page = page_of(team["claire"], url)  # before Sophie adds Fournier
    person = ParticipantFactory(last_name="Fournier", first_name="Kevin")
    add = reverse("hours:grid_add") + f"?mois=2025-06&lot={team['lot'].pk}"
    added = team["sophie"].post(
        add,
        {
            "participant": person.pk,
            "company": team["holder"].pk,
            "modality": Modality.DIRECT_HIRE,
            "contract_type": "CDD",
            "starts_on": "2025-06-02",
        },
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200
    fournier = Assignment.objects.get(participant=person)
    # The row the modal appended carries its original values like the others.
    assert f'name="oh{fournier.pk}"' in added.content.decode()
    sophie_page = page_of(team["sophie"], url)
    assert team["sophie"].post(url, {**sophie_page, f"h{fournier.pk}": "77"}).status_code == 302
    assert june(fournier) == (D(77), D(0), "brouillon")

    response = team["claire"].post(url, claire_page, follow=True)  # her page, unchanged
    assert june(fournier) == (D(77), D(0), "brouillon")
    assert june(team["aubry"]) == (D(100), D(0), "brouillon")
    assert [str(m) for m in response.context["messages"]] == ["Aucune modification à enregistrer."]


# --- (c) the same cell changed by both -------------------------------------------------------------------


def test_the_same_cell_changed_by_both_is_a_conflict_shown_not_overwritten(team):
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)
    sophie_page = page_of(team["sophie"], url)
    assert (
        save_at(team["sophie"], url, {**sophie_page, f"h{aubry}": "44"}, at_local(14, 32)).status_code == 302
    )

    # Claire changed the same cell (and Caron's): nothing of her save is written, everything re-displayed.
    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120", f"h{caron}": "35"})
    assert response.status_code == 409
    assert june(team["aubry"]) == (D(44), D(0), "brouillon")
    assert june(team["caron"]) is None
    html = unescape(response.content.decode())
    assert "modifiée par Sophie Deschodt à 14 h 32 : 44,00" in html
    assert "Rien n'a été enregistré : 1 cellule a été modifiée entre-temps par quelqu'un d'autre." in html
    again = page_of(team["claire"], url, response)
    assert again[f"h{aubry}"] == "120,00"  # her value, kept for her to choose (shown as the totals are)
    assert again[f"oh{aubry}"] == "44,00"  # the value now stored: saving again overwrites deliberately
    assert again[f"h{caron}"] == "35,00"
    conflicts = response.context["conflicts"]
    assert [(c.row.key, c.column, c.typed, c.current) for c in conflicts] == [(aubry, "h", D(120), D(44))]

    # She keeps her value: saving the re-displayed page again overwrites Sophie's, knowingly.
    assert team["claire"].post(url, again).status_code == 302
    assert june(team["aubry"]) == (D(120), D(0), "brouillon")
    assert june(team["caron"]) == (D(35), D(0), "brouillon")


def test_a_conflict_can_be_resolved_by_taking_the_colleagues_value(team):
    url, aubry = team["url"], team["aubry"].pk
    claire_page = page_of(team["claire"], url)
    team["sophie"].post(url, {**page_of(team["sophie"], url), f"h{aubry}": "44"})
    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120"})
    assert response.status_code == 409
    again = page_of(team["claire"], url, response)
    response = team["claire"].post(url, {**again, f"h{aubry}": "44"}, follow=True)
    assert june(team["aubry"]) == (D(44), D(0), "brouillon")
    assert [str(m) for m in response.context["messages"]] == ["Aucune modification à enregistrer."]


def test_a_cell_cleared_meanwhile_is_a_conflict_naming_who_cleared_it(team):
    url, aubry = team["url"], team["aubry"].pk
    claire_page = page_of(team["claire"], url)
    save_at(team["sophie"], url, {**page_of(team["sophie"], url), f"h{aubry}": ""}, at_local(9, 5))
    assert june(team["aubry"]) is None
    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120"})
    assert response.status_code == 409
    assert "effacée par Sophie Deschodt à 9 h 05" in unescape(response.content.decode())
    assert june(team["aubry"]) is None


def test_different_cells_of_one_row_are_merged(team):
    """Sophie adds training hours, Claire changes the hours worked of the same row: both kept."""
    url, aubry = team["url"], team["aubry"].pk
    claire_page = page_of(team["claire"], url)
    team["sophie"].post(url, {**page_of(team["sophie"], url), f"t{aubry}": "7"})
    assert team["claire"].post(url, {**claire_page, f"h{aubry}": "90"}).status_code == 302
    assert june(team["aubry"]) == (D(90), D(7), "brouillon")


def test_the_same_value_typed_by_both_is_no_conflict(team):
    url, aubry = team["url"], team["aubry"].pk
    claire_page = page_of(team["claire"], url)
    team["sophie"].post(url, {**page_of(team["sophie"], url), f"h{aubry}": "44"})
    assert team["claire"].post(url, {**claire_page, f"h{aubry}": "44,00"}).status_code == 302
    assert june(team["aubry"]) == (D(44), D(0), "brouillon")


def test_an_entry_validated_meanwhile_is_a_conflict_explained(team):
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)
    nadia = UserFactory(username="nadia", first_name="Nadia", last_name="Lefebvre", manager=True)
    entry = HoursEntry.objects.get(assignment=aubry, month=JUNE)
    with mock.patch("django.utils.timezone.now", return_value=at_local(16, 0)):
        grid.validate_entries([entry], nadia)

    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120", f"h{caron}": "35"})
    assert response.status_code == 409
    assert june(team["aubry"]) == (D(100), D(0), "validee")
    assert june(team["caron"]) is None
    html = unescape(response.content.decode())
    assert (
        "validée par Nadia Lefebvre à 16 h 00 : 100,00 ; votre saisie (120,00) n'est pas enregistrée : "
        "rouvrez la ligne pour la modifier" in html
    )
    again = page_of(team["claire"], url, response)
    assert f"h{aubry}" not in again  # validated: read-only now
    assert again[f"h{caron}"] == "35,00"
    assert team["claire"].post(url, again).status_code == 302  # the rest, saved on the second try
    assert june(team["caron"]) == (D(35), D(0), "brouillon")
    assert june(team["aubry"]) == (D(100), D(0), "validee")


def test_an_entry_validated_meanwhile_is_no_conflict_when_left_unchanged(team):
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)
    grid.validate_entries([HoursEntry.objects.get(assignment=aubry, month=JUNE)], UserFactory(manager=True))
    response = team["claire"].post(url, {**claire_page, f"h{caron}": "35"}, follow=True)
    assert june(team["caron"]) == (D(35), D(0), "brouillon")
    assert [str(m) for m in response.context["messages"]] == [
        "Heures de juin 2025 enregistrées : 1 ligne créée, 0 modifiée, 0 effacée."
    ]


def test_a_row_no_longer_in_the_grid_is_ignored(team):
    url, caron = team["url"], team["caron"].pk
    moved = AssignmentFactory(lot=team["lot"], participant=ParticipantFactory(last_name="Dumont"))
    claire_page = page_of(team["claire"], url)
    team["caron"].delete()  # deleted meanwhile
    moved.starts_on, moved.ends_on = datetime.date(2025, 8, 1), None  # and this one now starts in August
    moved.save()
    post = {**claire_page, f"h{caron}": "35", f"h{moved.pk}": "12"}
    response = team["claire"].post(url, post, follow=True)
    assert response.status_code == 200
    assert not HoursEntry.objects.filter(assignment_id__in=[caron, moved.pk]).exists()
    assert june(team["aubry"]) == (D(100), D(0), "brouillon")
    assert [str(m) for m in response.context["messages"]] == [
        "Aucune modification à enregistrer.",
        "2 lignes ne sont plus dans cette grille (contrat supprimé ou déplacé entre-temps) : "
        "vos valeurs n'y ont pas été enregistrées.",
    ]


def test_a_post_without_the_original_values_touches_nothing(team):
    """Cells posted without the values the page was rendered with (not a grid page): ignored."""
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    assert team["claire"].post(url, {f"h{aubry}": "", f"h{caron}": "35"}).status_code == 302
    assert june(team["aubry"]) == (D(100), D(0), "brouillon")
    assert june(team["caron"]) is None


def test_a_conflict_with_the_month_validation_refuses_the_validation_too(team):
    url, aubry = team["url"], team["aubry"].pk
    manager = Client()
    manager.force_login(UserFactory(username="nadia", first_name="Nadia", last_name="Lefebvre", manager=True))
    manager_page = page_of(manager, url)
    save_at(team["sophie"], url, {**page_of(team["sophie"], url), f"h{aubry}": "44"}, at_local(14, 32))
    response = manager.post(url, {**manager_page, f"h{aubry}": "120", "valider": "1"})
    assert response.status_code == 409
    assert june(team["aubry"]) == (D(44), D(0), "brouillon")  # not validated either


def test_validating_the_month_validates_only_what_the_page_showed(team):
    """Nadia's page is older than Sophie's changes (Caron's cell filled, Fournier added with 77 h): her
    « Enregistrer et valider le mois » validates nothing she has not seen; the grid re-displays them."""
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    manager = Client()
    manager.force_login(UserFactory(username="nadia", first_name="Nadia", last_name="Lefebvre", manager=True))
    nadia_page = page_of(manager, url)
    fournier = AssignmentFactory(lot=team["lot"], participant=ParticipantFactory(last_name="Fournier"))
    sophie_page = page_of(team["sophie"], url)
    post = {**sophie_page, f"h{caron}": "20", f"h{fournier.pk}": "77"}
    save_at(team["sophie"], url, post, at_local(14, 32))

    response = manager.post(url, {**nadia_page, f"h{aubry}": "101", "valider": "1"})
    assert response.status_code == 409
    assert [june(a) for a in (team["aubry"], team["caron"], fournier)] == [
        (D(100), D(0), "brouillon"),
        (D(20), D(0), "brouillon"),
        (D(77), D(0), "brouillon"),
    ]
    html = unescape(response.content.decode())
    assert "modifiée par Sophie Deschodt à 14 h 32 : 20,00 (à vérifier avant de valider)" in html
    assert (
        "modifiée par Sophie Deschodt à 14 h 32 : 77,00 (ligne absente de votre page : vérifiez-la avant de "
        "valider)" in html
    )
    again = page_of(manager, url, response)
    assert (again[f"h{aubry}"], again[f"h{caron}"], again[f"h{fournier.pk}"]) == ("101,00", "20,00", "77,00")
    # now she has seen them (and confirmed: the confirmation step is tests/hours/test_grid_small_things.py)
    assert manager.post(url, {**again, "valider": "1", "confirmer": "1"}).status_code == 302
    assert [june(a) for a in (team["aubry"], team["caron"], fournier)] == [
        (D(101), D(0), "validee"),
        (D(20), D(0), "validee"),
        (D(77), D(0), "validee"),
    ]


def test_the_conflict_time_shows_the_day_when_not_today(team):
    url, aubry = team["url"], team["aubry"].pk
    claire_page = page_of(team["claire"], url)
    yesterday = at_local(14, 32) - datetime.timedelta(days=1)
    save_at(team["sophie"], url, {**page_of(team["sophie"], url), f"h{aubry}": "44"}, yesterday)
    response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120"})
    html = unescape(response.content.decode())
    assert f"modifiée par Sophie Deschodt le {yesterday:%d/%m/%Y} à 14 h 32 : 44,00" in html


def test_a_conflict_costs_a_bounded_number_of_queries(team, django_assert_max_num_queries):
    url, aubry, caron = team["url"], team["aubry"].pk, team["caron"].pk
    claire_page = page_of(team["claire"], url)
    team["sophie"].post(url, {**page_of(team["sophie"], url), f"h{aubry}": "44", f"h{caron}": "1"})
    with django_assert_max_num_queries(16):
        response = team["claire"].post(url, {**claire_page, f"h{aubry}": "120", f"h{caron}": "2"})
    assert response.status_code == 409
    assert len(response.context["conflicts"]) == 2


# --- two saves at the same moment (PostgreSQL: row locks) ---------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("person", ["aubry", "caron"])  # a cell with an entry, an empty cell
def test_two_simultaneous_saves_cannot_both_pass(team, person):
    """Claire's save holds the grid's locks for a second; Sophie's save of the same cell, started meanwhile
    from the same page, waits for it, then sees Claire's value: a conflict, not a silent overwrite (nor,
    for an empty cell, a duplicate entry refused by the database)."""
    url, cell = team["url"], team[person].pk
    page = page_of(team["claire"], url)
    locked = threading.Event()
    real_save = grid.save_rows
    claire_id = User.objects.get(username="claire").pk

    def slow_save(month, rows, values, user):
        result = real_save(month, rows, values, user)
        if user.pk == claire_id:
            locked.set()
            time.sleep(1)  # still in the transaction: the locks are held
        return result

    responses = {}

    def post(name, value):
        try:
            responses[name] = team[name].post(url, {**page, f"h{cell}": value})
        finally:
            connection.close()

    with mock.patch("hours.grid.save_rows", slow_save):
        first = threading.Thread(target=post, args=("claire", "120"))
        first.start()
        assert locked.wait(10)
        second = threading.Thread(target=post, args=("sophie", "130"))
        second.start()
        first.join(10)
        second.join(10)
    assert responses["claire"].status_code == 302
    assert responses["sophie"].status_code == 409
    assert june(team[person]) == (D(120), D(0), "brouillon")
