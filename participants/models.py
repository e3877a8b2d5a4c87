"""People in an insertion path, their eligibility criteria, and what became of them (outcomes)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses_site import vocabulary
from clauses_site.formatting import person_name
from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.text import match_key, normalize


class Criterion(models.Model):
    """An eligibility criterion (DELD, RSA, RQTH…); the list is created by a data migration."""

    code = models.CharField("code", max_length=20, unique=True)
    label = models.CharField("libellé", max_length=150)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "critère d'éligibilité"
        verbose_name_plural = "critères d'éligibilité"

    def __str__(self):
        return self.code


CRITERIA = vocabulary.CRITERIA


def identity_key(last_name, first_name, birth_date):
    """Same person = same surname, first name (ignoring case, accents, spaces, hyphens) and birth date."""
    return f"{match_key(last_name)}|{match_key(first_name)}|{birth_date.isoformat() if birth_date else ''}"


IDENTITY_TAKEN = "Cette personne existe déjà (même nom, prénom et date de naissance)."
ANONYMISED_FROZEN = (
    "Cette personne a été anonymisée le {:%d/%m/%Y} : sa fiche ne peut plus être modifiée "
    "(elle ne sert plus qu'aux chiffres des bilans)."
)
ANONYMISATION_REASONS = [
    ("demande", "à la demande de la personne (droit à l'effacement)"),
    ("conservation", "fin de la durée de conservation"),
]


#: What describes a person's situation, in the order the screens show it (form, list).
SITUATION_FIELDS = ("birth_date", "sex", "commune", "qpv", "level", "criteria", "prescriber")


class Participant(KeyedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", "Femme"
        MALE = "H", "Homme"

    class Level(models.TextChoices):
        INFRA_3 = "infra 3", "Infra 3 (sans diplôme)"
        LEVEL_3 = "3", "Niveau 3 (CAP, BEP)"
        LEVEL_4 = "4", "Niveau 4 (bac)"
        LEVEL_5_PLUS = "5+", "Niveau 5 et plus"

    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex)
    commune = models.CharField("commune de résidence", max_length=100, blank=True)
    qpv = models.BooleanField("habitant d'un QPV", null=True, blank=True, help_text="Vide : inconnu.")
    level = models.CharField("niveau de qualification", max_length=10, choices=Level, blank=True)
    criteria = models.ManyToManyField(Criterion, verbose_name="critères d'éligibilité", blank=True)
    prescriber = models.CharField("prescripteur", max_length=100, blank=True)
    referent = models.CharField("référent de parcours", max_length=150, blank=True)
    entered_on = models.DateField("entrée dans le parcours", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    # Anonymisation (participants/privacy.py): identity replaced, figures kept; the record is then frozen.
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True, editable=False)
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="anonymisé par",
    )
    anonymised_reason = models.CharField(
        "motif de l'anonymisation", max_length=12, choices=ANONYMISATION_REASONS, blank=True, editable=False
    )
    identity_key = models.CharField(
        max_length=250, unique=True, editable=False, error_messages={"unique": IDENTITY_TAKEN}
    )
    search_text = models.CharField(max_length=250, editable=False, default="")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    history = HistoricalRecords(m2m_fields=[criteria])

    objects = SearchableQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "participant"
        verbose_name_plural = "participants"

    def __str__(self):
        return f"{self.last_name.upper()} {self.first_name}"

    def get_absolute_url(self):
        return reverse("participants:participant_detail", args=[self.pk])

    def compute_keys(self):
        self.identity_key = identity_key(self.last_name, self.first_name, self.birth_date)
        self.search_text = normalize(f"{self.last_name} {self.first_name} {self.first_name} {self.last_name}")

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def clean(self):
        if self.anonymised_at:
            raise ValidationError(ANONYMISED_FROZEN.format(timezone.localtime(self.anonymised_at)))
        if self.last_name and self.first_name and self.birth_date:
            self.compute_keys()
            if Participant.objects.exclude(pk=self.pk).filter(identity_key=self.identity_key).exists():
                raise ValidationError(IDENTITY_TAKEN, code="identity_taken")

    def validate_unique(self, exclude=None):
        # identity_key is checked by clean() with a message naming what makes a person.
        super().validate_unique(exclude={*(exclude or ()), "identity_key"})


class Outcome(models.Model):
    """What became of a person: recorded at the end of an assignment and again six months later."""

    class Timing(models.TextChoices):
        END = "fin", "En fin de contrat"
        SIX_MONTHS = "6mois", "À 6 mois"

    class Kind(models.TextChoices):
        CDI = "cdi", "CDI"
        CDD_6_PLUS = "cdd6", "CDD de 6 mois ou plus"
        TEMP_6_PLUS = "interim6", "Intérim de 6 mois ou plus"
        TRAINING = "formation", "Formation qualifiante"
        BUSINESS = "creation", "Création d'entreprise"
        CDD_SHORT = "cdd", "CDD de moins de 6 mois"
        TEMP_SHORT = "interim", "Intérim de moins de 6 mois"
        SUBSIDISED = "aide", "Contrat aidé"
        IAE = "iae", "Parcours IAE"
        JOB_SEARCH = "recherche", "Recherche d'emploi"
        ABANDON = "abandon", "Abandon"
        MOVED = "demenagement", "Déménagement"
        HEALTH = "sante", "Santé"
        UNKNOWN = "inconnu", "Inconnue"

        @classmethod
        def positive(cls):
            """The PLIE's positive outcomes ("sorties positives")."""
            return [cls.CDI, cls.CDD_6_PLUS, cls.TEMP_6_PLUS, cls.TRAINING, cls.BUSINESS]

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="outcomes", verbose_name="participant"
    )
    timing = models.CharField("moment", max_length=10, choices=Timing)
    date = models.DateField("date")
    kind = models.CharField("sortie", max_length=20, choices=Kind)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = "sortie"
        verbose_name_plural = "sorties"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_timing_display().lower()}, {self.date:%d/%m/%Y})"

    def get_absolute_url(self):
        """An outcome has no page of its own: it is shown on the person's."""
        return reverse("participants:participant_detail", args=[self.participant_id])

    @property
    def is_positive(self):
        return self.kind in self.Kind.positive()

    @staticmethod
    def positive_q(prefix=""):
        return Q(**{f"{prefix}kind__in": Outcome.Kind.positive()})


class AccessLog(models.Model):
    """Who read a participant's personal data, when, and how (page, export, anonymisation). Never the
    person's identity: the row points at the record (anonymised records show their stand-in name).
    Kept one year (manage.py apply_retention)."""

    class Action(models.TextChoices):
        PAGE = "page", "Consultation de la fiche"
        EXPORT_PDF = "export_pdf", "Export des données (PDF)"
        EXPORT_XLSX = "export_xlsx", "Export des données (xlsx)"
        ANONYMISATION = "anonymisation", "Anonymisation"

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utilisateur",
    )
    user_label = models.CharField("utilisateur (au moment de l'accès)", max_length=150, blank=True)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name="participant",
    )
    action = models.CharField("accès", max_length=15, choices=Action)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "accès aux données personnelles"
        verbose_name_plural = "journal des accès aux données personnelles"
        indexes = [models.Index(fields=["participant", "-at"], name="accesslog_person_at")]

    def __str__(self):
        return f"{self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"

    @classmethod
    def record(cls, user, participant, action):
        """One row: the user (None for the daily retention run) reading `participant` through `action`."""
        if user is None or not user.is_authenticated:
            user = None
        label = person_name(user)
        return cls.objects.create(user=user, user_label=label, participant=participant, action=action)
