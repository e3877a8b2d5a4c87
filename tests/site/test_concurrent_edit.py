"""No lost update in edit forms (clauses_site/versioning.py, RecordUpdateView): A opens an edit page,
B saves a change, A saves her older page → 409, nothing overwritten, A's values shown again with who
changed which field, when, and the value now stored."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic import UpdateView

from clauses_site import versioning
from clauses_site.editing import RecordUpdateView
from companies.models import Company, Contact
from hours.models import Assignment, HoursEntry
from markets.models import BuyerContact, Clause, Market
from participants.models import Participant
from tests.companies.factories import ContactFactory
from tests.editing import form_data
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import (
    AwardFactory,
    BuyerFactory,
    ClauseFactory,
    LotFactory,
    MarketFactory,
    OperationFactory,
)
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.partnerships.factories import (
    JournalEntryFactory,
    NeedFactory,
    ProposalFactory,
    TraineeFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

AFTER = (
    " Rien n'a été enregistré : vos saisies sont ré-affichées ci-dessous ; reprenez-les au besoin, "
    "puis enregistrez de nouveau."
)


def login(first, last):
    user = UserFactory(username=first.lower(), first_name=first, last_name=last, facilitator=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anne():
    return login("Anne", "Durand")


@pytest.fixture
def bruno():
    return login("Bruno", "Vasseur")


def on(moment):
    """« le 03/12/2026 à 15 h 50 » (local time), as the alert writes it."""
    return timezone.localtime(moment).strftime("le %d/%m/%Y à %H h %M")


def race(anne, bruno, url, bruno_changes, anne_changes):
    """Anne opens the page, Bruno opens it and saves his changes, Anne saves hers: her response."""
    anne_page = form_data(anne.get(url))
    response = bruno.post(url, {**form_data(bruno.get(url)), **bruno_changes})
    assert response.status_code == 302, response.context["form"].errors
    return anne.post(url, {**anne_page, **anne_changes})


def refusal(response):
    assert response.status_code == 409
    return response.context["version_refusal"]


def test_participant(anne, bruno):
    person = ParticipantFactory(last_name="Lefèvre", first_name="Élodie", commune="Dunkerque", qpv=None)
    url = reverse("participants:participant_update", args=[person.pk])
    response = race(anne, bruno, url, {"commune": "Grande-Synthe"}, {"first_name": "Elodie"})
    when = person.history.latest("history_date").history_date
    assert refusal(response) == (
        f"Cette fiche a été modifiée par Bruno Vasseur {on(when)} pendant que vous la modifiiez : "
        "Commune de résidence : « Grande-Synthe »." + AFTER
    )
    html = response.content.decode()
    assert 'id="fiche-modifiee"' in html and 'value="Elodie"' in html  # Anne's value, to re-apply
    assert form_data(response)["commune"] == "Dunkerque"  # her page as she typed it
    person.refresh_from_db()
    assert (person.first_name, person.commune) == ("Élodie", "Grande-Synthe")  # nothing overwritten


def test_market(anne, bruno):
    market = MarketFactory(title="Médiathèque", estimated_amount=None)
    url = reverse("markets:market_update", args=[market.pk])
    response = race(anne, bruno, url, {"title": "Piscine"}, {"estimated_amount": "5 000"})
    market.refresh_from_db()
    # No history on markets: when, from the record's « modifié le », not who.
    assert refusal(response) == (
        f"Cette fiche a été modifiée {on(market.updated_at)} pendant que vous la modifiiez : "
        "Intitulé : « Piscine »." + AFTER
    )
    assert form_data(response)["estimated_amount"] == "5 000"
    assert (market.title, market.estimated_amount) == ("Piscine", None)


def test_company_with_contacts(anne, bruno):
    company = ContactFactory(name="Jean Dupont", phone="03 28 00 00 00").company
    url = reverse("companies:company_update", args=[company.pk])
    bruno_changes = {"contacts-0-phone": "06 11 22 33 44", "contacts-1-name": "Lucie Vanhove"}
    response = race(anne, bruno, url, bruno_changes, {"name": "Bâtir Ensemble", "contacts-0-role": "Gérant"})
    company.refresh_from_db()
    assert refusal(response) == (
        f"Cette fiche a été modifiée {on(company.updated_at)} pendant que vous la modifiiez : "
        "Contacts : 1 ligne ajoutée (« Lucie Vanhove ») ; « Jean Dupont (Conducteur de travaux) » "
        "modifiée (Téléphone : « 06 11 22 33 44 »)." + AFTER
    )
    page = form_data(response)
    assert (page["name"], page["contacts-0-role"]) == ("Bâtir Ensemble", "Gérant")
    assert company.name != "Bâtir Ensemble"
    assert sorted(Contact.objects.values_list("name", "role", "phone")) == [
        ("Jean Dupont", "Conducteur de travaux", "06 11 22 33 44"),
        ("Lucie Vanhove", "", ""),
    ]


def test_a_contact_deleted_meanwhile(anne, bruno):
    contact = ContactFactory(name="Jean Dupont")
    url = reverse("companies:company_update", args=[contact.company_id])
    response = race(anne, bruno, url, {"contacts-0-DELETE": "on"}, {"contacts-0-phone": "06 00 00 00 00"})
    assert "Contacts : 1 ligne supprimée." in refusal(response)
    assert not Contact.objects.exists()


def test_clause(anne, bruno):
    clause = ClauseFactory(penalty_per_hour=None)
    url = reverse("markets:clause_update", args=[clause.pk])
    response = race(anne, bruno, url, {"stated_hours": "900"}, {"penalty_per_hour": "15"})
    when = clause.history.latest("history_date").history_date
    assert refusal(response) == (
        f"Cette fiche a été modifiée par Bruno Vasseur {on(when)} pendant que vous la modifiiez : "
        "Heures fixées par l'acheteur : « 900,00 »." + AFTER
    )
    assert form_data(response)["penalty_per_hour"] == "15"
    clause.refresh_from_db()
    assert (str(clause.stated_hours), clause.penalty_per_hour) == ("900.00", None)


def test_assignment(anne, bruno):
    assignment = AssignmentFactory(job="Maçon")
    url = reverse("hours:assignment_update", args=[assignment.pk])
    response = race(anne, bruno, url, {"ends_on": "2025-10-31"}, {"job": "Coffreur"})
    when = assignment.history.latest("history_date").history_date
    assert refusal(response) == (
        f"Cette fiche a été modifiée par Bruno Vasseur {on(when)} pendant que vous la modifiiez : "
        "Fin du contrat : « 31/10/2025 »." + AFTER
    )
    assert form_data(response)["job"] == "Coffreur"
    assignment.refresh_from_db()
    assert (assignment.job, f"{assignment.ends_on:%d/%m/%Y}") == ("Maçon", "31/10/2025")


def test_hours_entry(anne, bruno):
    entry = HoursEntryFactory(draft=True)
    url = reverse("hours:entry_update", args=[entry.pk])
    response = race(anne, bruno, url, {"hours": "44"}, {"training_hours": "7"})
    when = entry.history.latest("history_date").history_date
    assert refusal(response) == (
        f"Cette fiche a été modifiée par Bruno Vasseur {on(when)} pendant que vous la modifiiez : "
        "Heures travaillées : « 44,00 » ; Saisie par : « Bruno Vasseur »." + AFTER
    )
    assert form_data(response)["training_hours"] == "7"
    entry.refresh_from_db()
    assert (str(entry.hours), str(entry.training_hours)) == ("44.00", "0.00")


def test_saving_without_a_conflict_works_and_after_a_refusal_too(anne, bruno):
    person = ParticipantFactory(commune="Dunkerque", notes="")
    url = reverse("participants:participant_update", args=[person.pk])
    response = anne.post(url, {**form_data(anne.get(url)), "notes": "Permis B"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.notes == "Permis B"
    # After a refusal the page carries the version now stored: saving it again is Anne's choice.
    response = race(anne, bruno, url, {"commune": "Grande-Synthe"}, {"notes": "Permis B, CACES"})
    assert response.status_code == 409
    again = form_data(response)
    assert again["notes"] == "Permis B, CACES"
    response = anne.post(url, {**again, "commune": "Grande-Synthe"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.commune, person.notes) == ("Grande-Synthe", "Permis B, CACES")


def test_the_version_of_the_first_page_survives_a_form_error(anne, bruno):
    person = ParticipantFactory(last_name="Lefèvre", commune="Dunkerque", qpv=None)
    url = reverse("participants:participant_update", args=[person.pk])
    page = form_data(anne.get(url))
    response = anne.post(url, {**page, "last_name": ""})  # a mistake: the form comes back
    assert response.status_code == 200 and response.context["form"].errors["last_name"]
    bruno.post(url, {**form_data(bruno.get(url)), "commune": "Grande-Synthe"})
    response = anne.post(url, {**form_data(response), "last_name": "Lefebvre"})
    assert "Commune de résidence : « Grande-Synthe »" in refusal(response)
    person.refresh_from_db()
    assert (person.last_name, person.commune) == ("Lefèvre", "Grande-Synthe")


def test_a_change_made_by_the_same_user_in_another_tab(anne):
    person = ParticipantFactory(commune="Dunkerque", qpv=None)
    url = reverse("participants:participant_update", args=[person.pk])
    response = race(anne, anne, url, {"commune": "Gravelines"}, {"notes": "x"})
    assert refusal(response).startswith(
        "Cette fiche a été modifiée par vous-même (dans une autre fenêtre) le "
    )


@pytest.mark.parametrize("version", ["", "absent", "forged", "another record"])
def test_a_missing_or_forged_version_is_refused(anne, version):
    person = ParticipantFactory(commune="Dunkerque", qpv=None)
    url = reverse("participants:participant_update", args=[person.pk])
    data = {**form_data(anne.get(url)), "commune": "Gravelines"}
    if version == "absent":
        del data[versioning.FIELD]
    elif version == "forged":
        data[versioning.FIELD] = data[versioning.FIELD][:-2] + "xx"
    elif version == "another record":
        other = ParticipantFactory(qpv=None)
        data[versioning.FIELD] = form_data(
            anne.get(reverse("participants:participant_update", args=[other.pk]))
        )[versioning.FIELD]
    else:
        data[versioning.FIELD] = ""
    response = anne.post(url, data)
    assert response.status_code == 400
    assert response.context["version_refusal"] == (
        "La version de la fiche envoyée avec le formulaire est absente ou altérée : impossible de vérifier "
        "que personne ne l'a modifiée pendant que vous la modifiiez. Rien n'a été enregistré ; vos saisies "
        "sont ré-affichées ci-dessous : vérifiez la fiche, puis enregistrez de nouveau."
    )
    assert form_data(response)["commune"] == "Gravelines"
    person.refresh_from_db()
    assert person.commune == "Dunkerque"


def test_the_version_does_not_carry_the_values():
    """The page carries keyed digests, not the stored values (fields the form does not show stay off it)."""
    person = ParticipantFactory(notes="Suivi RQTH en cours")
    token = versioning.take(person).token()
    payload = versioning.signing.loads(token, salt=versioning.SALT)
    assert "RQTH" not in str(payload) and set(payload["f"]) >= {"notes", "criteria", "birth_date"}


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite has no row locks")
def test_the_row_and_its_children_are_read_again_under_a_lock(anne):
    company = ContactFactory().company
    url = reverse("companies:company_update", args=[company.pk])
    data = {**form_data(anne.get(url)), "name": "Bâtir Ensemble"}
    with CaptureQueriesContext(connection) as queries:
        assert anne.post(url, data).status_code == 302
    locked = [q["sql"] for q in queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert len(locked) == 2
    assert Company._meta.db_table in locked[0] and Contact._meta.db_table in locked[1]


def _views(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield view_class


def test_every_update_view_carries_the_version():
    """A new edit view that is a plain UpdateView would lose updates again."""
    updates = {v for v in _views(get_resolver()) if issubclass(v, UpdateView)}
    assert {v.__name__ for v in updates if not issubclass(v, RecordUpdateView)} == set()
    models = {v.model for v in updates}
    assert {Participant, Market, Company, Clause, Assignment, HoursEntry} <= models


def buyer_with_contact():
    buyer = BuyerFactory()
    BuyerContact.objects.create(buyer=buyer, name="Marie Caron")
    return buyer


# Every edit form of the application: saving an unchanged page works; a change made meanwhile by
# another path (here a bare UPDATE: no history, no timestamp, so neither who nor when) is refused.
EVERY_EDIT_FORM = [
    # url name, factory, another person's change (model field: value), what the alert says of it
    (
        "participants:participant_update",
        lambda: ParticipantFactory(qpv=None),
        {"commune": "Gravelines"},
        "Commune de résidence : « Gravelines »",
    ),
    (
        "participants:outcome_update",
        lambda: OutcomeFactory(),
        {"notes": "CDD chez Ramery"},
        "Notes : « CDD chez Ramery »",
    ),
    (
        "companies:company_update",
        lambda: ContactFactory().company,
        {"commune": "Gravelines"},
        "Commune : « Gravelines »",
    ),
    (
        "markets:buyer_update",
        lambda: buyer_with_contact(),
        {"notes": "Appeler le lundi"},
        "Notes : « Appeler le lundi »",
    ),
    (
        "markets:operation_update",
        lambda: OperationFactory(),
        {"name": "NPNRU Jeu de Mail"},
        "Nom : « NPNRU Jeu de Mail »",
    ),
    ("markets:market_update", lambda: MarketFactory(), {"title": "Piscine"}, "Intitulé : « Piscine »"),
    ("markets:lot_update", lambda: LotFactory(), {"title": "Charpente"}, "Intitulé : « Charpente »"),
    (
        "markets:clause_update",
        lambda: ClauseFactory(),
        {"stated_hours": 900},
        "Heures fixées par l'acheteur : « 900,00 »",
    ),
    (
        "markets:award_update",
        lambda: AwardFactory(),
        {"hours_committed": 120},
        "Heures d'insertion à réaliser : « 120,00 »",
    ),
    ("hours:assignment_update", lambda: AssignmentFactory(), {"job": "Coffreur"}, "Poste : « Coffreur »"),
    (
        "hours:entry_update",
        lambda: HoursEntryFactory(draft=True),
        {"hours": 44},
        "Heures travaillées : « 44,00 »",
    ),
    (
        "partnerships:journal_update",
        lambda: JournalEntryFactory(),
        {"subject": "Comité de suivi"},
        "Objet : « Comité de suivi »",
    ),
    ("partnerships:need_update", lambda: NeedFactory(), {"job": "Coffreur"}, "Poste : « Coffreur »"),
    (
        "partnerships:proposal_update",
        lambda: ProposalFactory(),
        {"comment": "Permis B"},
        "Commentaire de la facilitatrice : « Permis B »",
    ),
    ("partnerships:training_update", lambda: TrainingFactory(), {"places": 12}, "Places : « 12 »"),
    (
        "partnerships:trainee_update",
        lambda: TraineeFactory(),
        {"notes": "Absente le 2e jour"},
        "Notes : « Absente le 2e jour »",
    ),
]


def _manager():
    client = Client()
    client.force_login(UserFactory(username="claire", first_name="Claire", last_name="Leroy", manager=True))
    return client


@pytest.mark.parametrize("url_name,make,change,said", EVERY_EDIT_FORM, ids=[c[0] for c in EVERY_EDIT_FORM])
def test_every_edit_form(url_name, make, change, said):
    client = _manager()
    record = make()
    url = reverse(url_name, args=[record.pk])
    page = form_data(client.get(url))
    assert versioning.FIELD in page
    type(record).objects.filter(pk=record.pk).update(**change)
    response = client.post(url, page)
    assert refusal(response) == f"Cette fiche a été modifiée pendant que vous la modifiiez : {said}." + AFTER
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in change} == pytest.approx(change)
    response = client.post(url, form_data(response))  # the page now carries the stored version
    assert response.status_code == 302, response.context["form"].errors


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite has no row locks")
@pytest.mark.django_db(transaction=True)
def test_a_save_that_arrives_during_another_one_waits_for_it_and_sees_it():
    """B's save is under way (row locked, not committed) when A's arrives: A waits, then reads B's
    committed change and is refused — a check made before the lock would have let A overwrite it."""
    import threading
    import time

    from django.db import connections, transaction

    anne = login("Anne", "Durand")
    person = ParticipantFactory(commune="Dunkerque", qpv=None)
    url = reverse("participants:participant_update", args=[person.pk])
    page = {**form_data(anne.get(url)), "notes": "Permis B"}
    result = {}

    def anne_saves():
        try:
            result["response"] = anne.post(url, page)
        finally:
            connections.close_all()

    with transaction.atomic():  # Bruno's save, half-way
        Participant.objects.select_for_update().get(pk=person.pk)
        Participant.objects.filter(pk=person.pk).update(commune="Gravelines")
        thread = threading.Thread(target=anne_saves)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()  # Anne waits for Bruno's transaction
    thread.join(10)
    assert "Commune de résidence : « Gravelines »" in refusal(result["response"])
    person.refresh_from_db()
    assert (person.commune, person.notes) == ("Gravelines", "")
