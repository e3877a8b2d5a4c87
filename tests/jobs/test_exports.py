"""The big xlsx exports as jobs: the tracking sheet (« Exporter le tableau de suivi ») and a long list's
« Exporter (xlsx) ». The request answers at once and sends the browser to the job's page; the job
writes the workbook with its progress (« Ligne 2 sur 3 ») and keeps it for its owner; a failure keeps
no file and says why in French."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site.listing import FilteredListView
from hours.models import HoursEntry
from jobs import exports
from jobs.models import Job
from jobs.progress import Progress
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.hours.suivi import TITLES
from tests.jobs.factories import files_under, run
from tests.markets.factories import BuyerFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def steps(monkeypatch):
    """Every step a job reports (« Ligne 2 sur 3 »), a progress update every row."""
    seen = []
    update = Progress.update

    def recording(self, *args, **kwargs):
        update(self, *args, **kwargs)
        seen.append(self.job.step)

    monkeypatch.setattr(Progress, "update", recording)
    monkeypatch.setattr(exports, "EVERY", 1)
    return seen


def rows_of(data, sheet=None):
    book = load_workbook(io.BytesIO(data))
    return list((book[sheet] if sheet else book.active).iter_rows(values_only=True))


def hours_of_two_buyers():
    """Three validated entries of Dupont and Benali for the CUD, a draft (not exported), and one of another
    buyer (filtered out)."""
    cud = BuyerFactory(name="Communauté Urbaine de Dunkerque")
    lot = LotFactory(
        market=MarketFactory(buyer=cud, reference="CUD-2025-014"), number="1", title="Gros œuvre"
    )
    company = CompanyFactory(name="BATI NORD SAS", siret="52601815590833")
    dupont = AssignmentFactory(participant=ParticipantFactory(last_name="Dupont"), lot=lot, company=company)
    benali = AssignmentFactory(participant=ParticipantFactory(last_name="Benali"), lot=lot, company=company)
    HoursEntryFactory(assignment=dupont, month=datetime.date(2025, 3, 1), hours=Decimal("35"))
    HoursEntryFactory(assignment=dupont, month=datetime.date(2025, 4, 1), hours=Decimal("70.5"))
    HoursEntryFactory(assignment=benali, month=datetime.date(2025, 3, 1), hours=Decimal("12"))
    HoursEntryFactory(assignment=benali, month=datetime.date(2025, 5, 1), hours=Decimal("8"), draft=True)
    HoursEntryFactory(assignment__lot__market__buyer=BuyerFactory(name="Flandre Opale Habitat"))
    return cud


def suivi_rows(data):
    """(Nom, Mois, Heures) of each row of the tracking sheet, in its order."""
    header, *rows = rows_of(data, "Heures")
    assert list(header) == TITLES
    name, month, hours = (TITLES.index(t) for t in ("Nom", "Mois", "Heures"))
    return [(r[name], r[month].date(), r[hours]) for r in rows]


def test_the_tracking_sheet_export_is_a_job_with_its_progress(editor, manager, queued, steps, jobs_dir):
    cud = hours_of_two_buyers()
    response = editor.get(reverse("hours:export_suivi"), {"buyer": cud.pk, "du": "2025-03", "au": "2025-04"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.user) == (Job.Kind.SUIVI_EXPORT, Job.Status.QUEUED, manager)
    assert job.title == (
        "Export du tableau de suivi des heures validées de Communauté Urbaine de Dunkerque "
        "du 01/03/2025 au 30/04/2025"
    )
    assert files_under(jobs_dir) == []  # nothing written by the request

    job = run(job)
    assert job.status == Job.Status.DONE, job.error
    assert [s for s in steps if s.startswith("Ligne")] == [f"Ligne {n} sur 3" for n in range(4)]
    assert (job.result_summary, job.done, job.total) == ("3 lignes exportées", 3, 3)
    assert job.result_name == "suivi-heures-communauteurbainededunkerque-du-2025-03-01-au-2025-04-30.xlsx"
    download = editor.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200 and job.result_name in download["Content-Disposition"]
    assert suivi_rows(b"".join(download.streaming_content)) == [
        ("Benali", datetime.date(2025, 3, 1), 12),
        ("Dupont", datetime.date(2025, 3, 1), 35),
        ("Dupont", datetime.date(2025, 4, 1), 70.5),
    ]
    page = editor.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert reverse("jobs:job_download", args=[job.pk]) in page and "3 lignes exportées" in page


def test_run_at_once_the_tracking_sheet_is_the_answer(editor):
    """Under the immediate backend (the job finished before the answer) the file comes at once."""
    hours_of_two_buyers()
    response = editor.get(reverse("hours:export_suivi"), {"au": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "suivi-heures-au-2025-03-31.xlsx" in response["Content-Disposition"]
    other = HoursEntry.objects.get(assignment__lot__market__buyer__name="Flandre Opale Habitat")
    assert [(n, m) for n, m, _ in suivi_rows(b"".join(response.streaming_content))] == [
        ("Benali", datetime.date(2025, 3, 1)),
        ("Dupont", datetime.date(2025, 3, 1)),
        (other.assignment.participant.last_name, datetime.date(2025, 3, 1)),
    ]
    assert Job.objects.get().status == Job.Status.DONE


def test_a_buyer_deleted_before_the_export_runs_fails_in_french_and_writes_nothing(editor, queued, jobs_dir):
    hours_of_two_buyers()
    calais = BuyerFactory(name="Ville de Calais")
    editor.get(reverse("hours:export_suivi"), {"buyer": calais.pk})
    calais.delete()
    job = run(Job.objects.get())
    assert job.status == Job.Status.FAILED and not job.result_file
    assert (
        job.error
        == "Le donneur d'ordre de cet export a été supprimé depuis la demande : rien n'a été exporté."
    )
    assert files_under(jobs_dir) == []


def test_an_export_over_excels_rows_fails_in_french_and_writes_nothing(editor, queued, monkeypatch, jobs_dir):
    hours_of_two_buyers()
    monkeypatch.setattr(exports, "MAX_ROWS", 3)  # 4 validated entries
    editor.get(reverse("hours:export_suivi"))
    job = run(Job.objects.get())
    assert job.status == Job.Status.FAILED and not job.result_file
    assert job.error == (
        "Cet export compterait plus de 3 lignes, le maximum qu'Excel peut ouvrir : rien n'a été exporté. "
        "Restreignez la liste avec ses filtres (période, donneur d'ordre, marché…) et relancez l'export."
    )
    assert files_under(jobs_dir) == []


def companies_export(client, **params):
    return client.get(reverse("companies:company_list"), {"export": "xlsx", **params})


def test_a_long_list_exports_as_a_job_the_same_rows(editor, manager, queued, monkeypatch, steps):
    for name in ("Charpente Lys", "Acier Nord", "Bois Flandre", "Zinc Opale"):
        CompanyFactory(name=name, commune="Dunkerque" if name != "Zinc Opale" else "Calais")
    params = {"sort": "-name"}
    synchronous = rows_of(companies_export(editor, **params).content)  # 4 rows: under the limit
    assert [r[0] for r in synchronous[1:]] == ["Zinc Opale", "Charpente Lys", "Bois Flandre", "Acier Nord"]

    monkeypatch.setattr(FilteredListView, "export_sync_rows", 3)
    response = companies_export(editor, **params)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.user) == (Job.Kind.LIST_EXPORT, Job.Status.QUEUED, manager)
    assert job.title == "Export de la liste « Entreprises » (xlsx)"
    job = run(job)
    assert job.status == Job.Status.DONE, job.error
    assert [s for s in steps if s.startswith("Ligne")] == [f"Ligne {n} sur 4" for n in range(5)]
    assert (job.result_name, job.result_summary) == ("entreprises.xlsx", "4 lignes exportées")
    with job.result_file.open("rb") as handle:
        assert rows_of(handle.read()) == synchronous  # the same cells, in the sort asked for


def test_a_list_job_rereads_the_owners_rights(editor, manager, queued, monkeypatch):
    """The list is rebuilt for the job's owner: rights lost meanwhile, nothing exported."""
    CompanyFactory.create_batch(4)
    monkeypatch.setattr(FilteredListView, "export_sync_rows", 3)
    companies_export(editor)
    manager.groups.clear()
    manager.is_superuser = False
    manager.save()
    job = run(Job.objects.get())
    assert job.status == Job.Status.FAILED and not job.result_file
    assert job.error == "Vous n'avez plus accès à cette liste : rien n'a été exporté."


def test_an_export_asked_again_while_it_runs_is_the_same_job(editor, manager, queued, monkeypatch):
    """A link followed twice or a page reloaded: one job while it is unfinished; another list, or the
    same once the first is done, is a job of its own."""
    for name in ("Charpente Lys", "Acier Nord", "Bois Flandre", "Zinc Opale"):
        CompanyFactory(name=name)
    monkeypatch.setattr(FilteredListView, "export_sync_rows", 3)
    first = companies_export(editor, sort="-name")
    again = companies_export(editor, sort="-name")
    assert first.url == again.url and Job.objects.count() == 1
    other = companies_export(editor, sort="name")
    assert other.url != first.url and Job.objects.count() == 2
    run(Job.objects.get(pk=first.url.rstrip("/").split("/")[-1]))
    assert companies_export(editor, sort="-name").url != first.url and Job.objects.count() == 3
    cud = hours_of_two_buyers()
    query = {"buyer": cud.pk, "du": "2025-03", "au": "2025-04"}
    suivi = [editor.get(reverse("hours:export_suivi"), query).url for _ in range(2)]
    assert suivi[0] == suivi[1] and Job.objects.filter(kind=Job.Kind.SUIVI_EXPORT).count() == 1
