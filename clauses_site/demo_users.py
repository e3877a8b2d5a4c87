"""The demo accounts, one per role (used by seed_demo and the browser tests)."""

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
    for username, first, last, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = role == roles.MANAGER
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users[username] = user
    return users
