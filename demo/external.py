"""The demo's two external accounts (issue 16): « entreprise », a user of the Dunkerque company with the
most clause lots in the spaces' stages, and « donneur », a user of the buyer with the most markets — both
accepted, so that a newcomer logs in to each space with the demo password."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db.models import Count, Q
from django.utils import timezone

from clauses_site import roles
from companies.models import Company
from demo.users import DEMO_PASSWORD
from markets.models import Buyer
from spaces.figures import SHOWN_STAGES
from spaces.models import ExternalAccount

#: username, first name, last name, role
EXTERNAL_USERS = [
    ("entreprise", "Julien", "Maes", roles.COMPANY_USER),
    ("donneur", "Isabelle", "Verhaeghe", roles.BUYER_USER),
]


def demo_organisations(buyers=None):
    """(company, buyer) the demo accounts belong to, chosen by their data (deterministic): the company
    with the most awards on clause lots of awarded, running or finished markets, the buyer with the most
    markets (ties: by name)."""
    buyers = Buyer.objects.all() if buyers is None else buyers
    shown = Q(awards__lot__clause__isnull=False, awards__lot__market__stage__in=SHOWN_STAGES)
    company = (
        Company.objects.filter(awards__lot__market__buyer__in=buyers)
        .annotate(n=Count("awards", filter=shown, distinct=True))
        .order_by("-n", "name_key", "pk")
        .first()
    )
    buyer = buyers.annotate(n=Count("markets")).order_by("-n", "name_key", "pk").first()
    return company, buyer


def create_external_users(inviter=None, buyers=None):
    """The two accounts, bound to demo_organisations() (re-bound when run again); {username: user}."""
    company, buyer = demo_organisations(buyers)
    now = timezone.now()
    users = {}
    for (username, first, last, role), organisation in zip(EXTERNAL_USERS, (company, buyer), strict=True):
        if organisation is None:
            continue
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created or not user.has_usable_password():
            user.password = make_password(DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        side = (
            {"company": organisation, "buyer": None}
            if role == roles.COMPANY_USER
            else {
                "company": None,
                "buyer": organisation,
            }
        )
        ExternalAccount.objects.update_or_create(
            user=user,
            defaults={
                **side,
                "invited_by": inviter,
                "invited_at": now,
                "accepted_at": now,
                "revoked_at": None,
                "revoked_by": None,
            },
        )
        users[username] = user
    return users
