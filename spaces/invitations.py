"""Inviting a company's or a buyer's contact, accepting, revoking (issue 16, item 2).

- invite(): creates the user (its e-mail as user name, no usable password: it cannot log in yet), puts it
  in its role's group, creates its ExternalAccount and e-mails it a one-time link (spaces.tokens, valid
  7 days) to choose a password — all in one transaction: a message that cannot be sent creates nothing.
- accepted(): the password is chosen (by spaces.views_team.AcceptInvitation).
- revoke(): the account can no longer log in (inactive, password made unusable) and its sessions end (a
  session is bound to the password's hash: django.contrib.auth.get_user refuses it from then on).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clauses_site import roles
from companies.models import Company
from spaces.models import ExternalAccount
from spaces.tokens import INVITATION_DAYS, invitation_token


class InvitationError(Exception):
    """A French message for the team."""


def existing_user(email):
    User = get_user_model()
    return (
        User.objects.filter(username__iexact=email).first()
        or User.objects.filter(email__iexact=email).first()
    )


def invitation_link(user, absolute):
    """The accept page's address for this user (absolute: request.build_absolute_uri)."""
    path = reverse(
        "spaces:accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token.make_token(user),
        },
    )
    return absolute(path)


def send_invitation(account, absolute):
    user = account.user
    context = {
        "name": user.get_full_name(),
        "organisation": account.organisation,
        "is_company": account.company_id is not None,
        "link": invitation_link(user, absolute),
        "days": INVITATION_DAYS,
        "team_name": settings.CLAUSES_TEAM_NAME,
        "username": user.username,
        "invited_by": account.invited_by.get_full_name() if account.invited_by else "",
    }
    # One line: an organisation's name may hold a line break (an import), refused in a header (a 500)
    subject = " ".join(render_to_string("spaces/invitation_subject.txt", context).split())
    body = render_to_string("spaces/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)


def _pending_account(user, organisation):
    """The user's ExternalAccount if it is `organisation`'s and still waits for its password (neither
    accepted nor revoked), else None."""
    account = ExternalAccount.objects.of(organisation).filter(user=user).first()
    if account is None or account.accepted_at or account.revoked_at:
        return None
    return account


def invite(organisation, email, name, invited_by, absolute):
    """The new ExternalAccount of `organisation` (a Company or a Buyer), its invitation sent; raises
    InvitationError when the address already has an account — but the organisation's own invitation not
    accepted yet (its link perhaps expired: no password, so no password reset either), sent again with a
    new link (account.sent_again)."""
    email = email.strip().lower()
    if (user := existing_user(email)) is not None:
        account = _pending_account(user, organisation)
        if account is None:
            raise InvitationError(
                f"Un compte existe déjà pour l'adresse {email} : il n'a pas été invité une seconde fois."
            )
        with transaction.atomic():
            account.invited_by, account.invited_at = invited_by, timezone.now()
            account.save(update_fields=["invited_by", "invited_at"])
            send_invitation(account, absolute)
        account.sent_again = True
        return account
    is_company = isinstance(organisation, Company)
    role = roles.COMPANY_USER if is_company else roles.BUYER_USER
    with transaction.atomic():
        user = get_user_model()(username=email, email=email, first_name=name.strip()[:150])
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        account = ExternalAccount.objects.create(
            user=user,
            company=organisation if is_company else None,
            buyer=None if is_company else organisation,
            invited_by=invited_by,
            invited_at=timezone.now(),
        )
        send_invitation(account, absolute)
    account.sent_again = False
    return account


def accepted(account):
    if account.accepted_at is None:
        account.accepted_at = timezone.now()
        account.save(update_fields=["accepted_at"])


def revoke(account, by):
    """The account can no longer log in; its sessions end. Idempotent."""
    user = account.user
    with transaction.atomic():
        if account.revoked_at is None:
            account.revoked_at = timezone.now()
            account.revoked_by = by
            account.save(update_fields=["revoked_at", "revoked_by"])
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
