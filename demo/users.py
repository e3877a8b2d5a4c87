"""The demo accounts, one per role (used by seed_demo and the browser tests)."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from clauses_site import roles

DEMO_PASSWORD = "demo-clauses"
DEMO_USERS = [
    # username, first name, last name, role
    ("responsable", "Nadia", "Benali", roles.MANAGER),
    ("facilitatrice", "Claire", "Vandenbussche", roles.FACILITATOR),
    ("facilitatrice2", "Sophie", "Deschodt", roles.FACILITATOR),
    ("lecteur", "Marc", "Lefebvre", roles.READER),
]


def create_demo_users():
    users = {}
    hashed = None  # one hash for the four accounts: hashing costs about a second each
    for username, first, last, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
        user.is_staff = role == roles.MANAGER
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])  # flushed by live-server tests
        users[username] = user
    return users
