import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from clauses_site import roles
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_three_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Responsable", "Facilitatrice", "Lecteur"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "traits,edit,people,validate,users",
    [
        ({"manager": True}, True, True, True, True),
        ({"facilitator": True}, True, True, False, False),
        ({"reader": True}, False, False, False, False),
        ({}, False, False, False, False),
    ],
)
def test_predicates(traits, edit, people, validate, users):
    user = UserFactory(**traits)
    assert roles.can_edit(user) is edit
    assert roles.sees_people(user) is people
    assert roles.can_validate(user) is validate
    assert roles.can_manage_users(user) is users


@pytest.mark.django_db
def test_facilitators_validate_when_the_setting_allows_it():
    user = UserFactory(facilitator=True)
    with override_settings(CLAUSES_FACILITATORS_VALIDATE=True):
        assert roles.can_validate(user)


@pytest.mark.django_db
def test_superuser_is_a_manager():
    user = UserFactory(is_superuser=True)
    assert roles.role_of(user) == roles.MANAGER


@pytest.mark.django_db
def test_login_page_is_french_and_rejects_a_bad_password(client):
    UserFactory(username="claire", facilitator=True)
    response = client.post(reverse("login"), {"username": "claire", "password": "faux"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Connexion" in content
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in content
    assert 'value="claire"' in content


@pytest.mark.django_db
def test_password_change_works(client):
    user = UserFactory(username="claire", facilitator=True)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "mot-de-passe-de-test",
            "new_password1": "Dunkerque-2026!",
            "new_password2": "Dunkerque-2026!",
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Dunkerque-2026!")


@pytest.mark.django_db
def test_reader_sees_no_participants_link(client):
    client.force_login(UserFactory(reader=True))
    page = client.get(reverse("home")).content.decode()
    assert "Lecteur" in page
