"""External accounts: a user of a company or of a buyer, invited by the team (issue 16).

Each external user has one ExternalAccount naming exactly one organisation (a company or a buyer: a
check constraint), who invited it and when, when it accepted (chose its password) and when it was
revoked. Its role is the matching Django group (clauses_site.roles.COMPANY_USER / BUYER_USER), created
by this app's data migration."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clauses_site import roles
from companies.models import Company
from markets.models import Buyer


class ExternalAccountQuerySet(models.QuerySet):
    def of(self, organisation):
        """The accounts of a company or of a buyer."""
        if isinstance(organisation, Company):
            return self.filter(company=organisation)
        if isinstance(organisation, Buyer):
            return self.filter(buyer=organisation)
        raise TypeError(f"not an organisation: {organisation!r}")

    def not_revoked(self):
        return self.filter(revoked_at__isnull=True)


class ExternalAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_account",
        verbose_name="utilisateur",
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="external_accounts",
        verbose_name="entreprise",
    )
    buyer = models.ForeignKey(
        Buyer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="external_accounts",
        verbose_name="donneur d'ordre",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="invité par",
    )
    invited_at = models.DateTimeField("invité le")
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoqué par",
    )

    objects = ExternalAccountQuerySet.as_manager()

    class Meta:
        ordering = ["invited_at", "pk"]
        verbose_name = "compte externe"
        verbose_name_plural = "comptes externes"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(company__isnull=False, buyer__isnull=True)
                    | Q(company__isnull=True, buyer__isnull=False)
                ),
                name="external_account_one_organisation",
                violation_error_message=(
                    "Un compte externe appartient à une seule organisation : une entreprise ou un "
                    "donneur d'ordre."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user.email} — {self.organisation}"

    @property
    def organisation(self):
        return self.company if self.company_id else self.buyer

    @property
    def role(self):
        return roles.COMPANY_USER if self.company_id else roles.BUYER_USER

    @property
    def status(self):
        if self.revoked_at:
            return "Révoqué"
        if self.accepted_at:
            return "Actif"
        return "Invitation envoyée"
