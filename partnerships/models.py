"""Partnerships and anticipation: companies' recruitment needs and the people proposed for them,
short trainings and their trainees, and the journal of meetings and actions with partners.

Six-month follow-ups are not stored here: they are computed from assignments and outcomes
(partnerships/followups.py).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from clauses_site.formatting import person_name
from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.text import normalize
from companies.models import Company
from hours.models import Assignment
from markets.models import Buyer, Lot, Market, fr_number
from participants.models import Participant

ROME_INVALID = "Code ROME : une lettre suivie de quatre chiffres (ex. F1703)."
ENDS_BEFORE_START = "La fin ne peut pas précéder le début."


class RomeCodeField(models.CharField):
    """A ROME code (« F1703 »): typed in any case, with spaces, stored upper case."""

    default_validators = [RegexValidator(r"^[A-Z][0-9]{4}$", ROME_INVALID, code="invalid_rome")]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 5)
        super().__init__(*args, **kwargs)
        # The pattern checks the length, with one message for every mistake.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"\s", "", value).upper() if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": 10, **kwargs})


# --- recruitment needs -----------------------------------------------------------------------------------


class RecruitmentNeedQuerySet(SearchableQuerySet):
    # Every word typed appears in the job, the ROME code, the company or the market (accents ignored).
    search_fields = ("search_text", "company__search_text", "lot__market__search_text")

    def open(self):
        """Needs still to fill: identified or with candidates proposed."""
        return self.filter(status__in=RecruitmentNeed.Status.open())

    def with_counts(self):
        """Annotated with proposals (all) and retained (proposals turned into assignments)."""
        return self.annotate(
            proposal_count=Count("proposals", distinct=True),
            retained_count=Count(
                "proposals", filter=Q(proposals__state=Proposal.State.RETAINED), distinct=True
            ),
        )


class RecruitmentNeed(KeyedModel):
    """A company's recruitment need on a lot (« besoin »), collected early, often at a site launch
    meeting: the job, how many people, when, what they must know."""

    class Status(models.TextChoices):
        IDENTIFIED = "identifie", "Identifié"
        PROPOSED = "proposes", "Candidats proposés"
        FILLED = "pourvu", "Pourvu"
        CANCELLED = "annule", "Annulé"

        @classmethod
        def open(cls):
            return [cls.IDENTIFIED, cls.PROPOSED]

    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="recruitment_needs", verbose_name="lot"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="recruitment_needs", verbose_name="entreprise"
    )
    meeting = models.ForeignKey(
        "JournalEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name="recueilli lors de",
    )
    job = models.CharField("poste", max_length=150, help_text="Tel que l'entreprise le décrit : maçon VRD…")
    rome_code = RomeCodeField(
        "code ROME",
        blank=True,
        help_text="Facultatif : une lettre et quatre chiffres (ex. F1703 maçonnerie).",
    )
    positions = models.PositiveSmallIntegerField(
        "nombre de postes",
        default=1,
        validators=[MinValueValidator(1, "Au moins un poste."), MaxValueValidator(999)],
    )
    expected_start = models.DateField("début prévu", null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        "durée (mois)", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    duration_note = models.CharField(
        "durée (précisions)", max_length=150, blank=True, help_text="Ex. : toute la durée du gros œuvre."
    )
    skills = models.TextField("compétences, permis et habilitations requis", blank=True)
    training_needed = models.TextField("formation à prévoir", blank=True)
    status = models.CharField("statut", max_length=12, choices=Status, default=Status.IDENTIFIED)
    notes = models.TextField("notes", blank=True)
    search_text = models.CharField(max_length=200, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = RecruitmentNeedQuerySet.as_manager()

    class Meta:
        ordering = [models.F("expected_start").asc(nulls_last=True), "pk"]
        verbose_name = "besoin de recrutement"
        verbose_name_plural = "besoins de recrutement"
        constraints = [
            models.CheckConstraint(condition=Q(positions__gte=1), name="need_at_least_one_position"),
        ]

    def __str__(self):
        return f"{self.job} ({self.positions}) — {self.company}"

    def get_absolute_url(self):
        return reverse("partnerships:need_detail", args=[self.pk])

    @property
    def duration_label(self):
        parts = []
        if self.duration_months:
            parts.append(f"{self.duration_months} mois")
        if self.duration_note:
            parts.append(self.duration_note)
        return " — ".join(parts)

    @property
    def is_open(self):
        return self.status in self.Status.open()

    def compute_keys(self):
        self.search_text = normalize(f"{self.job} {self.rome_code}")[:200]


class Proposal(models.Model):
    """A participant proposed for a need, with the facilitator's comment."""

    class State(models.TextChoices):
        PROPOSED = "propose", "Proposé"
        RETAINED = "retenu", "Retenu"
        REFUSED = "refuse", "Refusé"

    need = models.ForeignKey(
        RecruitmentNeed, on_delete=models.CASCADE, related_name="proposals", verbose_name="besoin"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="proposals", verbose_name="participant"
    )
    comment = models.TextField("commentaire de la facilitatrice", blank=True)
    state = models.CharField("état", max_length=10, choices=State, default=State.PROPOSED)
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="mise à l'emploi",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="proposé par",
    )
    proposed_at = models.DateTimeField("proposé le", default=timezone.now)

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = "proposition de candidat"
        verbose_name_plural = "propositions de candidats"
        constraints = [
            models.UniqueConstraint(
                fields=["need", "participant"],
                name="proposal_once_per_need",
                violation_error_message="Cette personne est déjà proposée pour ce besoin.",
            )
        ]

    def __str__(self):
        return f"{self.participant} — {self.need.job}"

    def get_absolute_url(self):
        """A proposal has no page of its own: it is shown on its need's."""
        return reverse("partnerships:need_detail", args=[self.need_id])


# --- trainings -------------------------------------------------------------------------------------------


class TrainingQuerySet(SearchableQuerySet):
    def with_counts(self):
        return self.annotate(
            trainee_count=Count("trainees", distinct=True),
            hired_count=Count(
                "trainees", filter=Q(trainees__outcome=Trainee.Outcome.HIRED_CLAUSE), distinct=True
            ),
        )


class Training(KeyedModel):
    """A short training action preparing people for the jobs of a site (« formation »), often financed
    with a temp agency.

    How it reaches a lot's hours: a training may name the lot (and the company credited) it prepares
    for. Its trainees' hours are then recorded, on request, as training hours (HoursEntry.training_hours,
    drafts to validate) of an assignment of modality « Formation » on that lot (see
    partnerships/trainings.py); hours/queries.py counts them where the lot's clause counts training.
    """

    title = models.CharField("intitulé", max_length=200)
    body = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings_given",
        verbose_name="organisme de formation",
    )
    body_name = models.CharField(
        "organisme (s'il n'est pas dans le carnet d'adresses)", max_length=200, blank=True
    )
    funder = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings_funded",
        verbose_name="financeur",
        help_text="Souvent une agence d'intérim (ETT, ETTI) ou un GEIQ.",
    )
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)
    hours = models.DecimalField(
        "durée (heures par stagiaire)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(2000))],
    )
    places = models.PositiveSmallIntegerField(
        "places", null=True, blank=True, validators=[MinValueValidator(1, "Au moins une place.")]
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name="lot préparé",
        help_text="Facultatif : le lot dont la clause peut compter ces heures de formation.",
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings_credited",
        verbose_name="entreprise créditée",
        help_text="L'entreprise du lot à qui les heures de formation sont créditées.",
    )
    notes = models.TextField("notes", blank=True)
    search_text = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = "formation"
        verbose_name_plural = "formations"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_start",
                violation_error_message=ENDS_BEFORE_START,
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="training_hours_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_on:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("partnerships:training_detail", args=[self.pk])

    @property
    def body_label(self):
        return self.body.name if self.body_id else self.body_name

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ENDS_BEFORE_START
        if self.lot_id and not self.company_id:
            errors["company"] = "Indiquez l'entreprise du lot à qui créditer les heures de formation."
        if self.company_id and not self.lot_id:
            errors["lot"] = "Indiquez le lot sur lequel l'entreprise est créditée."
        if self.body_id and self.body_name:
            errors["body_name"] = "Choisissez l'organisme dans la liste ou tapez son nom, pas les deux."
        if errors:
            raise ValidationError(errors)

    def compute_keys(self):
        self.search_text = normalize(f"{self.title} {self.body_name}")[:400]


class Trainee(models.Model):
    """A participant on a training, and what became of them."""

    class Outcome(models.TextChoices):
        PENDING = "a_renseigner", "À renseigner"
        HIRED_CLAUSE = "embauche_clause", "Embauché(e) sur une clause"
        HIRED_OTHER = "embauche_autre", "Embauché(e) hors clause"
        NOT_HIRED = "sans_embauche", "Pas d'embauche"
        DROPPED = "abandon", "Abandon en cours de formation"

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="trainees", verbose_name="formation"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="trainings", verbose_name="participant"
    )
    hours_attended = models.DecimalField(
        "heures suivies",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Vide : toute la formation.",
    )
    outcome = models.CharField("suite donnée", max_length=20, choices=Outcome, default=Outcome.PENDING)
    hired_assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="embauche sur une clause",
        help_text="La mise à l'emploi qui a suivi, si elle est connue.",
    )
    hours_assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="heures de formation reportées sur",
    )
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant__last_name", "participant__first_name", "pk"]
        verbose_name = "stagiaire"
        verbose_name_plural = "stagiaires"
        constraints = [
            models.UniqueConstraint(
                fields=["training", "participant"],
                name="trainee_once_per_training",
                violation_error_message="Cette personne est déjà inscrite à cette formation.",
            )
        ]

    def __str__(self):
        return f"{self.participant} — {self.training.title}"

    def get_absolute_url(self):
        """A trainee has no page of its own: it is shown on its training's."""
        return reverse("partnerships:training_detail", args=[self.training_id])

    @property
    def hours(self):
        """Hours of training this person followed."""
        return self.hours_attended if self.hours_attended is not None else self.training.hours

    def clean(self):
        errors = {}
        if (
            self.hired_assignment_id
            and self.participant_id
            and self.hired_assignment.participant_id != self.participant_id
        ):
            errors["hired_assignment"] = "Cette mise à l'emploi est celle d'une autre personne."
        if self.hired_assignment_id and self.outcome != self.Outcome.HIRED_CLAUSE:
            errors["outcome"] = (
                "Une embauche sur une clause est indiquée : choisissez « Embauché(e) sur une clause »."
            )
        if self.hours_attended is not None and self.training_id and self.hours_attended > self.training.hours:
            errors["hours_attended"] = (
                f"Plus que la durée de la formation ({fr_number(self.training.hours)} h)."
            )
        if errors:
            raise ValidationError(errors)


# --- the journal -----------------------------------------------------------------------------------------


class JournalEntryQuerySet(SearchableQuerySet):
    def follow_ups_due(self, on):
        """Entries whose follow-up date has come (on or before `on`) and is not done: « À relancer »."""
        return self.filter(follow_up_on__lte=on, follow_up_done=False)

    def concerning(self, obj):
        """Entries about a buyer (directly or through one of its markets), a market or a company."""
        if isinstance(obj, Buyer):
            ids = JournalEntry.markets.through.objects.filter(market__buyer=obj).values("journalentry_id")
            return self.filter(Q(buyers=obj) | Q(pk__in=ids)).distinct()
        if isinstance(obj, Market):
            return self.filter(markets=obj)
        if isinstance(obj, Company):
            return self.filter(companies=obj)
        raise TypeError(f"No journal for {type(obj).__name__}")


class JournalEntry(KeyedModel):
    """A meeting or an action with buyers, companies and partners (« Journal d'activité »)."""

    class Kind(models.TextChoices):
        BUYER_AWARENESS = "sensibilisation", "Sensibilisation d'un maître d'ouvrage"
        SITE_LAUNCH = "lancement", "Réunion de lancement de chantier"
        ESS_CLUB = "club_ess", "Club ESS"
        STEERING = "comite", "Comité de suivi"
        SITE_VISIT = "visite", "Visite de chantier"
        CALL = "appel", "Appel"
        OTHER = "autre", "Autre"

    kind = models.CharField("type", max_length=20, choices=Kind)
    date = models.DateField("date", default=timezone.localdate)
    subject = models.CharField("objet", max_length=200)
    people_met = models.TextField("personnes rencontrées", blank=True)
    buyers = models.ManyToManyField(
        Buyer, blank=True, related_name="journal_entries", verbose_name="donneurs d'ordre"
    )
    companies = models.ManyToManyField(
        Company, blank=True, related_name="journal_entries", verbose_name="entreprises et structures"
    )
    markets = models.ManyToManyField(
        Market, blank=True, related_name="journal_entries", verbose_name="marchés"
    )
    notes = models.TextField("compte rendu", blank=True)
    follow_up_on = models.DateField("à relancer le", null=True, blank=True)
    follow_up_done = models.BooleanField("relance faite", default=False)
    follow_up_done_at = models.DateTimeField("relance faite le", null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="relance faite par",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name="auteur",
    )
    search_text = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal d'activité"
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_done=False) | Q(follow_up_done_at__isnull=False),
                name="journal_follow_up_done_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.subject}"

    def get_absolute_url(self):
        return reverse("partnerships:journal_detail", args=[self.pk])

    @property
    def author_label(self):
        return person_name(self.author)

    def clean(self):
        if self.follow_up_on and self.date and self.follow_up_on < self.date:
            raise ValidationError({"follow_up_on": "La relance ne peut pas précéder la date de l'action."})

    def mark_done(self, user, done=True):
        self.follow_up_done = done
        self.follow_up_done_at = timezone.now() if done else None
        self.follow_up_done_by = user if done else None

    def compute_keys(self):
        self.search_text = normalize(f"{self.subject} {self.people_met}")[:400]
