import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def health(request):
    """For the reverse proxy and monitoring: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico (the admin's pages have no <link rel="icon">)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mail with a reset link: the same answer whether an account has this address or not."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password from the e-mailed link; it also lifts a log-in lock-out of that account."""

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.get_username())
        return response


# Error pages in the application's layout (templates/400.html …), French. A request refused before the
# authentication middleware (a bad Host header: 400) has no user: those pages are then rendered without
# the request's context, as the 500 page always is.
PLAIN_FALLBACK = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur — Clauses</title>'
    "<h1>Une erreur est survenue</h1><p>La page n'a pas pu être affichée. "
    "Réessayez dans un instant ; si l'erreur revient, prévenez la responsable.</p></html>"
)


def _without_request(template_name, context=None):
    """An error page rendered with no request, session or database; plain French text if even that
    fails."""
    try:
        return loader.get_template(template_name).render(
            {"team_name": settings.CLAUSES_TEAM_NAME, **(context or {})}
        )
    except Exception:
        logger.exception("%s could not be rendered", template_name)
        return PLAIN_FALLBACK


@requires_csrf_token
def bad_request(request, exception):
    return HttpResponseBadRequest(_without_request("400.html"))


@requires_csrf_token
def permission_denied(request, exception):
    if not hasattr(request, "user"):
        return HttpResponseForbidden(_without_request("403.html"))
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request, exception):
    if not hasattr(request, "user"):
        return HttpResponseNotFound(_without_request("404.html", {"request_path": request.path}))
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request):
    """The 500 page, rendered without the request's context: whatever broke (the database, a context
    processor) must not break the error page too."""
    return HttpResponseServerError(_without_request("500.html"))
