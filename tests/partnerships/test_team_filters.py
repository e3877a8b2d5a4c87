"""The journal's « Auteur » filter lists colleagues through clauses_site.roles.team_members()."""

import pytest

from partnerships.filters import JournalFilter
from tests.factories import UserFactory
from tests.partnerships.factories import JournalEntryFactory

pytestmark = pytest.mark.django_db


def test_the_author_filter_lists_the_team_and_former_authors():
    UserFactory(username="sd", first_name="Sophie", last_name="Deschodt", facilitator=True)
    UserFactory(username="nr", first_name="Nadia", last_name="Responsable", manager=True)
    UserFactory(username="lc", first_name="Léo", last_name="Lecteur", reader=True)  # writes no entry
    gone = UserFactory(
        username="ap", first_name="Anne", last_name="Partie", facilitator=True, is_active=False
    )
    UserFactory(username="bp", first_name="Bruno", last_name="Parti", facilitator=True, is_active=False)
    UserFactory(username="sansnom", first_name="", last_name="", facilitator=True)
    JournalEntryFactory(author=gone)
    field = JournalFilter().form.fields["author"]
    assert [label for value, label in field.choices] == [
        "Tous",
        "sansnom",
        "Anne Partie",
        "Nadia Responsable",
        "Sophie Deschodt",
    ]
