"""Imported lots get their company (issue 12, item 2): the company the tracking sheet credits with a row's
hours is awarded the row's lot when it is not yet (the holder, owing what the lot owes; a subcontractor
when another company holds the lot); the preview lists the awards to create, the finished report speaks
in the past tense, a market created by the import starts with its earliest month, and re-importing the
same file changes nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import Company
from hours.models import ImportBatch
from hours.suivi import run_import
from markets.models import Award, Lot, Market, Stage
from reporting.indicators import for_buyer
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.suivi import as_file, line, workbook
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows():
    """Two people, three months of 2025 on lot 3 (833 h owed) of a new market, all for BATI NORD SAS."""
    return [
        line(month="05/2025", hours=100),
        line(month="03/2025", hours="151,67"),
        line(
            last_name="Benali",
            first_name="Karim",
            sex="H",
            birth_date=datetime.date(2001, 1, 2),
            start=datetime.date(2025, 4, 1),
            month="04/2025",
            hours="35,5",
            training_hours=None,
        ),
    ]


def run(data, **kwargs):
    kwargs.setdefault("user", UserFactory(username=f"imp{Award.objects.count()}", manager=True))
    return run_import(as_file(data), file_name="suivi.xlsx", **kwargs)


def text(response):
    """The page's text, tags removed, spaces collapsed (a narrow no-break space stays as is)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()).replace("\xa0", " "))


def test_new_lot_gets_its_company_as_holder_owing_the_lot_hours(client, manager):
    report = run(workbook(rows()))
    assert report.imported, report.lines()
    assert report.counts["awards"].created == 1 and report.counts["awards"].updated == 0
    award = Award.objects.get()
    company = Company.objects.get(name="BATI NORD SAS")
    assert (award.company, award.lot, award.role) == (company, Lot.objects.get(), Award.Role.HOLDER)
    assert award.hours_committed is None  # no stated commitment: the holder owes what the lot owes

    client.force_login(manager)
    page = text(client.get(reverse("companies:company_detail", args=[company.pk])))
    assert "Heures dues (ses lots) 833,00 h" in page
    assert "Heures réalisées 287,17 h" in page  # 100 + 151,67 + 35,5
    assert "Titulaire (mandataire) 833,00" in page  # the lot's line on the company page
    market = Market.objects.get()
    page = text(client.get(reverse("markets:market_detail", args=[market.pk])))
    assert "Aucune entreprise attributaire" not in page and "BATI NORD SAS" in page
    # the buyer's bilan (its PDF and xlsx are made from these figures)
    figures = for_buyer(market.buyer, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    lines = [(c.name, c.hours_required, c.hours_done) for c in figures.companies]
    assert lines == [("BATI NORD SAS", Decimal("833.00"), Decimal("287.17"))]


def test_market_created_by_the_import_starts_with_its_earliest_month(client, manager):
    assert run(workbook(rows())).imported
    market = Market.objects.get()
    assert market.stage == Stage.EXECUTION
    assert market.starts_on == datetime.date(2025, 3, 1)  # March, though the first row is May's
    assert market.stage_reached_on == datetime.date(2025, 3, 1)
    assert Lot.objects.get().starts_on == datetime.date(2025, 3, 1)
    client.force_login(manager)
    page = text(client.get(reverse("markets:market_detail", args=[market.pk])))
    assert "En exécution depuis le 01/03/2025" in page


def test_existing_market_keeps_its_dates():
    market = MarketFactory(
        buyer=BuyerFactory(name="Communauté Urbaine de Dunkerque"),
        reference="CUD-2025-014",
        starts_on=datetime.date(2024, 9, 1),
        stage_reached_on=datetime.date(2024, 9, 1),
    )
    assert run(workbook(rows())).imported
    market.refresh_from_db()
    assert (market.starts_on, market.stage_reached_on) == (
        datetime.date(2024, 9, 1),
        datetime.date(2024, 9, 1),
    )
    assert Lot.objects.get().starts_on == datetime.date(2025, 3, 1)  # the lot is new


def test_reimport_changes_nothing_awards_included():
    data = workbook(rows())
    assert run(data).imported
    before = list(Award.objects.values_list("pk", "lot_id", "company_id", "role", "hours_committed"))
    second = run(data)
    assert second.imported and not second.errors
    assert all(c.created == 0 and c.updated == 0 for c in second.counts.values()), second.counts
    assert second.counts["awards"].unchanged == 1 and second.changes == 0
    assert list(Award.objects.values_list("pk", "lot_id", "company_id", "role", "hours_committed")) == before
    assert not any("attribution" in w for w in second.warnings)


def test_existing_lot_without_award_gets_the_holder_with_a_warning():
    lot = LotFactory(
        market=MarketFactory(buyer=BuyerFactory(name="CUD"), reference="M-1"), number="2", title="Gros œuvre"
    )
    ClauseFactory(lot=lot, stated_hours=Decimal(500))
    company = CompanyFactory(name="BATI NORD SAS", siret="52601815590833")
    data = workbook([line(buyer="CUD", market_ref="M-1", lot="2", planned_hours=500)])
    preview = run(data, dry_run=True)
    assert preview.counts["awards"].created == 1 and not Award.objects.exists()
    warning = (
        "M-1 lot 2 — Gros œuvre : « BATI NORD SAS » n'en est pas attributaire ; une attribution "
        "(titulaire, sans engagement chiffré : il doit les heures du lot) sera créée (ligne 2)."
    )
    assert warning in preview.warnings
    report = run(data)
    assert report.imported
    assert Award.objects.get().company == company and Award.objects.get().role == Award.Role.HOLDER
    assert (
        "M-1 lot 2 — Gros œuvre : « BATI NORD SAS » n'en était pas attributaire ; une attribution "
        "(titulaire, sans engagement chiffré : il doit les heures du lot) a été créée (ligne 2)."
    ) in report.warnings


def test_lot_held_by_another_company_gets_a_subcontractor_owing_nothing(client, manager):
    lot = LotFactory(
        market=MarketFactory(buyer=BuyerFactory(name="CUD"), reference="M-1"), number="2", title="Gros œuvre"
    )
    ClauseFactory(lot=lot, stated_hours=Decimal(500))
    holder = CompanyFactory(name="RAMERY BATIMENT")
    AwardFactory(lot=lot, company=holder, role=Award.Role.HOLDER)
    report = run(workbook([line(buyer="CUD", market_ref="M-1", lot="2", planned_hours=500)]))
    assert report.imported, report.lines()
    assert report.counts["awards"].created == 1 and Award.objects.count() == 2
    award = Award.objects.get(company__name="BATI NORD SAS")
    assert award.role == Award.Role.SUBCONTRACTOR and award.hours_committed is None
    assert (
        "M-1 lot 2 — Gros œuvre : « BATI NORD SAS » n'en était pas attributaire ; une attribution "
        "(sous-traitant, sans engagement chiffré : les heures du lot restent dues par "
        "« RAMERY BATIMENT », titulaire) a été créée (ligne 2)."
    ) in report.warnings
    client.force_login(manager)
    page = text(client.get(reverse("companies:company_detail", args=[award.company_id])))
    assert "Heures dues (ses lots) 0,00 h" in page and "Sous-traitant 0,00" in page
    page = text(client.get(reverse("companies:company_detail", args=[holder.pk])))
    assert "Heures dues (ses lots) 500,00 h" in page


def test_two_companies_on_a_new_lot_the_first_named_holds_it():
    other = line(
        company="RAMERY BATIMENT",
        siret=None,
        last_name="Benali",
        first_name="Karim",
        sex="H",
        birth_date=datetime.date(2001, 1, 2),
    )
    report = run(workbook([line(), other]))
    assert report.imported, report.lines()
    roles = dict(Award.objects.values_list("company__name", "role"))
    assert roles == {"BATI NORD SAS": Award.Role.HOLDER, "RAMERY BATIMENT": Award.Role.SUBCONTRACTOR}
    assert report.counts["awards"].created == 2
    assert sum("sous-traitant" in w for w in report.warnings) == 1  # the new lot's holder: no warning


def test_employer_is_not_awarded():
    data = workbook([line(employer="INTERM'AIDE", modality="Mise à disposition ETTI")])
    assert run(data).imported
    assert list(Award.objects.values_list("company__name", flat=True)) == ["BATI NORD SAS"]


def test_finished_report_speaks_in_the_past(settings):
    """Every warning about what the import does: a new buyer, company, employer, hours kept as drafts."""
    settings.CLAUSES_FACILITATORS_VALIDATE = False
    facilitator = UserFactory(username="fac", facilitator=True)
    data = workbook([line(employer="INTERM'AIDE", modality="Mise à disposition ETTI")])
    preview = run(data, user=facilitator, dry_run=True)
    report = run(data, user=facilitator)
    assert report.imported, report.lines()
    expected = [
        "Donneur d'ordre inconnu « Communauté Urbaine de Dunkerque » : il a été créé.",
        "Entreprise inconnue « BATI NORD SAS » (SIRET 52601815590833) : elle a été créée (ligne 2).",
        "Employeur inconnu « INTERM'AIDE » : il a été créé "
        "(type : ETTI — entreprise de travail temporaire d'insertion, ligne 2).",
        "Vous ne pouvez pas valider les heures : celles que cet import a créées ou modifiées ont été "
        "enregistrées en brouillon, à valider par une personne habilitée.",
    ]
    assert report.warnings == expected
    assert (
        preview.warnings[0] == "Donneur d'ordre inconnu « Communauté Urbaine de Dunkerque » : il sera créé."
    )
    assert "celles que cet import crée ou modifie seront enregistrées" in preview.warnings[3]
    printed = "\n".join(report.lines())
    assert " sera " not in printed and "seront" not in printed


def upload(client, data):
    return client.post(
        reverse("hours:import_upload"), {"file": SimpleUploadedFile("suivi.xlsx", data, content_type=XLSX)}
    )


def test_preview_lists_the_award_then_the_report_says_it_was_created(client, manager):
    client.force_login(manager)
    response = upload(client, workbook(rows()))
    batch = ImportBatch.objects.get()
    page = text(client.get(response.url))
    assert "Aperçu de l'import" in page
    assert "Attributions 1 0 0" in page  # the counts table: to create, to change, unchanged
    assert (
        "Attributions À créer CUD-2025-014 lot 3 — Peinture intérieure — BATI NORD SAS (titulaire, sans "
        "engagement chiffré : il doit les heures du lot)"
    ) in page
    assert "Entreprise inconnue « BATI NORD SAS » (SIRET 52601815590833) : elle sera créée (ligne 2)." in page

    client.post(reverse("hours:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    page = text(client.get(reverse("hours:import_detail", args=[batch.pk])))
    assert "Rapport d'import" in page and "Attributions 1 0 0" in page
    assert "Attributions Créés CUD-2025-014 lot 3 — Peinture intérieure — BATI NORD SAS (titulaire" in page
    assert (
        "Entreprise inconnue « BATI NORD SAS » (SIRET 52601815590833) : elle a été créée (ligne 2)." in page
    )
    assert "sera créé" not in page and "seront" not in page
