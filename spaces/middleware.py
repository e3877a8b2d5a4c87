"""Deny by default: an external user (a company's or a buyer's) reaches only the views marked for the
space (spaces.access.space_view) and the sign-in pages below; every other URL answers 403, and the home
page sends it to its space. An internal user gets 403 on the space's pages (they show one
organisation's view of its own figures; the team has its own pages of the same figures).

A user with no role at all who has an ExternalAccount (its group lost by a mistake in the admin) is
treated as external: one query, for role-less users only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from clauses_site import roles

#: The pages outside the space an external user may open (URL names): signing in and out, the password
#: pages, two-factor authentication, the accessibility statement, the health check and the favicon.
#: Static files are served before any middleware (WhiteNoise).
OPEN_TO_EXTERNAL = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "two_factor",
        "two_factor_verify",
        "accessibility",
        "health",
        "favicon",
    }
)


def is_external(user):
    if not user.is_authenticated:
        return False
    if roles.is_external(user):
        return True
    if roles.role_of(user) is None and not user.is_superuser:
        from spaces.models import ExternalAccount

        return ExternalAccount.objects.filter(user=user).exists()
    return False


class ExternalAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        marked = getattr(view_func, "space", None)  # "external" or "everyone" (spaces.access)
        if marked == "everyone":
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # LoginRequiredMiddleware (before this one) sent anonymous visitors to log in
        match = request.resolver_match
        name = match.view_name if match is not None else None
        if is_external(user):
            if marked == "external" or name in OPEN_TO_EXTERNAL:
                return None
            if name == "home":
                return redirect("spaces:home")
            raise PermissionDenied
        if marked == "external":
            raise PermissionDenied
        return None
