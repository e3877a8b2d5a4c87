"""The external roles in clauses_site/roles.py and the deny-by-default middleware (spaces/middleware.py)."""

from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clauses_site import roles
from tests.factories import PASSWORD, UserFactory
from tests.spaces.factories import external_user, own_buyer, own_company

PREDICATES = (
    roles.is_manager,
    roles.is_facilitator,
    roles.is_reader,
    roles.can_edit,
    roles.sees_people,
    roles.can_validate,
    roles.can_manage_users,
)


@pytest.mark.django_db
def test_external_users_have_no_internal_right(settings):
    settings.CLAUSES_FACILITATORS_VALIDATE = True
    company_user = external_user(own_company())
    buyer_user = external_user(own_buyer())
    assert roles.external_role(company_user) == roles.COMPANY_USER
    assert roles.external_role(buyer_user) == roles.BUYER_USER
    assert roles.organisation_of(company_user) == own_company()
    assert roles.organisation_of(buyer_user) == own_buyer()
    # Put in an internal group, or made superuser and staff by mistake: still no internal right.
    buyer_user.groups.add(Group.objects.get_or_create(name=roles.FACILITATOR)[0])
    buyer_user.is_superuser = buyer_user.is_staff = True
    buyer_user.save()
    for user in (company_user, buyer_user):
        user = type(user).objects.get(pk=user.pk)  # the groups read again
        assert roles.is_external(user)
        assert roles.role_of(user) is None
        for predicate in PREDICATES:
            assert predicate(user) is False, predicate.__name__
    facilitator = UserFactory(facilitator=True)
    assert not roles.is_external(facilitator) and roles.can_edit(facilitator)
    assert roles.organisation_of(facilitator) is None


@pytest.mark.django_db
def test_an_external_user_in_an_internal_group_still_gets_403_from_the_team_pages(client):
    user = external_user(own_company())
    user.groups.add(Group.objects.get_or_create(name=roles.MANAGER)[0])
    user.is_superuser = user.is_staff = True
    user.save()
    client.force_login(user)
    for url in (reverse("markets:market_list"), reverse("participants:participant_list"), "/admin/"):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("spaces:home")).status_code == 200


@pytest.mark.django_db
def test_an_account_whose_group_was_lost_is_still_external(client):
    user = external_user(own_company())
    user.groups.clear()  # a mistake in the admin: no role left, but an ExternalAccount
    client.force_login(user)
    assert client.get(reverse("markets:market_list")).status_code == 403
    assert client.get(reverse("companies:company_list")).status_code == 403
    # A user with no role and no account is not concerned (its rights are the team's rules).
    lone = UserFactory(username="sans-role")
    # Its account decides its role (clauses_site.roles._groups): its own space, nothing else
    assert client.get(reverse("spaces:home")).status_code == 200
    client.force_login(lone)
    assert client.get(reverse("spaces:home")).status_code == 403  # not external: not the space


@pytest.mark.django_db
@pytest.mark.parametrize("organisation", [own_company, own_buyer])
def test_after_logging_in_an_external_user_lands_in_its_space(client, organisation):
    user = external_user(organisation())
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("spaces:home")
    assert response.status_code == 200
    text = unescape(response.content.decode())
    assert organisation().name in text
    # Its own navigation: no link to the team's pages.
    for name in ("markets:market_list", "companies:company_list", "reporting:bilan_form", "search"):
        assert f'href="{reverse(name)}"' not in text and f'action="{reverse(name)}"' not in text, name
    assert client.get(reverse("home")).url == reverse("spaces:home")


@pytest.mark.django_db
def test_the_team_gets_403_in_the_space(client_for):
    for role in roles.ALL_ROLES:
        client = client_for(role)
        assert client.get(reverse("spaces:home")).status_code == 403, role
