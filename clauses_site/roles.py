"""The roles of Clauses and the small predicates views use.

Roles are Django groups created by a data migration. The team's three (internal) roles:
- "Responsable"  (manager): everything, user management and validation of hours included;
- "Facilitatrice" (facilitator): records and hours, no user management;
- "Lecteur" (read-only): markets, companies and figures, never a participant's personal data.
A superuser counts as a manager.

Two external roles (spaces/, issue 16), each user bound to one organisation by its spaces.ExternalAccount:
- "Entreprise" (a user of one company), "Donneur d'ordre" (a user of one buyer). They see only their
  space (/espace/…: spaces.middleware.ExternalAccessMiddleware answers 403 everywhere else). An external
  group wins over any other: such a user has no internal role (role_of is None, so can_edit, sees_people,
  can_validate… are False), even if also put in an internal group or made superuser by mistake. A user
  with an ExternalAccount counts in its account's external group even if that group was taken from it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q

MANAGER = "Responsable"
FACILITATOR = "Facilitatrice"
READER = "Lecteur"
ALL_ROLES = (MANAGER, FACILITATOR, READER)
COMPANY_USER = "Entreprise"
BUYER_USER = "Donneur d'ordre"
EXTERNAL_ROLES = (COMPANY_USER, BUYER_USER)


def _groups(user):
    """The user's group names; a user with an ExternalAccount counts in its account's external group
    whatever its groups (its group swapped for a team's by a mistake in the admin must not make a
    company's contact a team member). One query, cached on the user."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_clauses_groups", None)
    if cached is None:
        rows = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .values_list("groups__name", "external_account__pk", "external_account__company_id")
        )
        cached = frozenset(name for name, _, _ in rows if name)
        account = next(((pk, company) for _, pk, company in rows if pk is not None), None)
        if account is not None and not cached & set(EXTERNAL_ROLES):
            cached |= {COMPANY_USER if account[1] is not None else BUYER_USER}
        user._clauses_groups = cached
    return cached


def external_role(user):
    """COMPANY_USER or BUYER_USER for a user of an external group (the first if both), else None."""
    if not user.is_authenticated:
        return None
    groups = _groups(user)
    for role in EXTERNAL_ROLES:
        if role in groups:
            return role
    return None


def is_external(user):
    return external_role(user) is not None


def organisation_of(user):
    """The company or buyer an external user acts for: that of its account if the account is not revoked
    and matches its role, else None (a user with no organisation sees nothing of any)."""
    role = external_role(user)
    if role is None:
        return None
    try:
        account = user.external_account  # spaces.ExternalAccount (no import: the ground floor)
    except ObjectDoesNotExist:
        return None
    if account.revoked_at is not None:
        return None
    return account.company if role == COMPANY_USER else account.buyer


def role_of(user):
    """The user's internal role name (the most powerful one if several), or None — None for an external
    user whatever else it is (see the module's docstring)."""
    if not user.is_authenticated or is_external(user):
        return None
    if user.is_superuser:
        return MANAGER
    groups = _groups(user)
    for role in ALL_ROLES:
        if role in groups:
            return role
    return None


def is_manager(user):
    return role_of(user) == MANAGER


def is_facilitator(user):
    return role_of(user) == FACILITATOR


def is_reader(user):
    return role_of(user) == READER


def can_edit(user):
    """May create, change and delete records and hours."""
    return role_of(user) in (MANAGER, FACILITATOR)


def sees_people(user):
    """May see participants' personal data (names, birth dates, criteria)."""
    return role_of(user) in (MANAGER, FACILITATOR)


def can_validate(user):
    """May validate (and re-open) hours: the manager, and facilitators when the setting allows it."""
    from django.conf import settings

    role = role_of(user)
    return role == MANAGER or (role == FACILITATOR and settings.CLAUSES_FACILITATORS_VALIDATE)


def can_manage_users(user):
    return role_of(user) == MANAGER


def require(predicate, user):
    """Raise 403 unless predicate(user)."""
    if not predicate(user):
        raise PermissionDenied


def team_members(also=None):
    """The team's active facilitators and managers, by first then last name (the one ordering of every
    list of colleagues), plus the users of the filter `also` (e.g. Q(markets__isnull=False): whoever
    already holds a record, so that an old holder still shows). One query."""
    wanted = Q(is_active=True, groups__name__in=[FACILITATOR, MANAGER])
    if also is not None:
        wanted |= also
    return get_user_model().objects.filter(wanted).distinct().order_by("first_name", "last_name", "username")
