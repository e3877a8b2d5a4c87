"""The access log: every read of a participant's page or export is written (who, when, which person,
what), never the person's identity; the manager consults it as a filtered list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import AccessLog
from reporting import personal_data
from tests.factories import UserFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sophie(db):
    return UserFactory(username="sophie", first_name="Sophie", last_name="Deschodt", facilitator=True)


@pytest.fixture
def boss(db):
    return UserFactory(username="chef", first_name="Nadia", last_name="Responsable", manager=True)


def _client(client, user):
    client.force_login(user)
    return client


def test_reading_a_page_or_an_export_is_logged(client, sophie, boss):
    person = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    before = timezone.now()
    assert (
        _client(client, sophie).get(reverse("participants:participant_detail", args=[person.pk])).status_code
        == 200
    )
    _client(client, boss)
    client.get(reverse("participants:participant_export_xlsx", args=[person.pk]))
    client.get(reverse("participants:participant_export_pdf", args=[person.pk]))
    rows = list(
        AccessLog.objects.order_by("pk").values_list("user__username", "user_label", "participant", "action")
    )
    assert rows == [
        ("sophie", "Sophie Deschodt", person.pk, "page"),
        ("chef", "Nadia Responsable", person.pk, "export_xlsx"),
        ("chef", "Nadia Responsable", person.pk, "export_pdf"),
    ]
    assert all(before <= at <= timezone.now() for at in AccessLog.objects.values_list("at", flat=True))


def test_refused_reads_are_not_logged(client, reader):
    person = ParticipantFactory()
    _client(client, reader)
    assert client.get(reverse("participants:participant_detail", args=[person.pk])).status_code == 403
    assert client.get(reverse("participants:participant_export_pdf", args=[person.pk])).status_code == 403
    assert not AccessLog.objects.exists()


def test_the_log_holds_no_identity():
    names = {f.name for f in AccessLog._meta.get_fields()}
    assert names == {"id", "at", "user", "user_label", "participant", "action"}


def test_log_list_filters_by_person_action_and_date(client, sophie, boss):
    dupont = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    benali = ParticipantFactory(last_name="Benali", first_name="Karim")
    AccessLog.record(sophie, dupont, AccessLog.Action.PAGE)
    AccessLog.record(sophie, benali, AccessLog.Action.PAGE)
    AccessLog.record(boss, dupont, AccessLog.Action.EXPORT_PDF)
    old = AccessLog.record(boss, benali, AccessLog.Action.EXPORT_XLSX)
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    _client(client, boss)
    url = reverse("participants:access_log")

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [(r.record.participant_id, r.record.action) for r in response.context["table"].rows]

    assert len(shown()) == 4
    assert shown(participant=dupont.pk) == [(dupont.pk, "export_pdf"), (dupont.pk, "page")]
    assert shown(action="page") == [(benali.pk, "page"), (dupont.pk, "page")]
    assert shown(user=sophie.pk) == [(benali.pk, "page"), (dupont.pk, "page")]
    since = (timezone.localdate() - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    assert (benali.pk, "export_xlsx") not in shown(at_du=since)
    assert len(shown(at_du=since)) == 3
    page = client.get(url, {"participant": dupont.pk}).content.decode()
    assert "DUPONT Élodie" in page and "Sophie Deschodt" in page and "Export des données (PDF)" in page
    assert "no-store" in client.get(url)["Cache-Control"]


def test_after_anonymisation_the_log_shows_the_stand_in(client, sophie, boss):
    person = ParticipantFactory(last_name="Dupont", first_name="Élodie")
    AccessLog.record(sophie, person, AccessLog.Action.PAGE)
    done = personal_data.anonymise(person, user=boss)
    page = _client(client, boss).get(reverse("participants:access_log")).content.decode()
    assert "Dupont" not in page and "DUPONT" not in page
    assert str(done) in page and "Anonymisation" in page


def test_log_list_queries_do_not_grow(client, boss, sophie, django_assert_max_num_queries):
    people = [ParticipantFactory() for _ in range(30)]
    for person in people:
        AccessLog.record(sophie, person, AccessLog.Action.PAGE)
    _client(client, boss)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("participants:access_log"))
    assert len(response.context["table"].rows) == 30


def test_the_user_filter_lists_the_team_and_whoever_read_a_record(sophie, boss):
    """One list of colleagues (clauses_site.roles.team_members): the active team by first name, named as
    the team reads them, plus a colleague who has left but read a record; never a reader or a log-in
    that read nothing."""
    from participants.filters import AccessLogFilter

    left = UserFactory(
        username="partie", first_name="Anne", last_name="Partie", facilitator=True, is_active=False
    )
    UserFactory(username="partie2", first_name="Bruno", last_name="Parti", facilitator=True, is_active=False)
    UserFactory(username="lecteur", first_name="Léo", last_name="Lecteur", reader=True)
    AccessLog.record(left, ParticipantFactory(), AccessLog.Action.PAGE)
    field = AccessLogFilter().form.fields["user"]
    assert [label for value, label in field.choices][1:] == [
        "Anne Partie",
        "Nadia Responsable",
        "Sophie Deschodt",
    ]
