"""Authentication as for health data: two-factor authentication where it is required, the login lock-out
page, and no caching of any page shown to a signed-in user.

- Two-factor authentication (TOTP, django-otp) is offered to everyone: a user who has confirmed a device
  is asked for a code after the password. With settings.CLAUSES_REQUIRE_2FA, the Responsable and the admin
  (staff, superuser) must have one: without a device they are sent to enrol first.
- django-axes locks a user name + address after settings.AXES_FAILURE_LIMIT failures; lockout_response
  shows the login page with the French message.
- LoginRequiredMiddleware: Django's, but an htmx request of someone signed out (a progress bar still
  polling after the session ended) sends the whole page to the login page, not the login form into a card.
- SessionActivityMiddleware: the idle timeout (SESSION_COOKIE_AGE, 30 minutes), the session saved at most
  once a minute.
- NoStoreForUsersMiddleware: `Cache-Control: no-store` on every response to a signed-in user (pages and
  exports alike: participants' data must not stay in a browser's or a proxy's cache).
"""

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from clauses_site import roles

# Session key: whether the signed-in user has a confirmed device (read at login, kept up to date by the
# « Double authentification » page), so that no page needs a query to know it.
HAS_DEVICE_SESSION_KEY = "clauses_has_otp_device"
# Session key: when the session was last saved because of the user's activity (epoch seconds).
ACTIVITY_SESSION_KEY = "clauses_activity"
ACTIVITY_SAVE_EVERY = 60  # seconds
# Views an authenticated but not yet verified user may open.
OPEN_BEFORE_SECOND_FACTOR = {
    "two_factor",
    "two_factor_verify",
    "logout",
    "health",
    "favicon",
    "admin:logout",
}


def confirmed_devices(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True)


def remember_device(request, user, has_device=None):
    """Store in the session whether the user has a confirmed device; returns it."""
    if has_device is None:
        has_device = confirmed_devices(user).exists()
    request.session[HAS_DEVICE_SESSION_KEY] = bool(has_device)
    return bool(has_device)


@receiver(user_logged_in, dispatch_uid="clauses_remember_otp_device")
def _remember_device_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_device(request, user)
        request.session[ACTIVITY_SESSION_KEY] = int(time.time())


def two_factor_required(user):
    """Whether the user must use two-factor authentication: the Responsable and the admin, when on."""
    if not settings.CLAUSES_REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or roles.is_manager(user)


def is_verified(user):
    return bool(getattr(user, "is_verified", None) and user.is_verified())


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """For an htmx request (HX-Request), the answer is an empty 200 whose HX-Redirect sends the browser
    to the login page, back afterwards to the page it was on (HX-Current-URL, its path only); htmx would
    otherwise follow the 302 and swap the login form into the fragment it asked for."""

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = (current.path or "/") + (f"?{current.query}" if current.query else "")
        login = resolve_url(self.get_login_url(view_func))
        response = HttpResponse()
        query = QueryDict(mutable=True)
        query[self.get_redirect_field_name(view_func)] = back
        response["HX-Redirect"] = f"{login}?{query.urlencode(safe='/')}"  # as redirect_to_login writes it
        return response


def not_activity(view):
    """Marks a view that a page calls by itself (a progress bar polling every second): its requests do not
    count as the user's activity, so that a page left open does not keep the session alive forever."""
    view.not_activity = True
    return view


class SessionActivityMiddleware:
    """The idle timeout: a signed-in user's request saves the session (which pushes its end
    SESSION_COOKIE_AGE on) when the last such save is a minute old or more; requests to views marked
    `not_activity` do not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if getattr(view_func, "not_activity", False):
            return None
        if session is not None and session.session_key and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(ACTIVITY_SESSION_KEY, 0) >= ACTIVITY_SAVE_EVERY:
                session[ACTIVITY_SESSION_KEY] = now
        return None


class TwoFactorMiddleware:
    """After OTPMiddleware: a user with a device who has not typed a code yet is asked for one; a user who
    must use two-factor authentication and has no device is sent to enrol. Everything else waits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        has_device = request.session.get(HAS_DEVICE_SESSION_KEY)
        if has_device is None:  # a session opened before this rule
            has_device = remember_device(request, user)
        if has_device:
            target = "two_factor_verify"
        elif two_factor_required(user):
            target = "two_factor"
        else:
            return None
        next_url = request.get_full_path() if request.method == "GET" else reverse("home")
        return redirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store` (and the rest of never_cache) on every response to a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Trop de tentatives : compte bloqué {minutes} minutes pour cette adresse après "
        f"{settings.AXES_FAILURE_LIMIT} mots de passe erronés. Réessayez plus tard, réinitialisez "
        "votre mot de passe (« Mot de passe oublié ? ») ou demandez à la responsable de débloquer le compte."
    )


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again, with the French lock-out message. The
    form is not bound (binding it would try the password once more)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
