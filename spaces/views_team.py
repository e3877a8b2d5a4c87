"""The team's side of the spaces: inviting a contact from a company's or a buyer's page (facilitators and
the manager), revoking an account in one click; and the invitation's link, where the invited person
chooses a password. The list of an organisation's accounts is shown on its page by
spaces/templatetags/spaces_tags.py."""

import logging
import smtplib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from clauses_site import roles
from companies.models import Company
from markets.models import Buyer
from spaces import invitations
from spaces.access import open_view
from spaces.forms import InvitationForm
from spaces.models import ExternalAccount
from spaces.tokens import invitation_token

logger = logging.getLogger(__name__)


def _invite(request, organisation):
    roles.require(roles.can_edit, request.user)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"Invitation non envoyée — {errors}")
        return redirect(organisation.get_absolute_url())
    email, name = form.cleaned_data["email"], form.cleaned_data["name"]
    try:
        account = invitations.invite(organisation, email, name, request.user, request.build_absolute_uri)
    except invitations.InvitationError as exc:
        messages.error(request, str(exc))
    except (smtplib.SMTPException, OSError):
        logger.exception("invitation e-mail to %s not sent", email)
        messages.error(
            request,
            f"Le courriel d'invitation à {email} n'a pas pu être envoyé (serveur de courriel injoignable) : "
            "aucun compte n'a été créé. Réessayez plus tard ou prévenez l'administrateur.",
        )
    else:
        again = " à nouveau" if account.sent_again else ""
        messages.success(
            request, f"Invitation envoyée{again} à {account.user.email} : le lien est valable 7 jours."
        )
    return redirect(organisation.get_absolute_url())


@require_POST
def invite_company(request, pk):
    return _invite(request, get_object_or_404(Company, pk=pk))


@require_POST
def invite_buyer(request, pk):
    return _invite(request, get_object_or_404(Buyer, pk=pk))


@require_POST
def revoke(request, pk):
    roles.require(roles.can_edit, request.user)
    account = get_object_or_404(ExternalAccount.objects.select_related("user", "company", "buyer"), pk=pk)
    invitations.revoke(account, request.user)
    messages.success(
        request,
        f"Compte de {account.user.email} révoqué : il ne peut plus se connecter, ses sessions sont fermées.",
    )
    return redirect(account.organisation.get_absolute_url())


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitation(auth_views.PasswordResetConfirmView):
    """The invitation's link: choose a password (Django's validators), then signed in, in the space. The
    link works once (the token signs the password and the acceptance), for 7 days, never for a revoked
    account. As Django's reset, the token leaves the address at once (kept in the session)."""

    template_name = "spaces/accept.html"
    token_generator = invitation_token
    reset_url_token = "mot-de-passe"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("spaces:home")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active:
            return None
        account = ExternalAccount.objects.filter(user=user).first()
        if account is None or account.revoked_at is not None or account.accepted_at is not None:
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        invitations.accepted(form.user.external_account)
        messages.success(self.request, "Mot de passe enregistré : bienvenue dans votre espace.")
        return response


accept = open_view(AcceptInvitation.as_view())
