"""The archive of bilans, page after page (templates/includes/pagination.html): the scope chosen is kept."""

import datetime

import pytest
from django.urls import reverse

from reporting.models import Bilan
from tests.markets.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def test_page_links_keep_the_scope(client_for, monkeypatch):
    monkeypatch.setattr("reporting.views.ARCHIVE_PAGE_SIZE", 2)
    buyer = BuyerFactory(name="Ville de Gravelines")
    for year in (2023, 2024, 2025):
        Bilan.archive(
            kind=Bilan.Kind.BUYER,
            obj=buyer,
            scope_name=buyer.name,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            fmt="json",
            data=b"{}",
            filename=f"bilan-{year}.json",
            people=12,
        )
    client = client_for("Facilitatrice")
    page = client.get(reverse("reporting:bilan_archive"), {"scope": "buyer"}).content.decode()
    assert 'href="?page=2&amp;scope=buyer">Suivante</a>' in page
    assert "Page 1 sur 2" in page and "Précédente" not in page
    page = client.get(reverse("reporting:bilan_archive"), {"page": 2}).content.decode()
    assert 'href="?page=1">Précédente</a>' in page and "Suivante" not in page
    assert "Page 2 sur 2" in page
