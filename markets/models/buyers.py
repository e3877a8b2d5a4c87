"""Public buyers (« donneurs d'ordre »), their contacts and their operations (a programme grouping
markets, e.g. an urban renewal project)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.text import match_key, normalize
from companies.models import ContactFields

BUYER_NAME_TAKEN = "Un donneur d'ordre porte déjà ce nom (à la casse et aux accents près)."


class BuyerQuerySet(SearchableQuerySet):
    def matching(self, name):
        return self.filter(name_key=match_key(name)).first()


class Buyer(KeyedModel):
    class Kind(models.TextChoices):
        INTERCOMMUNALITY = "epci", "Intercommunalité"
        COMMUNE = "commune", "Commune"
        PORT = "port", "Port"
        DEPARTMENT = "departement", "Département"
        REGION = "region", "Région"
        STATE = "etat", "État"
        SOCIAL_LANDLORD = "bailleur", "Bailleur social"
        HOSPITAL = "hopital", "Établissement de santé"
        OTHER = "autre", "Autre"

    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind, default=Kind.OTHER)
    address = models.CharField("adresse", max_length=250, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    notes = models.TextField("notes", blank=True)
    archived = models.BooleanField("archivé", default=False)
    name_key = models.CharField(
        max_length=200, unique=True, editable=False, error_messages={"unique": BUYER_NAME_TAKEN}
    )
    search_text = models.CharField(max_length=250, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BuyerQuerySet.as_manager()

    class Meta:
        ordering = ["name_key"]
        verbose_name = "donneur d'ordre"
        verbose_name_plural = "donneurs d'ordre"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("markets:buyer_detail", args=[self.pk])

    def clean(self):
        self.compute_keys()
        if self.name_key and Buyer.objects.exclude(pk=self.pk).filter(name_key=self.name_key).exists():
            raise ValidationError({"name": BUYER_NAME_TAKEN})

    def validate_unique(self, exclude=None):
        # name_key is checked by clean() with a clearer message.
        super().validate_unique(exclude={*(exclude or ()), "name_key"})

    def compute_keys(self):
        """The derived columns save() fills (call it before a bulk_create)."""
        self.name_key = match_key(self.name)
        self.search_text = normalize(self.name)


class BuyerContact(ContactFields):
    buyer = models.ForeignKey(
        Buyer, on_delete=models.CASCADE, related_name="contacts", verbose_name="donneur d'ordre"
    )

    class Meta(ContactFields.Meta):
        verbose_name = "contact du donneur d'ordre"
        verbose_name_plural = "contacts du donneur d'ordre"


class Operation(models.Model):
    buyer = models.ForeignKey(
        Buyer, on_delete=models.PROTECT, related_name="operations", verbose_name="donneur d'ordre"
    )
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "opération"
        verbose_name_plural = "opérations"
        constraints = [models.UniqueConstraint(fields=["buyer", "name"], name="operation_unique_per_buyer")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """An operation has no page of its own: it is shown on its buyer's."""
        return reverse("markets:buyer_detail", args=[self.buyer_id])
