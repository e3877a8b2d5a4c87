"""The journal: recording an entry with what it concerns, follow-ups (« À relancer »), the section shown on
buyer, market and company pages, and the dashboard panel."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clauses_site.roles import FACILITATOR, READER
from partnerships import journal
from partnerships.models import JournalEntry
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory, MarketFactory
from tests.partnerships.factories import JournalEntryFactory

pytestmark = pytest.mark.django_db


def test_recording_a_site_launch_meeting(client_for):
    buyer = BuyerFactory(name="CUD")
    market = MarketFactory(buyer=buyer, reference="CUD-2025-014")
    companies = [CompanyFactory(name="Bâti Nord"), CompanyFactory(name="GEIQ BTP")]
    client = client_for(FACILITATOR)
    response = client.post(
        reverse("partnerships:journal_create"),
        {
            "kind": "lancement",
            "date": "2025-03-10",
            "subject": "Lancement du groupe scolaire",
            "buyers": [buyer.pk],
            "markets": [market.pk],
            "companies": [c.pk for c in companies],
            "people_met": "Conducteur de travaux",
            "notes": "Besoins : 2 maçons.",
            "follow_up_on": "2025-04-10",
        },
    )
    entry = JournalEntry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("partnerships:journal_detail", args=[entry.pk])
    assert entry.author.username == "u-facilitatrice"
    assert (list(entry.buyers.all()), list(entry.markets.all())) == ([buyer], [market])
    assert sorted(c.name for c in entry.companies.all()) == ["Bâti Nord", "GEIQ BTP"]


def test_the_journal_form_prefills_the_object_it_was_opened_from(client_for):
    market = MarketFactory()
    response = client_for(FACILITATOR).get(
        reverse("partnerships:journal_create"), {"marche": market.pk, "type": "visite"}
    )
    form = response.context["form"]
    assert form.initial["markets"] == [market.pk] and form.initial["kind"] == "visite"
    assert f'<option value="{market.pk}" selected>' in response.content.decode()


def test_bad_input_in_the_journal_is_shown_at_the_field_and_nothing_is_saved(client_for):
    response = client_for(FACILITATOR).post(
        reverse("partnerships:journal_create"),
        {"kind": "", "date": "2025-03-10", "subject": "Réunion", "follow_up_on": "2025-03-01"},
    )
    errors = response.context["form"].errors
    assert errors["kind"] == ["Ce champ est obligatoire."]
    assert errors["follow_up_on"] == ["La relance ne peut pas précéder la date de l'action."]
    assert JournalEntry.objects.count() == 0


def test_marking_a_follow_up_done_and_to_do_again(client_for):
    entry = JournalEntryFactory(follow_up_on=datetime.date(2025, 4, 1))
    client = client_for(FACILITATOR)
    client.post(reverse("partnerships:journal_done", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.follow_up_done and entry.follow_up_done_by.username == "u-facilitatrice"
    client.post(reverse("partnerships:journal_done", args=[entry.pk]), {"done": "0"})
    entry.refresh_from_db()
    assert (entry.follow_up_done, entry.follow_up_done_at, entry.follow_up_done_by) == (False, None, None)
    assert client_for(READER).post(reverse("partnerships:journal_done", args=[entry.pk])).status_code == 403


def test_the_follow_ups_due_page(client_for):
    today = timezone.localdate()
    JournalEntryFactory(subject="Ancienne", follow_up_on=today - datetime.timedelta(days=30))
    JournalEntryFactory(subject="Du jour", follow_up_on=today)
    JournalEntryFactory(subject="À venir", follow_up_on=today + datetime.timedelta(days=1))
    response = client_for(READER).get(reverse("partnerships:journal_follow_ups"))
    assert [e.subject for e in response.context["table"].data] == ["Ancienne", "Du jour"]
    assert "Relance faite" not in response.content.decode()  # no button for the read-only role
    assert (
        "Relance faite"
        in client_for(FACILITATOR).get(reverse("partnerships:journal_follow_ups")).content.decode()
    )


def test_journal_lists_run_a_constant_number_of_queries(client_for, django_assert_max_num_queries):
    buyer = BuyerFactory()
    market = MarketFactory(buyer=buyer)
    company = CompanyFactory()
    author = UserFactory(facilitator=True)
    past = timezone.localdate() - datetime.timedelta(days=1)
    for index in range(50):
        JournalEntryFactory(
            subject=f"Réunion {index}",
            date=past - datetime.timedelta(days=index),
            follow_up_on=past,
            buyers=[buyer],
            markets=[market],
            companies=[company],
            author=author,
        )
    client = client_for(READER)
    for name in ("journal_list", "journal_follow_ups"):
        with django_assert_max_num_queries(15):
            response = client.get(reverse(f"partnerships:{name}"))
        assert len(response.context["table"].page.object_list) == 50, name


def test_journal_filters(client_for):
    cud = BuyerFactory(name="CUD")
    market = MarketFactory(buyer=cud)
    JournalEntryFactory(subject="Par le marché", markets=[market], kind="visite")
    JournalEntryFactory(subject="Directement", buyers=[cud], kind="sensibilisation")
    JournalEntryFactory(subject="Ailleurs", kind="appel")
    client = client_for(READER)
    response = client.get(reverse("partnerships:journal_list"), {"buyer": cud.pk})
    assert sorted(e.subject for e in response.context["table"].data) == ["Directement", "Par le marché"]
    response = client.get(reverse("partnerships:journal_list"), {"kind": "appel"})
    assert [e.subject for e in response.context["table"].data] == ["Ailleurs"]


def _render(template, **context):
    request = RequestFactory().get("/marches/1/")
    request.user = context.pop("user")
    return Template(template).render(Context({"request": request, **context}))


def test_the_section_for_buyer_market_and_company_pages():
    cud = BuyerFactory(name="CUD")
    market = MarketFactory(buyer=cud)
    company = CompanyFactory()
    JournalEntryFactory(subject="Lancement du chantier", markets=[market], companies=[company])
    JournalEntryFactory(subject="Sensibilisation des élus", buyers=[cud])
    assert {e.subject for e in journal.entries_for(cud)} == {
        "Sensibilisation des élus",
        "Lancement du chantier",
    }
    assert [e.subject for e in journal.entries_for(company)] == ["Lancement du chantier"]
    template = "{% load partnerships_tags %}{% journal_for obj %}"
    editor = UserFactory(facilitator=True)
    html = _render(template, obj=market, user=editor)
    assert "Lancement du chantier" in html and "Sensibilisation des élus" not in html
    assert f"?marche={market.pk}" in html  # « Nouvelle entrée » prefilled with the market
    reader_html = _render(template, obj=cud, user=UserFactory(username="l", reader=True))
    assert "Nouvelle entrée" not in reader_html
    # The subject is free text that may name people: the read-only role reads the kind and the date.
    assert "Sensibilisation des élus" not in reader_html and "Lancement du chantier" not in reader_html
    assert reader_html.count(" du ") == 2


def test_the_dashboard_panel():
    today = timezone.localdate()
    JournalEntryFactory(subject="Rappeler la CUD", follow_up_on=today - datetime.timedelta(days=3))
    JournalEntryFactory(subject="Plus tard", follow_up_on=today + datetime.timedelta(days=3))
    html = _render("{% load partnerships_tags %}{% follow_ups_panel %}", user=UserFactory(facilitator=True))
    assert "Rappeler la CUD" in html and "Plus tard" not in html
    assert "suivi" in html  # outcomes to record, for roles that see people
    reader_html = _render(
        "{% load partnerships_tags %}{% follow_ups_panel %}", user=UserFactory(username="l", reader=True)
    )
    assert "Rappeler la CUD" not in reader_html and "à 6 mois" not in reader_html  # free text: editors only
    assert re.search(r" du \d\d/\d\d/\d{4}</a>", reader_html)  # the entry's kind and date instead
