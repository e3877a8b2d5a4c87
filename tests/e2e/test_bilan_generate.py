"""The Bilans page in a browser (issue 12 item 9): « L'année dernière » fills Du / Au, and « Générer le
bilan » downloads the file at once while archiving it."""

import hashlib
import re

from django.utils import timezone
from playwright.sync_api import expect

from reporting.models import Bilan
from tests.factories import UserFactory
from tests.reporting import dataset


def test_last_year_then_generate_downloads_the_bilan(
    login, live_server, transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = dataset.build()
    page = login(UserFactory(username="claire", first_name="Claire", facilitator=True))
    page.goto(f"{live_server.url}/bilans/?scope=buyer&id={data.cud.pk}")
    page.get_by_role("button", name="L'année dernière").click()
    last_year = timezone.localdate().year - 1  # the server's day
    expect(page.get_by_label("Du", exact=True)).to_have_value(f"{last_year}-01-01")
    expect(page.get_by_label("Au", exact=True)).to_have_value(f"{last_year}-12-31")

    page.goto(f"{live_server.url}/bilans/?scope=buyer&id={data.cud.pk}&start=2025-01-01&end=2025-06-30")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Générer le bilan").click()
    download = download_info.value
    archived = Bilan.objects.get()
    assert (
        download.suggested_filename
        == archived.filename
        == ("bilan-communaute-urbaine-de-dunkerque-2025-01-01-2025-06-30.pdf")
    )
    with open(download.path(), "rb") as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == archived.sha256
    # The page stays usable; the archive lists the new bilan.
    expect(page.get_by_role("heading", name="Bilans", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("Bilans archivés")).first.click()
    expect(page.get_by_text(archived.filename).first).to_be_visible()
