"""Personal-data rights: the stand-in birth date, the anonymisation (identity, history, free text, the
other apps), the export of a person's data, the retention rule and its command."""

import datetime
import io
import json
import random
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hours.models import Assignment, ImportBatch
from participants import privacy
from participants.forms import ParticipantForm
from participants.models import AccessLog, Participant
from partnerships.models import JournalEntry, Proposal
from reporting import indicators, personal_data
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.partnerships.factories import JournalEntryFactory, ProposalFactory, TraineeFactory

D = datetime.date


# --- the stand-in birth date -------------------------------------------------------------------------


def test_bands_are_those_of_the_bilans():
    assert privacy.AGE_BANDS == indicators.AGE_BANDS
    assert privacy.age_band(D(2000, 2, 29), D(2026, 2, 28)) == "<26"
    assert privacy.age_band(D(2000, 2, 29), D(2026, 3, 1)) == "26-49"
    assert privacy.age_band(D(1976, 3, 15), D(2026, 3, 14)) == "26-49"
    assert privacy.age_band(D(1976, 3, 15), D(2026, 3, 15)) == "50+"


@pytest.mark.parametrize(
    "birth,dates,expected",
    [
        # 26-49 on both dates: the latest 1 January allowed (26 on the first start).
        (D(1987, 3, 12), [D(2025, 1, 6), D(2020, 5, 1)], D(1994, 1, 1)),
        # Under 26 on every date: the earliest 1 January allowed.
        (D(2003, 6, 1), [D(2025, 2, 3)], D(2000, 1, 1)),
        # 50+ only: the latest 1 January allowed.
        (D(1970, 7, 1), [D(2025, 4, 1)], D(1975, 1, 1)),
        # Starts three days apart across the 26th birthday: the first of the month in between.
        (D(2000, 2, 29), [D(2026, 2, 28), D(2026, 3, 1)], D(2000, 3, 1)),
        # Starts two days apart across the 50th birthday: the only other day allowed.
        (D(1976, 3, 15), [D(2026, 3, 14), D(2026, 3, 16)], D(1976, 3, 16)),
        # Never worked: counted in no bilan.
        (D(1990, 5, 5), [], privacy.NO_REFERENCE_BIRTH_DATE),
    ],
)
def test_stand_in_birth_date(birth, dates, expected):
    stand_in = privacy.stand_in_birth_date(birth, dates)
    assert stand_in == expected
    assert [privacy.age_band(stand_in, on) for on in dates] == [privacy.age_band(birth, on) for on in dates]


def test_stand_in_keeps_every_band_on_random_dates():
    """2 000 random people (births from 1950 to 2008, 29 February included) with 1 to 5 assignment starts
    from 2015 to 2030: the stand-in gives the same band on every start, and depends only on the bands
    (two births with the same bands on the same dates get the same stand-in)."""
    rng = random.Random(11)
    leap_births = [D(y, 2, 29) for y in range(1952, 2008, 4)]
    for _ in range(2000):
        birth = (
            rng.choice(leap_births)
            if rng.random() < 0.2
            else D(1950, 1, 1) + datetime.timedelta(days=rng.randrange(58 * 365))
        )
        dates = [
            D(2015, 1, 1) + datetime.timedelta(days=rng.randrange(15 * 365)) for _ in range(rng.randint(1, 5))
        ]
        if rng.random() < 0.3:  # a start on the birthday itself, or the day before
            birthday = privacy._from_ymd(privacy.ymd(birth) + rng.choice([26, 50]) * 10000)
            dates.append(birthday - datetime.timedelta(days=rng.choice([0, 1])))
        stand_in = privacy.stand_in_birth_date(birth, dates)
        bands = [privacy.age_band(birth, on) for on in dates]
        assert [privacy.age_band(stand_in, on) for on in dates] == bands, (birth, dates, stand_in)
        low, high = privacy.band_bounds(birth, dates)
        twin = privacy._from_ymd(high) if high is not None else None
        if twin is not None and [privacy.age_band(twin, on) for on in dates] == bands:
            assert privacy.stand_in_birth_date(twin, dates) == stand_in


# --- anonymisation -----------------------------------------------------------------------------------


@pytest.fixture
def person(db):
    person = ParticipantFactory(
        last_name="Dupont",
        first_name="Élodie",
        birth_date=D(2000, 5, 10),
        commune="Grande-Synthe",
        qpv=True,
        prescriber="PLIE",
        referent="Mme Carpentier (CISP)",
        entered_on=D(2024, 11, 4),
        notes="Suivie par sa sœur, téléphone 06 12 34 56 78.",
        criteria=["DELD", "RSA"],
    )
    person.commune = "Dunkerque"  # a second history row
    person.save()
    return person


def _names_anywhere(pk):
    """Every stored value of the person's rows and history rows, as one text."""
    rows = list(Participant.objects.filter(pk=pk).values()) + list(Participant.history.filter(id=pk).values())
    return json.dumps(rows, default=str)


@pytest.mark.django_db
def test_anonymise_identity_replaces_identity_keeps_categories_and_purges_history(person, manager):
    OutcomeFactory(participant=person, notes="Élodie Dupont a trouvé un CDI grâce à son oncle.")
    assert "Dupont" in _names_anywhere(person.pk) and "2000-05-10" in _names_anywhere(person.pk)

    done = privacy.anonymise_identity(person, [D(2025, 1, 6)], user=manager)

    done.refresh_from_db()
    assert done.last_name == "Anonyme" and done.first_name.startswith("n° ")
    assert str(done) == f"ANONYME {done.first_name}"
    assert done.birth_date == D(2000, 1, 1)  # under 26 on 06/01/2025, like the real birth date
    assert (done.referent, done.entered_on, done.notes) == ("", None, "")
    assert (done.sex, done.commune, done.qpv, done.level, done.prescriber) == (
        "F",
        "Dunkerque",
        True,
        "3",
        "PLIE",
    )
    assert sorted(c.code for c in done.criteria.all()) == ["DELD", "RSA"]
    assert done.anonymised_by == manager and done.anonymised_reason == privacy.REQUEST
    assert done.outcomes.get().notes == ""
    stored = _names_anywhere(person.pk)
    for secret in (
        "Dupont",
        "Élodie",
        "2000-05-10",
        "Carpentier",
        "06 12 34",
        "2024-11-04",
        "dupont",
        "elodie",
    ):
        assert secret not in stored
    # creation, criteria, change, anonymisation: every row purged, none deleted
    assert Participant.history.filter(id=person.pk).count() == 4
    log = AccessLog.objects.get()
    assert (log.action, log.user, log.participant_id) == (AccessLog.Action.ANONYMISATION, manager, person.pk)
    with pytest.raises(privacy.AlreadyAnonymised):
        privacy.anonymise_identity(done, [])


@pytest.mark.django_db
def test_an_anonymised_record_cannot_be_edited(person, manager):
    done = privacy.anonymise_identity(person, [], user=manager)
    data = {
        "last_name": "Dupont",
        "first_name": "Élodie",
        "birth_date": "10/05/2000",
        "sex": "F",
        "criteria": [],
    }
    form = ParticipantForm(data, instance=done)
    assert not form.is_valid()
    assert "a été anonymisée le" in " ".join(form.non_field_errors())


@pytest.mark.django_db
def test_anonymise_clears_what_other_apps_hold_about_the_person(person, manager):
    other = ParticipantFactory(last_name="Dupont", first_name="Karim")
    assignment = AssignmentFactory(participant=person, notes="Élodie viendra avec sa fille.")
    assignment.job = "Agent d'entretien"
    assignment.save()  # a second history row with the note
    TraineeFactory(participant=person, notes="Absente le lundi (rendez-vous médical).")
    ProposalFactory(participant=person, comment="DUPONT Élodie : très motivée.")
    named = JournalEntryFactory(
        subject="Point recrutement",
        people_met="Élodie Dupont, Karim Dupont",
        notes="Dupont Élodie embauchée ; Karim Dupont en attente.",
    )
    unrelated = JournalEntryFactory(notes="Rien sur Élodie Martin.")
    batch = ImportBatch.objects.create(
        file_name="suivi.xlsx",
        report={
            "samples": {"people": {"created": ["DUPONT Élodie (10/05/2000)", "DUPONT Karim (12/03/1987)"]}}
        },
    )

    done = personal_data.anonymise(person, user=manager)

    stand_in = str(done)
    assert Assignment.objects.get(pk=assignment.pk).notes == ""
    assert set(Assignment.history.filter(id=assignment.pk).values_list("notes", flat=True)) == {""}
    assert person.trainings.get().notes == ""
    assert person.proposals.get().comment == ""
    named.refresh_from_db()
    assert named.people_met == f"{stand_in}, Karim Dupont"
    assert named.notes == f"{stand_in} embauchée ; Karim Dupont en attente."
    assert "elodie" not in named.search_text
    assert JournalEntry.objects.get(pk=unrelated.pk).notes == "Rien sur Élodie Martin."
    batch.refresh_from_db()
    assert batch.report["samples"]["people"]["created"] == [stand_in, "DUPONT Karim (12/03/1987)"]
    other.refresh_from_db()
    assert (other.last_name, other.first_name) == ("Dupont", "Karim")


# --- the export (right of access) --------------------------------------------------------------------


@pytest.fixture
def held(person, facilitator):
    assignment = AssignmentFactory(participant=person, notes='=HYPERLINK("http://x")')
    HoursEntryFactory(assignment=assignment, month=D(2025, 3, 1), hours=Decimal("120.50"))
    OutcomeFactory(participant=person, date=D(2025, 6, 30), notes="CDI chez Bâti Nord")
    JournalEntryFactory(subject="Lancement", people_met="Élodie Dupont", notes="Présente.")
    JournalEntryFactory(subject="Autre réunion", notes="Personne nommée.")
    AccessLog.record(facilitator, person, AccessLog.Action.PAGE)
    return person


@pytest.mark.django_db
def test_xlsx_export_holds_everything_and_neutralises_formulas(held, client_for):
    response = client_for("Responsable").get(reverse("participants:participant_export_xlsx", args=[held.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="donnees-personnelles-{held.pk}-{timezone.localdate().isoformat()}.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Fiche",
        "Critères",
        "Mises à l'emploi",
        "Heures",
        "Sorties",
        "Formations",
        "Propositions",
        "Journal",
        "Historique",
        "Accès",
    ]
    record = {row[0]: row[1] for row in book["Fiche"].iter_rows(min_row=2, values_only=True)}
    assert record["Nom"] == "Dupont" and record["Date de naissance"] == "10/05/2000"
    assert record["Référent de parcours"] == "Mme Carpentier (CISP)"
    assert [r[0] for r in book["Critères"].iter_rows(min_row=2, values_only=True)] == ["DELD", "RSA"]
    hours = list(book["Heures"].iter_rows(min_row=2, values_only=True))
    assert len(hours) == 1 and hours[0][3] == 120.5
    notes = book["Mises à l'emploi"].cell(row=2, column=10).value
    assert notes == '\'=HYPERLINK("http://x")'  # neutralised, not a live formula
    journal = list(book["Journal"].iter_rows(min_row=2, values_only=True))
    assert [j[2] for j in journal] == ["Lancement"]
    history = list(book["Historique"].iter_rows(min_row=2, values_only=True))
    assert [h[2] for h in history] == ["Modification", "Modification", "Création"]  # criteria, commune
    access = [a[2] for a in book["Accès"].iter_rows(min_row=2, values_only=True)]
    assert access == ["Export des données (xlsx)", "Consultation de la fiche"]


@pytest.mark.django_db
def test_pdf_export(held, client_for):
    html = personal_data.render_html(held)
    for text in (
        "Dupont",
        "10/05/2000",
        "Mme Carpentier (CISP)",
        "120,50",
        "Lancement",
        "CDI chez Bâti Nord",
    ):
        assert text in html
    assert "Autre réunion" not in html
    response = client_for("Responsable").get(reverse("participants:participant_export_pdf", args=[held.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


# --- the anonymisation page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymisation_asks_for_a_confirmation(person, client_for):
    url = reverse("participants:participant_anonymise", args=[person.pk])
    client = client_for("Responsable")
    page = client.get(url)
    assert "Anonymiser définitivement" in page.content.decode()
    refused = client.post(url, {})
    assert refused.status_code == 200
    assert "Cochez la case pour confirmer l&#x27;anonymisation" in refused.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Dupont" and not AccessLog.objects.exists()

    done = client.post(url, {"confirm": "on"}, follow=True)
    person.refresh_from_db()
    assert person.is_anonymised and person.last_name == "Anonyme"
    assert "Personne anonymisée" in done.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.ANONYMISATION, participant=person).count() == 1


@pytest.mark.django_db
def test_facilitator_cannot_anonymise(person, client_for):
    url = reverse("participants:participant_anonymise", args=[person.pk])
    assert client_for("Facilitatrice").post(url, {"confirm": "on"}).status_code == 403
    person.refresh_from_db()
    assert not person.is_anonymised


# --- retention ---------------------------------------------------------------------------------------


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def retention_people(db):
    ended = ParticipantFactory(last_name="Ancien")  # last assignment ended 30/06/2020
    AssignmentFactory(participant=ended, starts_on=D(2019, 1, 7), ends_on=D(2019, 6, 30))
    AssignmentFactory(participant=ended, starts_on=D(2020, 1, 6), ends_on=D(2020, 6, 30))
    running = ParticipantFactory(last_name="EnCours")  # an old one ended, one still running
    AssignmentFactory(participant=running, starts_on=D(2015, 1, 5), ends_on=D(2015, 6, 30))
    AssignmentFactory(participant=running, starts_on=D(2016, 1, 4), ends_on=None)
    recent = ParticipantFactory(last_name="Recent")  # ended 30/09/2020: due on 01/10/2025
    AssignmentFactory(participant=recent, starts_on=D(2020, 1, 6), ends_on=D(2020, 9, 30))
    idle = ParticipantFactory(last_name="SansContrat")  # no assignment, record unchanged since 2019
    Participant.objects.filter(pk=idle.pk).update(updated_at=_aware(D(2019, 3, 1)))
    fresh = ParticipantFactory(last_name="Nouveau")  # no assignment, record of today
    return {p.last_name: p for p in (ended, running, recent, idle, fresh)}


def _due_names(on, **kwargs):
    return [d.person.last_name for d in personal_data.due_for_retention(on, **kwargs)]


def test_due_for_retention(retention_people):
    assert _due_names(D(2025, 6, 30)) == ["SansContrat"]  # 30/06/2020 is not more than 5 years ago
    assert _due_names(D(2025, 7, 1)) == ["SansContrat", "Ancien"]
    assert _due_names(D(2025, 10, 1)) == ["SansContrat", "Ancien", "Recent"]
    due = {d.person.last_name: d for d in personal_data.due_for_retention(D(2025, 10, 1))}
    assert due["Ancien"].due_on == D(2025, 7, 1)
    assert due["Ancien"].basis == "dernier contrat terminé le 30/06/2020"
    assert due["SansContrat"].due_on == D(2024, 3, 2)
    assert _due_names(D(2023, 10, 1), years=3) == ["SansContrat", "Ancien", "Recent"]


def test_a_later_proposal_or_training_puts_retention_off(retention_people):
    ancien, idle = retention_people["Ancien"], retention_people["SansContrat"]
    proposal = ProposalFactory(participant=ancien)
    Proposal.objects.filter(pk=proposal.pk).update(proposed_at=_aware(D(2021, 2, 15)))
    TraineeFactory(participant=idle, training__starts_on=D(2022, 3, 1), training__ends_on=None)
    assert _due_names(D(2025, 10, 1)) == ["Recent"]
    due = {d.person.last_name: d for d in personal_data.due_for_retention(D(2027, 3, 2))}
    assert due["Ancien"].due_on == D(2026, 2, 16)
    assert due["Ancien"].basis == "dernière proposition à un besoin le 15/02/2021"
    assert due["SansContrat"].due_on == D(2027, 3, 2)
    assert due["SansContrat"].basis == "dernière formation le 01/03/2022"


def test_retention_years_setting(retention_people, settings):
    settings.CLAUSES_RETENTION_YEARS = 10
    assert _due_names(D(2025, 10, 1)) == []


def test_personal_data_page_lists_who_is_due_within_three_months(retention_people, client_for):
    page = client_for("Responsable").get(reverse("participants:personal_data"))
    assert page.status_code == 200
    text = page.content.decode()
    # Today is later than every due date but Nouveau's (no assignment, record of today: due in 5 years).
    for name in ("ANCIEN", "ENCOURS", "RECENT", "SANSCONTRAT", "NOUVEAU"):
        assert (name in text) == (name in ("ANCIEN", "RECENT", "SANSCONTRAT")), name
    assert reverse("participants:access_log") in text


def test_personal_data_page_notice_window(db, client_for):
    today = timezone.localdate()
    soon = ParticipantFactory(last_name="Bientot")
    AssignmentFactory(
        participant=soon,
        starts_on=D(2015, 1, 5),
        ends_on=personal_data.add_years(today, -5) + datetime.timedelta(days=80),
    )
    later = ParticipantFactory(last_name="PlusTard")
    AssignmentFactory(
        participant=later,
        starts_on=D(2015, 1, 5),
        ends_on=personal_data.add_years(today, -5) + datetime.timedelta(days=100),
    )
    text = client_for("Responsable").get(reverse("participants:personal_data")).content.decode()
    assert "BIENTOT" in text and "PLUSTARD" not in text


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _batch(name, uploaded):
    batch = ImportBatch(file_name=name, status=ImportBatch.Status.REFUSED, report={"errors": []})
    batch.file.save(name, ContentFile(b"PK fake workbook"), save=False)
    batch.save()
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=_aware(uploaded))
    return batch


def test_apply_retention_command(retention_people, media, capsys, django_capture_on_commit_callbacks):
    today = D(2025, 7, 1)
    old = _batch("ancien.xlsx", today - datetime.timedelta(days=91))
    kept = _batch("recent.xlsx", today - datetime.timedelta(days=89))
    person = retention_people["Nouveau"]
    AccessLog.objects.create(
        participant=person, action="page", at=_aware(today - datetime.timedelta(days=366))
    )
    AccessLog.objects.create(
        participant=person, action="page", at=_aware(today - datetime.timedelta(days=364))
    )
    old_path = media / old.file.name
    gone = ParticipantFactory(last_name="Supprime", first_name="Jean")
    gone_pk = gone.pk
    gone.delete()
    assert Participant.history.filter(id=gone_pk, last_name="Supprime").count() == 2  # kept by history

    call_command("apply_retention", "--dry-run", "--today", today.isoformat())
    out = capsys.readouterr().out
    assert "Personnes à anonymiser : 2" in out and "ANCIEN" in out and "SANSCONTRAT" in out
    assert "Classeurs importés de plus de 90 jours à supprimer : 1" in out and "ancien.xlsx" in out
    assert "Lignes du journal des accès de plus d'un an à supprimer : 1" in out
    assert "Historique de participants supprimés à effacer : 1 personne(s)" in out
    assert "Essai à blanc : rien n'a été modifié." in out
    assert not Participant.objects.filter(anonymised_at__isnull=False).exists()
    assert old_path.exists() and AccessLog.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--today", today.isoformat())
    out = capsys.readouterr().out
    assert "Personnes anonymisées : 2" in out and "ANCIEN" not in out
    anonymised = Participant.objects.filter(anonymised_at__isnull=False)
    assert set(anonymised.values_list("pk", flat=True)) == {
        retention_people["Ancien"].pk,
        retention_people["SansContrat"].pk,
    }
    assert set(anonymised.values_list("anonymised_reason", flat=True)) == {privacy.RETENTION}
    assert set(anonymised.values_list("anonymised_by", flat=True)) == {None}
    old.refresh_from_db()
    kept.refresh_from_db()
    assert not old.file and old.report == {"errors": []} and not old_path.exists()
    assert kept.file and (media / kept.file.name).exists()
    # The year-old row is gone; the two anonymisations are logged, by the retention run (no user).
    assert AccessLog.objects.filter(action="page").count() == 1
    assert AccessLog.objects.filter(action="anonymisation", user__isnull=True, user_label="").count() == 2
    assert not Participant.history.filter(id=gone_pk).exists()
    assert Participant.history.filter(id=retention_people["Nouveau"].pk).exists()


def test_apply_retention_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide pour --today : « 2025-13-01 »"):
        call_command("apply_retention", "--today", "2025-13-01")


@pytest.mark.django_db
@pytest.mark.parametrize("role,shown", [("Responsable", True), ("Facilitatrice", False)])
def test_participants_list_links_to_personal_data_for_the_manager(client_for, role, shown):
    page = client_for(role).get(reverse("participants:participant_list")).content.decode()
    assert (reverse("participants:personal_data") in page) == shown


@pytest.mark.django_db
@pytest.mark.parametrize("role,shown", [("Responsable", True), ("Facilitatrice", False)])
def test_participant_page_offers_export_and_anonymisation_to_the_manager(client_for, person, role, shown):
    page = client_for(role).get(reverse("participants:participant_detail", args=[person.pk])).content.decode()
    for name in ("participant_export_pdf", "participant_export_xlsx", "participant_anonymise"):
        assert (reverse(f"participants:{name}", args=[person.pk]) in page) == shown


@pytest.mark.django_db
def test_anonymised_page_shows_the_banner_and_no_edit_button(client_for, person, manager):
    done = privacy.anonymise_identity(person, [], user=manager)
    page = (
        client_for("Responsable")
        .get(reverse("participants:participant_detail", args=[done.pk]))
        .content.decode()
    )
    assert 'data-testid="anonymised"' in page and "à la demande de la personne" in page
    assert reverse("participants:participant_update", args=[done.pk]) not in page
    assert reverse("participants:participant_anonymise", args=[done.pk]) not in page
    assert "Dupont" not in page and "10/05/2000" not in page
