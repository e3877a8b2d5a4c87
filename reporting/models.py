"""Archived bilans: every bilan generated from the Bilans page is kept, byte for byte, with its scope,
period, format, commentary, who and when, and a version number per (scope, period, format)."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q

from companies.models import Company
from markets.models import Buyer, Market


class BilanQuerySet(models.QuerySet):
    def of_scope(self, kind, obj):
        return self.filter(scope_key=Bilan.key_for(kind, obj))


class Bilan(models.Model):
    class Kind(models.TextChoices):
        BUYER = "buyer", "Donneur d'ordre"
        COMPANY = "company", "Entreprise"
        MARKET = "market", "Marché"
        TERRITORY = "territory", "Territoire"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (xlsx)"
        JSON = "json", "JSON"

    kind = models.CharField("périmètre", max_length=10, choices=Kind)
    buyer = models.ForeignKey(
        Buyer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilans",
        verbose_name="donneur d'ordre",
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilans",
        verbose_name="entreprise",
    )
    market = models.ForeignKey(
        Market, on_delete=models.SET_NULL, null=True, blank=True, related_name="bilans", verbose_name="marché"
    )
    scope_key = models.CharField(max_length=40, editable=False, db_index=True)
    scope_name = models.CharField("nom du périmètre", max_length=300)
    period_start = models.DateField("du")
    period_end = models.DateField("au")
    format = models.CharField("format", max_length=5, choices=Format)
    version = models.PositiveIntegerField("version")
    file = models.FileField("fichier", upload_to="bilans/%Y/%m/")
    filename = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    commentary = models.TextField("commentaire", blank=True)
    anonymised = models.BooleanField("petits effectifs masqués", default=True)
    people = models.PositiveIntegerField(
        "personnes comptées",
        null=True,
        blank=True,
        help_text="Vide : bilan archivé avant que le nombre de personnes soit gardé.",
    )
    batch = models.UUIDField("envoi groupé", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilans",
        verbose_name="généré par",
    )
    created_at = models.DateTimeField("généré le", auto_now_add=True)

    objects = BilanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end", "format", "version"],
                name="bilan_one_version_number",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="bilan_period"
            ),
        ]

    def __str__(self):
        return (
            f"Bilan {self.scope_name} du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y} "
            f"({self.get_format_display()}, v{self.version})"
        )

    @staticmethod
    def key_for(kind, obj):
        return kind if kind == Bilan.Kind.TERRITORY else f"{kind}:{obj.pk}"

    @property
    def readable_by_all(self):
        """May the read-only role download it? Only a bilan of 10 people or more, and archived with its
        count of people (older ones predate the masking of sensitive figures): reporting/masking.py."""
        from reporting.masking import SMALL_SCOPE

        return self.people is not None and self.people >= SMALL_SCOPE

    @property
    def content_type(self):
        from reporting.bilan import FORMATS

        return FORMATS[self.format][0]

    @classmethod
    def archive(cls, *, kind, obj, scope_name, start, end, fmt, data, filename, user=None, **extra):
        """Store a generated file as the next version of its (scope, period, format)."""
        key = cls.key_for(kind, obj)
        for _attempt in range(3):  # two people generating the same bilan at the same moment
            try:
                with transaction.atomic():
                    last = cls.objects.filter(
                        scope_key=key, period_start=start, period_end=end, format=fmt
                    ).aggregate(v=Max("version"))["v"]
                    bilan = cls(
                        kind=kind,
                        buyer=obj if kind == cls.Kind.BUYER else None,
                        company=obj if kind == cls.Kind.COMPANY else None,
                        market=obj if kind == cls.Kind.MARKET else None,
                        scope_key=key,
                        scope_name=scope_name,
                        period_start=start,
                        period_end=end,
                        format=fmt,
                        version=(last or 0) + 1,
                        size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        created_by=user,
                        **extra,
                    )
                    bilan.filename = filename(bilan.version) if callable(filename) else filename
                    bilan.file.save(bilan.filename, ContentFile(data), save=False)
                    bilan.save()
                    return bilan
            except IntegrityError:
                continue
        raise IntegrityError("Impossible de numéroter la version de ce bilan.")
