"""The Bilans page: scope and period (shortcuts, pre-filled from a detail page), the preview, generating
and archiving (versions, download byte for byte), the grouped zip, the archive list; who may do what."""

import datetime
import hashlib
import io
import zipfile
from html import unescape

import pytest
from django.urls import reverse

from reporting import views
from reporting.models import Bilan
from tests.reporting.dataset import END, START
from tests.reporting.test_documents import PERSONAL, pdf_text

FORM = "reporting:bilan_form"


def page(client, **params):
    return client.get(reverse(FORM), params)


def test_reader_previews_a_bilan_without_personal_data(
    client, reader, bilan_data, django_assert_max_num_queries, monkeypatch
):
    # The hand-built data set counts 5 people: the read-only role sees scopes of 10 people or more
    # (tests/reporting/test_sensitive_masking.py), here lowered to 5 to look at what it is shown.
    monkeypatch.setattr(views.masking, "SMALL_SCOPE", 5)
    client.force_login(reader)
    with django_assert_max_num_queries(30):
        response = page(client, scope="buyer", buyer=bilan_data.cud.pk, start="2025-01-01", end="2025-06-30")
    assert response.status_code == 200
    html = unescape(response.content.decode()).replace("\xa0", " ")
    main = html.split("<main", 1)[1]
    assert "Communauté Urbaine de Dunkerque" in main and "Période du 01/01/2025 au 30/06/2025" in main
    assert "462,42 h" in main and "48,6 %" in main
    for word in PERSONAL:
        assert word not in main, word
    assert "Générer le bilan" not in main and "bilan groupé" not in main  # editors only
    assert str(response.context["f"].hours_done) == "462.42"


def test_detail_pages_link_with_scope_and_id(client, facilitator, bilan_data):
    client.force_login(facilitator)
    for scope, obj, name in (
        ("buyer", bilan_data.vgs, "Ville de Grande-Synthe"),
        ("company", bilan_data.bati, "Bâti Nord SAS"),
        ("market", bilan_data.m3, "VGS-2025-003 — Parc du Puythouck"),
    ):
        response = page(client, scope=scope, id=obj.pk, start="2025-01-01", end="2025-06-30")
        assert response.status_code == 200
        assert response.context["scope"].name == name
        assert response.context["scope"].kind == scope


def test_without_dates_the_form_asks_for_them(client, facilitator, bilan_data):
    client.force_login(facilitator)
    response = page(client, scope="buyer", id=bilan_data.vgs.pk)
    html = unescape(response.content.decode())
    assert "Indiquez le début de la période" in html and "f" not in response.context
    response = page(client, scope="market", start="2025-01-01", end="2025-06-30")
    assert "Choisissez le marché." in unescape(response.content.decode())
    response = page(client, scope="territory", start="2025-06-30", end="2025-01-01")
    assert "La fin de la période ne peut pas précéder son début." in unescape(response.content.decode())


@pytest.mark.parametrize(
    "shortcut,start,end",
    [
        ("last_month", datetime.date(2025, 6, 1), datetime.date(2025, 6, 30)),
        ("last_quarter", datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        ("this_year", datetime.date(2025, 1, 1), datetime.date(2025, 7, 14)),
        ("last_year", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
        ("since_start", datetime.date(2023, 1, 1), datetime.date(2025, 7, 14)),  # market CUD-2024-009
    ],
)
def test_period_shortcuts(client, facilitator, bilan_data, monkeypatch, shortcut, start, end):
    import reporting.forms

    monkeypatch.setattr(reporting.forms.timezone, "localdate", lambda: datetime.date(2025, 7, 14))
    client.force_login(facilitator)
    response = page(client, scope="market", id=bilan_data.m2.pk, period=shortcut)
    scope = response.context["scope"]
    assert (scope.start, scope.end) == (start, end)


def generate(client, data, **extra):
    post = {
        "scope": "buyer",
        "buyer": data.cud.pk,
        "start": "2025-01-01",
        "end": "2025-06-30",
        "format": "pdf",
        "commentary": "Premier semestre.",
        "anonymise_small": "on",
        **extra,
    }
    return client.post(reverse("reporting:bilan_generate"), post)


def test_generate_archives_versions_and_downloads_them_as_sent(client, facilitator, bilan_data, tmp_path):
    client.force_login(facilitator)
    response = generate(client, bilan_data)
    first = Bilan.objects.get()
    # The file at once, the one archived (tests/reporting/test_bilan_generate_download.py)
    assert response.status_code == 200 and response.content == first.file.open("rb").read()
    assert (first.kind, first.buyer, first.version, first.format) == ("buyer", bilan_data.cud, 1, "pdf")
    assert (first.period_start, first.period_end, first.commentary) == (START, END, "Premier semestre.")
    assert first.created_by == facilitator and first.scope_name == "Communauté Urbaine de Dunkerque"
    assert first.filename == "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf"
    download = client.get(reverse("reporting:bilan_download", args=[first.pk]))
    sent = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{first.filename}"' in download["Content-Disposition"]
    assert hashlib.sha256(sent).hexdigest() == first.sha256 and len(sent) == first.size
    text = " ".join(pdf_text(sent, tmp_path).split())
    assert "Premier semestre." in text and "Édité le" in text and "Camille Martin" in text  # who generated it
    # Regenerating makes a new version; another format is numbered on its own.
    generate(client, bilan_data, commentary="Corrigé.")
    generate(client, bilan_data, format="json", anonymise_small="")
    versions = list(Bilan.objects.order_by("pk").values_list("format", "version", "commentary", "anonymised"))
    assert versions == [
        ("pdf", 1, "Premier semestre.", True),
        ("pdf", 2, "Corrigé.", True),
        ("json", 1, "Premier semestre.", False),
    ]
    assert Bilan.objects.get(version=2).filename.endswith("-v2.pdf")
    again = b"".join(client.get(reverse("reporting:bilan_download", args=[first.pk])).streaming_content)
    assert again == sent  # the first version, unchanged
    listing = client.get(reverse("reporting:bilan_archive"))
    assert listing.status_code == 200 and len(listing.context["page"].object_list) == 3


def test_the_preview_lists_versions_already_generated(client, facilitator, bilan_data):
    client.force_login(facilitator)
    generate(client, bilan_data)
    response = page(client, scope="buyer", id=bilan_data.cud.pk, start="2025-01-01", end="2025-06-30")
    assert [v.version for v in response.context["versions"]] == [1]


def test_reader_cannot_generate(client, reader, bilan_data):
    client.force_login(reader)
    assert generate(client, bilan_data).status_code == 403
    batch = client.post(
        reverse("reporting:bilan_batch"), {"batch_start": "2025-01-01", "batch_end": "2025-06-30"}
    )
    assert batch.status_code == 403
    assert not Bilan.objects.exists()


def test_reader_downloads_archived_bilans(client, reader, facilitator, bilan_data, monkeypatch):
    monkeypatch.setattr(views.masking, "SMALL_SCOPE", 5)  # 5 people in the data set (see above)
    client.force_login(facilitator)
    generate(client, bilan_data, format="xlsx")
    client.force_login(reader)
    archived = Bilan.objects.get()
    assert archived.people == 5
    response = client.get(reverse("reporting:bilan_download", args=[archived.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_missing_file_is_404(client, facilitator, bilan_data):
    client.force_login(facilitator)
    generate(client, bilan_data)
    archived = Bilan.objects.get()
    archived.file.storage.delete(archived.file.name)
    assert client.get(reverse("reporting:bilan_download", args=[archived.pk])).status_code == 404


def grouped_zip(client, dates):
    """The grouped sending is made by a job (jobs/bilans.py, run at once in tests): the request goes to
    the job's page, and the zip is the job's file."""
    from jobs.models import Job

    response = client.post(reverse("reporting:bilan_batch"), dates)
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    return download, b"".join(download.streaming_content)


def test_grouped_zip_of_every_buyer_with_hours(client, manager, bilan_data, tmp_path, settings):
    settings.CLAUSES_JOBS_DIR = tmp_path / "jobs"
    client.force_login(manager)
    response, content = grouped_zip(client, {"batch_start": "2025-01-01", "batch_end": "2025-06-30"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="bilans-donneurs-d-ordre-2025-01-01-2025-06-30.zip"' in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names == [
        "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf",
        "bilan-ville-de-grande-synthe-2025-01-01-2025-06-30.pdf",
    ]
    archived = list(Bilan.objects.order_by("scope_name"))
    assert [b.scope_name for b in archived] == ["Communauté Urbaine de Dunkerque", "Ville de Grande-Synthe"]
    assert len({b.batch for b in archived}) == 1 and archived[0].batch is not None
    pdf = zipfile.ZipFile(io.BytesIO(content)).read(names[1])
    assert hashlib.sha256(pdf).hexdigest() == archived[1].sha256
    # Grande-Synthe had hours only from April: not in a January-March batch.
    response, content = grouped_zip(client, {"batch_start": "2025-01-01", "batch_end": "2025-03-31"})
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [
        "bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-03-31.pdf"
    ]


def test_grouped_zip_without_activity(client, manager, bilan_data):
    client.force_login(manager)
    response = client.post(
        reverse("reporting:bilan_batch"),
        {"batch_start": "2020-01-01", "batch_end": "2020-12-31"},
        follow=True,
    )
    assert "Aucun donneur d'ordre n'a d'heures validées du 01/01/2020 au 31/12/2020." in unescape(
        response.content.decode()
    )


def test_archive_list_queries_are_constant(client, facilitator, db, django_assert_max_num_queries):
    from tests.markets.factories import BuyerFactory

    for i in range(50):
        buyer = BuyerFactory()
        Bilan.archive(
            kind="buyer",
            obj=buyer,
            scope_name=buyer.name,
            start=START,
            end=END,
            fmt="json",
            data=b"{}",
            filename=f"b{i}.json",
            user=facilitator,
        )
    client.force_login(facilitator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reporting:bilan_archive"))
    assert len(response.context["page"].object_list) == views.ARCHIVE_PAGE_SIZE
    assert response.content.decode().count("/telecharger/") == 50


def test_detail_pages_have_a_bilan_button(client, reader, bilan_data, monkeypatch):
    """The buyer's, market's and company's pages link to the Bilans page with their scope and the
    period « depuis le début du contrat », for every role (the reader included)."""
    import re

    import reporting.forms

    monkeypatch.setattr(reporting.forms.timezone, "localdate", lambda: datetime.date(2025, 7, 14))
    monkeypatch.setattr(views.masking, "SMALL_SCOPE", 1)  # the scopes here count 2 to 6 people
    client.force_login(reader)
    for detail, obj, kind in (
        ("markets:buyer_detail", bilan_data.cud, "buyer"),
        ("markets:market_detail", bilan_data.m3, "market"),
        ("companies:company_detail", bilan_data.bati, "company"),
    ):
        html = client.get(reverse(detail, args=[obj.pk])).content.decode()
        link = re.search(r'href="([^"]*/bilans/\?[^"]*)"[^>]*>[^<]*<i[^>]*></i> Bilan</a>', html)
        assert link, detail
        response = client.get(unescape(link.group(1)))
        scope = response.context["scope"]
        assert (scope.kind, scope.pk, scope.end) == (kind, obj.pk, datetime.date(2025, 7, 14))
