"""Factories shared by every app's tests: users with a role."""

import factory
from django.contrib.auth.models import Group, User

from clauses_site import roles

PASSWORD = "mot-de-passe-de-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = "Camille"
    last_name = "Martin"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    class Params:
        manager = factory.Trait(role=roles.MANAGER, is_staff=True)
        facilitator = factory.Trait(role=roles.FACILITATOR)
        reader = factory.Trait(role=roles.READER)

    role = None

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])  # flushed by live-server tests
        return user
