"""The invitation link's token: Django's password-reset token, with its own salt (a reset link is not an
invitation and the other way round) and its own lifetime of 7 days (PASSWORD_RESET_TIMEOUT is 3 hours).

The token signs the user's password hash, last login and active flag, and the account's acceptance and
revocation: once the password is chosen (the account accepted) or the account revoked, the link no longer
works."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

INVITATION_DAYS = 7


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "spaces.tokens.InvitationTokenGenerator"
    timeout = INVITATION_DAYS * 24 * 3600

    def _make_hash_value(self, user, timestamp):
        account = getattr(user, "external_account", None)
        accepted = account.accepted_at if account else None
        revoked = account.revoked_at if account else None
        login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        return f"{user.pk}{user.password}{login}{user.is_active}{accepted}{revoked}{timestamp}{user.email}"

    def check_token(self, user, token):
        """As Django's, with this generator's own timeout."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_token = InvitationTokenGenerator()
