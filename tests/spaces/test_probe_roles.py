"""Probe of role confusion (issue 16): a user with an ExternalAccount is external whatever its groups — even
when a mistake in the admin swapped its « Entreprise » group for a team's group, it never becomes a team
member (the participants' personal data)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clauses_site import roles
from tests.spaces.factories import external_user, own_buyer, own_company


@pytest.mark.django_db
@pytest.mark.parametrize("organisation", [own_company, own_buyer])
@pytest.mark.parametrize("group", roles.ALL_ROLES)
def test_an_account_put_in_a_team_group_instead_of_its_own_stays_external(client, organisation, group):
    user = external_user(organisation())
    user.groups.set([Group.objects.get_or_create(name=group)[0]])  # its external group replaced
    user = type(user).objects.get(pk=user.pk)
    assert roles.role_of(user) is None and not roles.sees_people(user) and not roles.can_edit(user)
    assert roles.organisation_of(user) == organisation()
    client.force_login(user)
    for url in (reverse("participants:participant_list"), reverse("markets:market_list"), "/admin/"):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("spaces:home")).status_code == 200


@pytest.mark.django_db
def test_reading_the_role_is_one_query(django_assert_num_queries):
    user = external_user(own_company())
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert roles.external_role(user) == roles.COMPANY_USER
        assert roles.role_of(user) is None
