"""The three roles of Clauses and the small predicates views use.

Roles are Django groups created by a data migration:
- "Responsable"  (manager): everything, user management and validation of hours included;
- "Facilitatrice" (facilitator): records and hours, no user management;
- "Lecteur" (read-only): markets, companies and figures, never a participant's personal data.
A superuser counts as a manager.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

MANAGER = "Responsable"
FACILITATOR = "Facilitatrice"
READER = "Lecteur"
ALL_ROLES = (MANAGER, FACILITATOR, READER)


def _groups(user):
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_clauses_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._clauses_groups = cached
    return cached


def role_of(user):
    """The user's role name (the most powerful one if several), or None."""
    if not user.is_authenticated:
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
