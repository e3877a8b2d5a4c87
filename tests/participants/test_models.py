"""Participants: the identity key (suivi-xlsx.md), search, criteria; outcomes and their positivity."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from participants.models import IDENTITY_TAKEN, Criterion, Outcome, Participant, identity_key
from tests.factories import UserFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(1987, 3, 12)


def errors_of(instance, **kwargs):
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def person(last, first, birth=BIRTH):
    return Participant(last_name=last, first_name=first, birth_date=birth, sex=Participant.Sex.FEMALE)


@pytest.mark.parametrize(
    "existing,other",
    [
        (("Dupont", "Élodie"), ("DUPONT", "elodie")),
        (("Dupont", "Élodie"), (" dupont ", "ELODIE")),
        (("Martin", "Jean-Pierre"), ("MARTIN", "Jean Pierre")),
        (("Le Goff", "Anaïs"), ("LEGOFF", "anais")),
        (("D'Hondt", "Zoé"), ("Dhondt", "Zoe")),
    ],
)
def test_same_person_is_refused(existing, other):
    ParticipantFactory(last_name=existing[0], first_name=existing[1], birth_date=BIRTH)
    assert errors_of(person(*other)) == {NON_FIELD_ERRORS: [IDENTITY_TAKEN]}
    with pytest.raises(IntegrityError), transaction.atomic():
        person(*other).save()


def test_homonyms_born_another_day_are_other_people():
    ParticipantFactory(last_name="Dupont", first_name="Élodie", birth_date=BIRTH)
    other = person("Dupont", "Élodie", BIRTH.replace(day=13))
    assert errors_of(other) == {}
    other.save()
    assert errors_of(person("Dupont", "Élodine")) == {}
    assert Participant.objects.count() == 2


def test_changing_a_person_keeps_her_own_identity():
    elodie = ParticipantFactory(last_name="Dupont", first_name="Élodie", birth_date=BIRTH)
    elodie.first_name = "ELODIE"
    elodie.commune = "Téteghem"
    assert errors_of(elodie) == {}
    elodie.save()
    assert elodie.identity_key == "dupont|elodie|1987-03-12" == identity_key("DUPONT", "élodie", BIRTH)


def test_required_fields_are_named_in_french():
    errors = errors_of(Participant(last_name="", first_name="Karim", birth_date=None, sex=""))
    assert errors == {
        "last_name": ["Ce champ ne peut pas être vide."],
        "birth_date": ["Ce champ ne peut pas contenir la valeur nulle."],
        "sex": ["Ce champ ne peut pas être vide."],
    }


def test_search_by_names_in_any_order_without_accents():
    elodie = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    karim = ParticipantFactory(last_name="Benali", first_name="Karim")
    assert list(Participant.objects.search("elodie dupont")) == [elodie]
    assert list(Participant.objects.search("DUPONT Élodie")) == [elodie]
    assert list(Participant.objects.search("ben")) == [karim]
    assert list(Participant.objects.search("dupont karim")) == []
    assert Participant.objects.search("").count() == 2


def test_criteria_come_from_the_migration():
    assert list(Criterion.objects.values_list("code", flat=True)[:3]) == ["DELD", "DETLD", "RSA"]
    p = ParticipantFactory(criteria=["DELD", "QPV"])
    assert sorted(p.criteria.values_list("code", flat=True)) == ["DELD", "QPV"]


def test_str():
    assert str(ParticipantFactory(last_name="Dupont", first_name="Élodie")) == "DUPONT Élodie"


@pytest.mark.parametrize(
    "kind,positive",
    [
        (Outcome.Kind.CDI, True),
        (Outcome.Kind.CDD_6_PLUS, True),
        (Outcome.Kind.TEMP_6_PLUS, True),
        (Outcome.Kind.TRAINING, True),
        (Outcome.Kind.BUSINESS, True),
        (Outcome.Kind.CDD_SHORT, False),
        (Outcome.Kind.TEMP_SHORT, False),
        (Outcome.Kind.SUBSIDISED, False),
        (Outcome.Kind.IAE, False),
        (Outcome.Kind.JOB_SEARCH, False),
        (Outcome.Kind.ABANDON, False),
        (Outcome.Kind.MOVED, False),
        (Outcome.Kind.HEALTH, False),
        (Outcome.Kind.UNKNOWN, False),
    ],
)
def test_outcome_positivity_is_derived_from_its_kind(kind, positive):
    outcome = OutcomeFactory(kind=kind)
    assert outcome.is_positive is positive
    assert Outcome.objects.filter(Outcome.positive_q()).exists() is positive


def test_positive_outcomes_counted_through_a_relation():
    p = ParticipantFactory()
    OutcomeFactory(participant=p, kind=Outcome.Kind.CDD_SHORT, timing=Outcome.Timing.END)
    OutcomeFactory(participant=p, kind=Outcome.Kind.CDI, timing=Outcome.Timing.SIX_MONTHS)
    assert Participant.objects.filter(Outcome.positive_q("outcomes__")).count() == 1
    assert Outcome.objects.filter(Outcome.positive_q(), timing=Outcome.Timing.END).count() == 0


def test_outcome_kind_and_timing_are_checked():
    outcome = Outcome(participant=ParticipantFactory(), timing="plus tard", date=BIRTH, kind="cdi")
    errors = errors_of(outcome)
    assert list(errors) == ["timing"] and "n’est pas un choix valide" in errors["timing"][0]
    assert str(OutcomeFactory(kind=Outcome.Kind.CDI, date=datetime.date(2025, 6, 30))) == (
        "CDI (en fin de contrat, 30/06/2025)"
    )


def test_history_records_who_changed_a_participant():
    user = UserFactory(username="facilitatrice-h")
    p = ParticipantFactory(last_name="Dupont", first_name="Élodie", commune="Dunkerque")
    p.commune = "Grande-Synthe"
    p._history_user = user
    p.save()
    last, first = p.history.all()[:2]
    assert (last.history_type, last.history_user, last.commune) == ("~", user, "Grande-Synthe")
    assert (first.history_type, first.history_user, first.commune) == ("+", None, "Dunkerque")
    assert [c.field for c in last.diff_against(first).changes] == ["commune"]
