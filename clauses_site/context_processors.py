from django.conf import settings

from clauses_site import roles as role_rules


def roles(request):
    user = request.user
    return {
        "role": role_rules.role_of(user),
        "can_edit": role_rules.can_edit(user),
        "sees_people": role_rules.sees_people(user),
        "can_validate": role_rules.can_validate(user),
        "can_manage_users": role_rules.can_manage_users(user),
        # A company's or a buyer's user: base.html shows the space's navigation (templates/spaces/nav.html)
        "external_role": role_rules.external_role(user),
        "team_name": settings.CLAUSES_TEAM_NAME,
    }
