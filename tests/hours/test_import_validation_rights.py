"""Issue 11, part 3: the tracking-sheet import validates hours only for those allowed to validate.

Someone who may not validate (a facilitator while CLAUSES_FACILITATORS_VALIDATE=0) imports hours as
drafts and never changes a validated entry: the row is refused (« validée le … par … : à rouvrir
d'abord »), and with it the whole file. The preview (dry run) says so already; the command's --user
applies the same rights; the command without --user is the system's and validates as before."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hours.models import HoursEntry
from hours.suivi import planner, run_import
from tests.factories import UserFactory
from tests.hours.suivi import as_file, line, workbook

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
REFUSAL = "validée le 12/03/2026 par Nadia Benali : à rouvrir d'abord"


def run(data, **kwargs):
    kwargs.setdefault("file_name", "suivi.xlsx")
    return run_import(as_file(data), **kwargs)


def errors(report):
    return [(e.row, e.column, e.value, e.reason, e.col) for e in report.errors]


@pytest.fixture
def nadia(db):
    return UserFactory(username="nbenali", first_name="Nadia", last_name="Benali", manager=True)


@pytest.fixture
def sophie(db):
    return UserFactory(username="sdeschodt", first_name="Sophie", last_name="Deschodt", facilitator=True)


@pytest.fixture
def validated_march(nadia):
    """March 2025: 24,50 h validated by Nadia Benali on 12/03/2026; April 2025: a draft of 10 h."""
    report = run(workbook([line(month="03/2025", hours=24.5), line(month="04/2025", hours=10)]), user=nadia)
    assert report.imported, report.lines()
    HoursEntry.objects.filter(month=datetime.date(2025, 3, 1)).update(
        validated_at=datetime.datetime(2026, 3, 12, 9, 30, tzinfo=PARIS)
    )
    april = HoursEntry.objects.get(month=datetime.date(2025, 4, 1))
    april.reopen()
    april.save()
    return HoursEntry.objects.get(month=datetime.date(2025, 3, 1))


def state():
    return sorted(
        (e.month, e.hours, e.training_hours, e.status, e.validated_by_id, e.validated_at)
        for e in HoursEntry.objects.all()
    )


# --------------------------------------------------------------------------------------------------
# Someone who may not validate


def test_facilitator_cannot_turn_a_validated_entry_into_hers(validated_march, sophie, nadia):
    """The reported case: 24,50 h validated by the manager rewritten as 124,50 h validated by herself."""
    before = state()
    report = run(workbook([line(month="03/2025", hours=124.5)]), user=sophie)
    assert report.refused and not report.imported
    assert errors(report) == [(2, "Heures", "124,50", REFUSAL, 26)]
    assert state() == before
    march = HoursEntry.objects.get(pk=validated_march.pk)
    assert march.hours == Decimal("24.50") and march.validated_by == nadia
    assert "  - ligne 2, colonne « Heures » « 124,50 » : " + REFUSAL in report.lines()


def test_the_preview_already_shows_the_refusal(validated_march, sophie):
    before = state()
    report = run(workbook([line(month="03/2025", hours=124.5)]), user=sophie, dry_run=True)
    assert report.refused and report.status == "refusé"
    assert errors(report) == [(2, "Heures", "124,50", REFUSAL, 26)]
    assert state() == before


def test_one_refused_row_refuses_the_whole_file(validated_march, sophie):
    rows = [
        line(month="05/2025", hours=30),  # new: would be a draft
        line(month="04/2025", hours=12),  # a draft: would be changed
        line(month="03/2025", hours=124.5),  # validated: refused
    ]
    before = state()
    report = run(workbook(rows), user=sophie)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(4, "Heures", REFUSAL)]
    assert report.error_count == 1 and not report.imported
    assert state() == before and HoursEntry.objects.count() == 2


def test_training_hours_of_a_validated_entry_are_refused_in_their_column(validated_march, sophie):
    report = run(workbook([line(month="03/2025", hours=24.5, training_hours=20)]), user=sophie)
    assert errors(report) == [(2, "Heures formation", "20,00", REFUSAL, 27)]


def test_the_validated_hours_as_recorded_are_unchanged_not_refused(validated_march, sophie, nadia):
    report = run(workbook([line(month="03/2025", hours=24.5), line(month="04/2025", hours=10)]), user=sophie)
    assert report.imported and not report.errors
    assert (report.counts["entries"].updated, report.counts["entries"].unchanged) == (0, 2)
    assert HoursEntry.objects.get(pk=validated_march.pk).validated_by == nadia
    # the draft of the same hours stays a draft: she does not validate it by re-importing it
    assert HoursEntry.objects.get(month=datetime.date(2025, 4, 1)).status == HoursEntry.Status.DRAFT


def test_facilitator_creates_and_changes_drafts(validated_march, sophie):
    rows = [
        line(month="03/2025", hours=24.5),
        line(month="04/2025", hours=12),
        line(month="05/2025", hours=30),
    ]
    report = run(workbook(rows), user=sophie, file_name="suivi-sophie.xlsx")
    assert report.imported, report.lines()
    counts = report.counts["entries"]
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 1)
    assert any("enregistrées en brouillon" in w for w in report.warnings)
    assert report.samples["entries"]["created"][0].endswith(" : 30,00 h (brouillon)")
    assert report.samples["entries"]["updated"][0].endswith(" : 10,00 h (brouillon) → 12,00 h (brouillon)")
    for month, hours in ((4, "12.00"), (5, "30.00")):
        entry = HoursEntry.objects.get(month=datetime.date(2025, month, 1))
        assert entry.hours == Decimal(hours) and entry.status == HoursEntry.Status.DRAFT
        assert entry.validated_by is None and entry.validated_at is None
        assert entry.entered_by == sophie and entry.source_file == "suivi-sophie.xlsx"
        assert entry.source == HoursEntry.Source.IMPORT
    assert HoursEntry.objects.validated().count() == 1  # March, untouched


def test_a_reader_never_validates_either(validated_march):
    reader = UserFactory(username="lecteur", reader=True)
    report = run(workbook([line(month="03/2025", hours=124.5)]), user=reader)
    assert [e.reason for e in report.errors] == [REFUSAL]


def test_validator_without_a_name_is_not_invented(validated_march, sophie):
    HoursEntry.objects.filter(pk=validated_march.pk).update(validated_by=None)
    report = run(workbook([line(month="03/2025", hours=124.5)]), user=sophie)
    assert [e.reason for e in report.errors] == ["validée le 12/03/2026 : à rouvrir d'abord"]


def test_an_entry_validated_between_the_plan_and_the_writing_is_not_changed(
    validated_march, sophie, nadia, monkeypatch
):
    """The manager validates April while the facilitator's import runs: her row is refused."""
    finish = planner.Planner.finish

    def finish_then_validate(self):
        finish(self)
        april = HoursEntry.objects.get(month=datetime.date(2025, 4, 1))
        april.validate(nadia)
        april.validated_at = datetime.datetime(2026, 3, 12, 18, 0, tzinfo=PARIS)
        april.save()

    monkeypatch.setattr(planner.Planner, "finish", finish_then_validate)
    report = run(workbook([line(month="04/2025", hours=12), line(month="05/2025", hours=30)]), user=sophie)
    assert not report.imported and report.refused
    assert errors(report) == [(2, "Heures", "12,00", REFUSAL, 26)]
    april = HoursEntry.objects.get(month=datetime.date(2025, 4, 1))
    assert april.hours == Decimal("10.00") and april.validated_by == nadia
    assert not HoursEntry.objects.filter(month=datetime.date(2025, 5, 1)).exists()


# --------------------------------------------------------------------------------------------------
# Someone who may validate: as before


def test_manager_replaces_and_validates(validated_march, nadia):
    manager = UserFactory(username="resp2", first_name="Paul", last_name="Roger", manager=True)
    rows = [
        line(month="03/2025", hours=124.5),
        line(month="04/2025", hours=10),
        line(month="05/2025", hours=30),
    ]
    report = run(workbook(rows), user=manager)
    assert report.imported and not report.warnings
    counts = report.counts["entries"]
    assert (counts.created, counts.updated, counts.unchanged) == (1, 2, 0)  # the April draft is validated
    assert HoursEntry.objects.validated().count() == 3
    assert set(HoursEntry.objects.values_list("validated_by", flat=True)) == {manager.pk}
    assert HoursEntry.objects.get(pk=validated_march.pk).hours == Decimal("124.50")


def test_facilitator_validates_when_the_setting_allows_it(validated_march, sophie, settings):
    settings.CLAUSES_FACILITATORS_VALIDATE = True
    report = run(workbook([line(month="03/2025", hours=124.5)]), user=sophie)
    assert report.imported and not report.errors
    march = HoursEntry.objects.get(pk=validated_march.pk)
    assert march.hours == Decimal("124.50") and march.status == HoursEntry.Status.VALIDATED
    assert march.validated_by == sophie


# --------------------------------------------------------------------------------------------------
# The command


def test_command_user_who_may_not_validate(validated_march, sophie, tmp_path, capsys):
    changed = tmp_path / "change.xlsx"
    changed.write_bytes(workbook([line(month="03/2025", hours=124.5)]))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_suivi", str(changed), "--user", "sdeschodt")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"ligne 2, colonne « Heures » « 124,50 » : {REFUSAL}" in out and "rien n'a été enregistré" in out
    assert HoursEntry.objects.get(pk=validated_march.pk).hours == Decimal("24.50")

    new = tmp_path / "mai.xlsx"
    new.write_bytes(workbook([line(month="05/2025", hours=30)]))
    call_command("import_suivi", str(new), "--user", "sdeschodt")
    assert "enregistrées en brouillon" in capsys.readouterr().out
    may = HoursEntry.objects.get(month=datetime.date(2025, 5, 1))
    assert may.status == HoursEntry.Status.DRAFT and may.entered_by == sophie and may.validated_at is None


def test_command_without_user_is_the_system_and_validates(validated_march, tmp_path):
    changed = tmp_path / "change.xlsx"
    changed.write_bytes(workbook([line(month="03/2025", hours=124.5)]))
    call_command("import_suivi", str(changed))
    march = HoursEntry.objects.get(pk=validated_march.pk)
    assert march.hours == Decimal("124.50") and march.status == HoursEntry.Status.VALIDATED
    assert march.validated_by is None and march.validated_at > datetime.datetime(2026, 3, 12, tzinfo=PARIS)


def test_command_refuses_a_user_who_may_not_import(tmp_path):
    UserFactory(username="lecteur", reader=True)
    UserFactory(username="parti", facilitator=True, is_active=False)
    path = tmp_path / "mai.xlsx"
    path.write_bytes(workbook([line(month="05/2025", hours=30)]))
    for name in ("lecteur", "parti"):
        with pytest.raises(CommandError, match="ne peut pas importer d'heures"):
            call_command("import_suivi", str(path), "--user", name)
    assert not HoursEntry.objects.exists()
