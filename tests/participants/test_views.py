"""Participants' screens: the filtered list and its export, the detail page, the forms, and the wall
between people's data and the read-only role."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from participants.models import Outcome, Participant
from tests.editing import post_edit
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory

D = Decimal
LIST = reverse("participants:participant_list")

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "elodie": ParticipantFactory(
            last_name="Lefèvre",
            first_name="Élodie",
            commune="Grande-Synthe",
            qpv=True,
            sex="F",
            level=Participant.Level.INFRA_3,
            prescriber="PLIE",
            criteria=["DELD", "QPV"],
        ),
        "karim": ParticipantFactory(
            last_name="Benali",
            first_name="Karim",
            commune="Dunkerque",
            qpv=False,
            sex="H",
            level=Participant.Level.LEVEL_4,
            prescriber="Mission locale",
            criteria=["Jeune -26"],
        ),
        "sandrine": ParticipantFactory(
            last_name="Deschodt",
            first_name="Sandrine",
            commune="Dunkerque",
            qpv=None,
            sex="F",
            level=Participant.Level.LEVEL_3,
            prescriber="France Travail",
            criteria=["RSA", "DELD"],
        ),
    }


def names(response):
    assert response.status_code == 200
    return [p.last_name for p in response.context["table"].data]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["Benali", "Deschodt", "Lefèvre"]),
        ("q=LEFEVRE", ["Lefèvre"]),
        ("q=elodie", ["Lefèvre"]),
        ("q=karim+benali", ["Benali"]),
        ("commune=Dunkerque", ["Benali", "Deschodt"]),
        ("qpv=true", ["Lefèvre"]),
        ("qpv=false", ["Benali"]),
        ("level=infra+3", ["Lefèvre"]),
        ("prescriber=Mission+locale", ["Benali"]),
        ("sex=F", ["Deschodt", "Lefèvre"]),
        ("sex=F&commune=Dunkerque", ["Deschodt"]),
    ],
)
def test_list_filters(people, client_for, query, expected):
    assert names(client_for("Facilitatrice").get(f"{LIST}?{query}")) == expected


def test_list_filter_by_criterion(people, client_for):
    from participants.models import Criterion

    deld = Criterion.objects.get(code="DELD")
    assert names(client_for("Facilitatrice").get(f"{LIST}?criteria={deld.pk}")) == ["Deschodt", "Lefèvre"]


def test_export_has_exactly_the_filtered_rows(people, client_for):
    response = client_for("Responsable").get(f"{LIST}?commune=Dunkerque&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "Nom",
        "Prénom",
        "Date de naissance",
        "Sexe",
        "Commune",
        "QPV",
        "Niveau",
        "Critères",
    )
    assert [(r[0], r[1], r[4], r[5], r[7]) for r in rows[1:]] == [
        ("Benali", "Karim", "Dunkerque", "non", "Jeune -26"),
        ("Deschodt", "Sandrine", "Dunkerque", "inconnu", "DELD, RSA"),
    ]


def test_list_runs_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    for n in range(55):
        person = ParticipantFactory(criteria=["DELD", "RSA"] if n % 2 else ["PLIE"])
        if n % 3 == 0:
            AssignmentFactory(participant=person)
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15):
        response = client.get(LIST)
    assert len(response.context["table"].page.object_list) == 50
    assert response.context["result_count"] == 55


def test_detail_tells_the_story(people, client_for, django_assert_max_num_queries):
    elodie = people["elodie"]
    a = AssignmentFactory(participant=elodie, job="Coffreuse")
    HoursEntryFactory(assignment=a, month=datetime.date(2025, 3, 1), hours=D("151.67"))
    HoursEntryFactory(assignment=a, month=datetime.date(2025, 4, 1), hours=D("120.50"), training_hours=D(7))
    HoursEntryFactory(assignment=a, month=datetime.date(2025, 5, 1), hours=D(99), draft=True)
    OutcomeFactory(participant=elodie, kind=Outcome.Kind.CDI)
    client = client_for("Facilitatrice")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("participants:participant_detail", args=[elodie.pk]))
    html = response.content.decode()
    assert "LEFÈVRE Élodie" in html
    assert "DELD" in html and "Habitant d&#x27;un quartier prioritaire (QPV)" in html
    assert "Coffreuse" in html
    assert response.context["hours_done"] == D("272.17")  # validated only: 151,67 + 120,50
    assert 'data-testid="hours-done">272,17<' in html
    assert [e.month.month for e in response.context["entries"]] == [5, 4, 3]
    assert "CDI" in html and "positive" in html


def test_creating_a_participant_and_a_duplicate_identity(client_for):
    client = client_for("Facilitatrice")
    post = {
        "last_name": "Vandenbussche",
        "first_name": "Aurélie",
        "birth_date": "1991-02-14",
        "sex": "F",
        "commune": "Téteghem",
        "qpv": "true",
        "level": "4",
        "prescriber": "PLIE",
    }
    response = client.post(reverse("participants:participant_create"), post)
    person = Participant.objects.get(last_name="Vandenbussche")
    assert response.url == reverse("participants:participant_detail", args=[person.pk])
    assert person.qpv is True
    duplicate = {**post, "last_name": "VANDEN-BUSSCHE", "first_name": "aurelie"}
    response = client.post(reverse("participants:participant_create"), duplicate)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cette personne existe déjà (même nom, prénom et date de naissance)."
    ]
    assert Participant.objects.count() == 1


def test_deleting_a_participant_with_hours_is_refused(client_for):
    entry = HoursEntryFactory()
    person = entry.assignment.participant
    response = client_for("Responsable").post(reverse("participants:participant_delete", args=[person.pk]))
    assert response.status_code == 409
    assert "Suppression impossible : une saisie d&#x27;heures est enregistrée" in response.content.decode()
    assert Participant.objects.filter(pk=person.pk).exists()
    alone = ParticipantFactory()
    response = client_for("Responsable").post(reverse("participants:participant_delete", args=[alone.pk]))
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=alone.pk).exists()


def test_outcomes_add_edit_delete(people, client_for):
    elodie = people["elodie"]
    client = client_for("Facilitatrice")
    post = {"timing": "fin", "date": "2025-12-31", "kind": "cdd6", "notes": ""}
    response = client.post(reverse("participants:outcome_create", args=[elodie.pk]), post)
    assert response.url == reverse("participants:participant_detail", args=[elodie.pk])
    outcome = elodie.outcomes.get()
    assert (outcome.kind, outcome.date, outcome.is_positive) == ("cdd6", datetime.date(2025, 12, 31), True)
    response = post_edit(
        client,
        reverse("participants:outcome_update", args=[outcome.pk]),
        {**post, "timing": "6mois", "kind": "recherche"},
    )
    outcome.refresh_from_db()
    assert (outcome.timing, outcome.kind) == ("6mois", "recherche")
    response = client.post(reverse("participants:outcome_create", args=[elodie.pk]), {**post, "date": ""})
    assert response.context["form"].errors["date"] == ["Ce champ est obligatoire."]
    client.post(reverse("participants:outcome_delete", args=[outcome.pk]))
    assert not elodie.outcomes.exists()


def test_the_reader_never_sees_people(people, client_for):
    client = client_for("Lecteur")
    pk = people["elodie"].pk
    for url in (
        LIST,
        f"{LIST}?export=xlsx",
        reverse("participants:participant_detail", args=[pk]),
        reverse("autocomplete", kwargs={"kind": "participant"}) + "?q=elo",
        reverse("autocomplete", kwargs={"kind": "assignment"}) + "?q=elo",
        reverse("hours:entry_list"),
        reverse("hours:assignment_list"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Lef" not in response.content
