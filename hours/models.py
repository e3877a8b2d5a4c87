"""Assignments (a person working on a lot), their monthly hours, and SIAE purchases counted as hours."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses_site import roles
from clauses_site.months import first_of_month, last_of_month
from companies.models import Company
from hours.models_summary import LotMonthHours  # noqa: F401 (a model of the app: Django finds it here)
from markets.models import Lot
from participants.models import Participant

MAX_MONTH_HOURS = Decimal(744)  # 31 days × 24 h
HOURS_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_MONTH_HOURS)]
HOURS = models.DecimalField(max_digits=14, decimal_places=2)  # the type of hour expressions and sums


class Modality(models.TextChoices):
    """How the company fulfils the clause; the labels are those of the tracking spreadsheet."""

    DIRECT_HIRE = "embauche", "Embauche directe"
    ETTI = "etti", "Mise à disposition ETTI"
    AI = "ai", "Mise à disposition AI"
    GEIQ = "geiq", "Mise à disposition GEIQ"
    ETT = "ett", "Mise à disposition ETT"
    SIAE_SUBCONTRACT = "soustraitance", "Sous-traitance SIAE"
    SIAE_COCONTRACT = "cotraitance", "Co-traitance SIAE"
    TRAINING = "formation", "Formation"


class ContractType(models.TextChoices):
    CDI = "CDI", "CDI"
    CDD = "CDD", "CDD"
    CDDI = "CDDI", "CDDI"
    TEMP = "interim", "Intérim"
    APPRENTICESHIP = "apprentissage", "Apprentissage"
    PROFESSIONALISATION = "professionnalisation", "Contrat de professionnalisation"
    OTHER = "autre", "Autre"


def active_in_month(month, prefix=""):
    """Q: the assignment (reached through `prefix`, e.g. "assignments__") is active in the month: its
    contract covers at least one day of it. Same rule as Assignment.is_active_in; for filters inside an
    aggregate or on another model (Assignment.objects.active_in(month) otherwise)."""
    month = first_of_month(month)
    return Q(**{f"{prefix}starts_on__lte": last_of_month(month)}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": month})
    )


class AssignmentQuerySet(models.QuerySet):
    def active_in(self, month):
        """The assignments whose contract covers at least one day of the month."""
        return self.filter(active_in_month(month))

    def visible_to(self, user):
        """The assignments `user` may see, with what their pages show (person, lot, market, buyer, company
        credited, employer): they name people, so all of them for the team, none for the read-only role
        (whose screens answer 403 before asking)."""
        if not roles.sees_people(user):
            return self.none()
        return self.select_related("participant", "lot__market__buyer", "company", "employer")


#: What describes an assignment, in the order its forms, the admin and its history show it (+ "notes").
ASSIGNMENT_FIELDS = (
    "participant",
    "lot",
    "company",
    "employer",
    "modality",
    "contract_type",
    "job",
    "starts_on",
    "ends_on",
)

SAME_ASSIGNMENT = "Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début)."


class Assignment(models.Model):
    """One person working on one lot for one employer under one contract (« mise à l'emploi »)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="assignments", verbose_name="participant"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="assignments", verbose_name="lot")
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="credited_assignments",
        verbose_name="entreprise créditée",
        help_text="Titulaire du lot ou son sous-traitant.",
    )
    employer = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="employed_assignments",
        verbose_name="employeur",
        blank=True,  # empty in a form: the company credited (filled by clean() and save())
        help_text="La structure qui emploie la personne (ETTI, AI, GEIQ…) ; vide : l'entreprise créditée.",
    )
    modality = models.CharField("modalité", max_length=20, choices=Modality, default=Modality.DIRECT_HIRE)
    contract_type = models.CharField("type de contrat", max_length=30, choices=ContractType)
    job = models.CharField("poste", max_length=150, blank=True)
    starts_on = models.DateField("début du contrat")
    ends_on = models.DateField("fin du contrat", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = "mise à l'emploi"
        verbose_name_plural = "mises à l'emploi"
        # By start then primary key: the assignments list's order (one index scan, not a sort of them all).
        indexes = [models.Index(fields=["starts_on", "id"], name="hours_assignment_start_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "lot", "employer", "contract_type", "starts_on"],
                name="assignment_identity_unique",
                violation_error_message=SAME_ASSIGNMENT,
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
                violation_error_message="La fin du contrat ne peut pas précéder son début.",
            ),
        ]

    def __str__(self):
        contract = self.get_contract_type_display()
        return f"{self.participant} — {self.lot} — {contract} du {self.starts_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("hours:assignment_detail", args=[self.pk])

    @property
    def employer_differs(self):
        return self.employer_id != self.company_id

    def is_active_in(self, month):
        month = first_of_month(month)
        return first_of_month(self.starts_on) <= month and (self.ends_on is None or month <= self.ends_on)

    def clean(self):
        # The employer defaults to the company credited (before the constraints are validated).
        if self.company_id and not self.employer_id:
            self.employer_id = self.company_id
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin du contrat ne peut pas précéder son début."})
        if self._state.adding and self.participant_id and self.participant.is_anonymised:
            # An anonymised record is frozen: a new contract would change the figures it keeps.
            raise ValidationError(
                {"participant": "Cette personne a été anonymisée : on ne lui ajoute plus de mise à l'emploi."}
            )

    def save(self, *args, **kwargs):
        if self.company_id and not self.employer_id:
            self.employer_id = self.company_id
        super().save(*args, **kwargs)


class ImportBatch(models.Model):
    """One upload of a tracking spreadsheet (« tableau de suivi »): who sent it, when, what it did.
    The workbook is kept until it is imported (the preview is confirmed) or discarded."""

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente de confirmation"
        IMPORTED = "importe", "Importé"
        REFUSED = "refuse", "Refusé"
        CANCELLED = "annule", "Annulé"

    file_name = models.CharField("fichier", max_length=255)
    file = models.FileField("classeur", upload_to="imports/%Y/%m/", blank=True, max_length=255)
    file_size = models.PositiveBigIntegerField("taille (octets)", default=0)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True, db_index=True)
    status = models.CharField("statut", max_length=12, choices=Status, default=Status.PENDING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name="importé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    imported_at = models.DateTimeField("importé le", null=True, blank=True)
    rows_read = models.PositiveIntegerField("lignes lues", default=0)
    entries_created = models.PositiveIntegerField("heures créées", default=0)
    entries_updated = models.PositiveIntegerField("heures modifiées", default=0)
    entries_unchanged = models.PositiveIntegerField("heures inchangées", default=0)
    error_count = models.PositiveIntegerField("erreurs", default=0)
    report = models.JSONField("rapport", default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import de tableau de suivi"
        verbose_name_plural = "imports de tableaux de suivi"

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("hours:import_detail", args=[self.pk])


ENTRY_EXISTS = "Des heures sont déjà saisies pour ce mois et cette mise à l'emploi."
MONTH_FIRST_DAY = "Un mois s'enregistre à son premier jour."
VALIDATED_WITHOUT_DATE = "Des heures validées doivent porter la date de leur validation."


class HoursEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The entries `user` may see, with what their pages show: they name people, so all of them for the
        team, none for the read-only role (whose screens answer 403 before asking)."""
        if not roles.sees_people(user):
            return self.none()
        return self.select_related(
            "assignment__participant",
            "assignment__lot__market__buyer",
            "assignment__company",
            "assignment__employer",
            "validated_by",
            "entered_by",
        )

    def validated(self):
        return self.filter(status=HoursEntry.Status.VALIDATED)

    def drafts(self):
        """The team's drafts only (not the companies' declarations)."""
        return self.filter(status=HoursEntry.Status.DRAFT)

    def declared(self):
        """Declared by a company in its space (issue 16), not yet validated: counted nowhere."""
        return self.filter(status=HoursEntry.Status.DECLARED)

    def pending(self):
        """Entered but not validated yet: the team's drafts and the companies' declarations (named, not
        « all but validated »: two ranges of the status × month index, not a scan of the month's entries)."""
        return self.filter(status__in=[HoursEntry.Status.DRAFT, HoursEntry.Status.DECLARED])

    def in_period(self, start, end):
        """Entries whose month lies in [start, end] (any days: compared month to month)."""
        return self.filter(month__gte=first_of_month(start), month__lte=end)

    def until(self, end):
        return self.filter(month__lte=end)


class HoursEntry(models.Model):
    """The hours one assignment worked (and trained) in one month."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        VALIDATED = "validee", "Validée"
        DECLARED = "declaree", "Déclarée"  # by the company, in its space: counted nowhere until validated

    class Source(models.TextChoices):
        MANUAL = "saisie", "Saisie"
        IMPORT = "import", "Import"
        DECLARATION = "declaration", "Déclaration de l'entreprise"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="entries", verbose_name="mise à l'emploi"
    )
    month = models.DateField("mois", help_text="Premier jour du mois.")
    hours = models.DecimalField("heures travaillées", max_digits=5, decimal_places=2, validators=HOURS_RANGE)
    training_hours = models.DecimalField(
        "heures de formation", max_digits=5, decimal_places=2, default=Decimal(0), validators=HOURS_RANGE
    )
    status = models.CharField("statut", max_length=10, choices=Status, default=Status.DRAFT)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="validated_entries",
        verbose_name="validée par",
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    source = models.CharField("origine", max_length=15, choices=Source, default=Source.MANUAL)
    source_file = models.CharField("fichier importé", max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_entries",
        verbose_name="saisie par",
    )
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name="import",
        help_text="Le dernier import qui a écrit ces heures.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    history = HistoricalRecords()

    objects = HoursEntryQuerySet.as_manager()

    class Meta:
        ordering = ["month", "assignment"]
        verbose_name = "heures du mois"
        verbose_name_plural = "heures"
        # Entries by status and month (the validated ones of a period: every figure); by assignment and
        # month: the unique constraint hours_one_entry_per_month is that index. By month then primary key:
        # the entries list's order (the newest months first, one index scan).
        indexes = [
            models.Index(fields=["status", "month"], name="hours_entry_status_month"),
            models.Index(fields=["month", "id"], name="hours_entry_month_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "month"],
                name="hours_one_entry_per_month",
                violation_error_message=ENTRY_EXISTS,
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=MAX_MONTH_HOURS),
                name="hours_in_range",
                violation_error_message="Entre 0 et 744 heures travaillées dans un mois.",
            ),
            models.CheckConstraint(
                condition=Q(training_hours__gte=0, training_hours__lte=MAX_MONTH_HOURS),
                name="training_hours_in_range",
                violation_error_message="Entre 0 et 744 heures de formation dans un mois.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="hours_month_is_first_day",
                violation_error_message=MONTH_FIRST_DAY,
            ),
            models.CheckConstraint(
                condition=~Q(status="validee") | Q(validated_at__isnull=False),
                name="hours_validated_has_date",
                violation_error_message=VALIDATED_WITHOUT_DATE,
            ),
        ]

    def __str__(self):
        return f"{self.assignment} — {self.month:%m/%Y} : {self.hours} h"

    def get_absolute_url(self):
        return reverse("hours:entry_detail", args=[self.pk])

    @property
    def is_validated(self):
        return self.status == self.Status.VALIDATED

    def clean(self):
        if self.month:
            self.month = first_of_month(self.month)
        errors = {}
        if self.assignment_id and self.month and not self.assignment.is_active_in(self.month):
            a = self.assignment
            end = f" au {a.ends_on:%d/%m/%Y}" if a.ends_on else ""
            errors["month"] = f"Ce mois est hors du contrat (du {a.starts_on:%d/%m/%Y}{end})."
        if (
            self.assignment_id
            and self.month
            and HoursEntry.objects.exclude(pk=self.pk)
            .filter(assignment_id=self.assignment_id, month=self.month)
            .exists()
        ):
            errors["month"] = ENTRY_EXISTS
        if self.status == self.Status.VALIDATED and not self.validated_at:
            errors["status"] = VALIDATED_WITHOUT_DATE
        if errors:
            raise ValidationError(errors)

    def validate(self, user):
        self.status = self.Status.VALIDATED
        self.validated_by = user
        self.validated_at = timezone.now()

    def reopen(self):
        self.status = self.Status.DRAFT
        self.validated_by = None
        self.validated_at = None

    def save(self, *args, **kwargs):
        if self.month:
            self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


#: The structures whose purchases convert into hours: the SIAE that produce (EI, ACI, ETTI, AI, EITI)
#: and the disability structures (EA, ESAT). Not a GEIQ: it lends people, it does not sell work.
SIAE_PURCHASE_KINDS = (*Company.Kind.siae_kinds(), Company.Kind.EA, Company.Kind.ESAT)


def _scaled(path, factor):
    """A decimal column as an exact integer: value × factor (factor = 10 ** its decimal places)."""
    return Cast(Round(F(path) * Value(factor)), output_field=BigIntegerField())


def siae_hour_equivalent(prefix=""):
    """Expression: the hours an SIAE purchase (reached through `prefix`) counts for, with its clause's
    conversion as it is now — amount_invoiced × siae_labour_share ÷ siae_hourly_cost, rounded half up
    to 2 places, as Clause.siae_hour_equivalent; 0 when the clause sets no conversion.
    Computed in integers (cents × ten-thousandths ÷ cents), so that SQLite rounds as PostgreSQL does;
    amounts are never negative (a constraint), so integer division floors."""
    amount = _scaled(f"{prefix}amount_invoiced", 100)  # cents
    share = _scaled(f"{prefix}lot__clause__siae_labour_share", 10_000)  # ten-thousandths
    cost = _scaled(f"{prefix}lot__clause__siae_hourly_cost", 100)  # cents
    # hundredths of an hour = amount × share ÷ (cost × 100); + half the divisor to round half up
    hundredths = ExpressionWrapper(
        (Value(2) * amount * share + Value(100) * cost) / (Value(200) * cost),
        output_field=BigIntegerField(),
    )
    hours = ExpressionWrapper(hundredths * Value(Decimal("0.01")), output_field=HOURS)
    return Coalesce(hours, Value(Decimal(0)), output_field=HOURS)


class SiaePurchaseQuerySet(models.QuerySet):
    def with_hour_equivalent(self):
        """Annotated with hour_equivalent, from the clause's conversion as it is now."""
        return self.annotate(hour_equivalent=siae_hour_equivalent())


class SiaePurchaseManager(models.Manager.from_queryset(SiaePurchaseQuerySet)):
    def get_queryset(self):
        # Every query sees hour_equivalent, so that Sum("hour_equivalent") and filters on it work.
        return super().get_queryset().with_hour_equivalent()


class SiaePurchase(models.Model):
    """An SIAE (or EA/ESAT) that invoices work on a lot instead of reporting hours: counted as hours
    with the clause's conversion (amount invoiced × labour share ÷ hourly cost). The hour equivalent is
    not stored: it is computed when read (siae_hour_equivalent), so that it follows the
    clause when its conversion changes."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="siae_purchases", verbose_name="lot")
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="siae_purchases", verbose_name="structure"
    )
    month = models.DateField("mois")
    amount_invoiced = models.DecimalField(
        "montant facturé HT (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    validated = models.BooleanField("validé", default=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="validé par"
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiaePurchaseManager()

    class Meta:
        ordering = ["month"]
        verbose_name = "achat à une SIAE"
        verbose_name_plural = "achats aux SIAE"
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "company", "month"],
                name="siae_purchase_one_per_month",
                violation_error_message="Un achat à cette structure est déjà saisi pour ce lot et ce mois.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="siae_purchase_month_is_first_day",
                violation_error_message=MONTH_FIRST_DAY,
            ),
            models.CheckConstraint(
                condition=Q(amount_invoiced__gte=0),
                name="siae_purchase_amount_not_negative",
                violation_error_message="Le montant facturé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(validated=False) | Q(validated_at__isnull=False),
                name="siae_purchase_validated_has_date",
                violation_error_message="Un achat validé doit porter la date de sa validation.",
            ),
        ]

    def __str__(self):
        return f"{self.company} — {self.lot} — {self.month:%m/%Y}"

    @property
    def hour_equivalent(self):
        """The hours this purchase counts for: as annotated by the query that fetched it, else from the
        clause of its lot (0 without a conversion)."""
        if self._hour_equivalent is None:
            clause = getattr(self.lot, "clause", None) if self.lot_id else None
            equivalent = clause.siae_hour_equivalent(self.amount_invoiced or 0) if clause else None
            return equivalent or Decimal("0.00")
        return self._hour_equivalent

    @hour_equivalent.setter
    def hour_equivalent(self, value):  # set by the annotation
        self._hour_equivalent = value

    _hour_equivalent = None

    def refresh_from_db(self, *args, **kwargs):
        self._hour_equivalent = None
        super().refresh_from_db(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.company_id and self.company.kind == Company.Kind.GEIQ:
            errors["company"] = (
                "Un GEIQ met des personnes à disposition : saisissez leurs heures (mise à l'emploi), "
                "pas un achat."
            )
        elif self.company_id and self.company.kind not in SIAE_PURCHASE_KINDS:
            errors["company"] = "Seuls les achats à une SIAE, une EA ou un ESAT se convertissent en heures."
        clause = getattr(self.lot, "clause", None) if self.lot_id else None
        if self.lot_id and (clause is None or clause.siae_hour_equivalent(1) is None):
            errors["lot"] = "La clause de ce lot ne fixe pas la conversion des achats SIAE en heures."
        if self.validated and not self.validated_at:
            errors["validated"] = "Un achat validé doit porter la date de sa validation."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.month = first_of_month(self.month)
        self._hour_equivalent = None
        super().save(*args, **kwargs)
