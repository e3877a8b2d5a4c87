"""Companies: contract holders, subcontractors, insertion structures (SIAE), GEIQ, disability
structures (EA/ESAT), temp agencies and training bodies; their contacts; activity sectors."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.text import clean_siret, company_key, normalize, siret_is_valid

SIRET_INVALID = "Ce SIRET n'est pas valide : 14 chiffres attendus, avec une clé de contrôle juste."
SIRET_TAKEN = "Une autre entreprise porte déjà ce SIRET."


def validate_siret(value):
    if value and not siret_is_valid(clean_siret(value)):
        raise ValidationError(SIRET_INVALID, code="invalid_siret")


class SiretField(models.CharField):
    """14 digits stored without spaces; typed with spaces or dots (« 732 829 320 00074 ») it is accepted,
    and one French message covers the length and the check digit."""

    default_validators = [validate_siret]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 14)
        super().__init__(*args, **kwargs)
        # The SIRET validator checks the length itself, after removing spaces.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return clean_siret(value) if value is not None else value

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 20, **kwargs})


class Sector(models.Model):
    """An activity sector or trade (BTP gros œuvre, nettoyage, espaces verts…)."""

    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "secteur d'activité"
        verbose_name_plural = "secteurs d'activité"

    def __str__(self):
        return self.name


class CompanyQuerySet(SearchableQuerySet):
    def active(self):
        return self.filter(archived=False)

    def insertion_structures(self):
        """SIAE, GEIQ, EA/ESAT and ESS members: the ESS directory."""
        return self.filter(Q(kind__in=Company.Kind.insertion_kinds()) | Q(ess_member=True))

    def search(self, text):
        """Every word typed appears in the name or commune (ignoring case and accents), in any order;
        or the digits typed begin the SIRET."""
        found = super().search(text)
        digits = clean_siret(text)
        if digits.isdigit() and len(digits) >= 3:
            found |= self.filter(siret__startswith=digits)
        return found

    def matching(self, name=None, siret=None):
        """The company a spreadsheet row names: by SIRET when given, else by name (legal form ignored)."""
        siret = clean_siret(siret)
        if siret:
            return self.filter(siret=siret).first()
        return self.filter(name_key=company_key(name)).order_by("pk").first() if name else None


class Company(KeyedModel):
    class Kind(models.TextChoices):
        ORDINARY = "entreprise", "Entreprise"
        EI = "EI", "EI — entreprise d'insertion"
        ETTI = "ETTI", "ETTI — entreprise de travail temporaire d'insertion"
        AI = "AI", "AI — association intermédiaire"
        ACI = "ACI", "ACI — atelier et chantier d'insertion"
        EITI = "EITI", "EITI — entreprise d'insertion par le travail indépendant"
        GEIQ = "GEIQ", "GEIQ — groupement d'employeurs pour l'insertion et la qualification"
        EA = "EA", "EA — entreprise adaptée"
        ESAT = "ESAT", "ESAT — établissement et service d'aide par le travail"
        ETT = "ETT", "ETT — entreprise de travail temporaire"
        TRAINING = "formation", "Organisme de formation"
        OTHER = "autre", "Autre"

        @classmethod
        def siae_kinds(cls):
            return [cls.EI, cls.ETTI, cls.AI, cls.ACI, cls.EITI]

        @classmethod
        def insertion_kinds(cls):
            return [*cls.siae_kinds(), cls.GEIQ, cls.EA, cls.ESAT]

    name = models.CharField("raison sociale", max_length=200)
    siret = SiretField("SIRET", blank=True, help_text="14 chiffres (les espaces sont acceptés).")
    kind = models.CharField("type de structure", max_length=20, choices=Kind, default=Kind.ORDINARY)
    ess_member = models.BooleanField("membre de l'ESS", default=False)
    sectors = models.ManyToManyField(Sector, verbose_name="secteurs d'activité", blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    website = models.URLField("site web", blank=True)
    description = models.TextField(
        "présentation", blank=True, help_text="Offre de la structure, pour la plaquette de l'ESS."
    )
    archived = models.BooleanField("archivée", default=False)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    search_text = models.CharField(max_length=500, editable=False, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name_key"]
        verbose_name = "entreprise"
        verbose_name_plural = "entreprises"
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="company_siret_unique_when_given",
                violation_error_message=SIRET_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="company_siret_14_digits",
                violation_error_message=SIRET_INVALID,
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("companies:company_detail", args=[self.pk])

    @property
    def is_siae(self):
        return self.kind in self.Kind.siae_kinds()

    def clean(self):
        # The format and the check digit are the field's validator (run by clean_fields).
        self.compute_keys()
        if (
            siret_is_valid(self.siret)
            and Company.objects.exclude(pk=self.pk).filter(siret=self.siret).exists()
        ):
            raise ValidationError({"siret": SIRET_TAKEN})

    def compute_keys(self):
        self.siret = clean_siret(self.siret)
        self.name_key = company_key(self.name)
        self.search_text = normalize(f"{self.name} {self.commune}")


class ContactFields(models.Model):
    """A person to call: shared by company contacts and buyer contacts."""

    name = models.CharField("nom", max_length=150)
    role = models.CharField("fonction", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Contact(ContactFields):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="contacts", verbose_name="entreprise"
    )

    class Meta(ContactFields.Meta):
        verbose_name = "contact"
        verbose_name_plural = "contacts"
