"""Markets (contracts) of a buyer and the pipeline of their stages, from spotted to finished: each
change of stage is recorded (StageChange: who, which day) for the pipeline's conversion table, and a
move that skips stages or closes (or reopens) a market is confirmed first (StageMove)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clauses_site.records import KeyedModel, SearchableQuerySet
from clauses_site.text import normalize
from companies.models import Sector
from markets.models.buyers import Buyer, Operation

ENDS_BEFORE_START = "La fin d'exécution ne peut pas précéder le début."


def ends_after_start(name):
    """The constraint of an execution period (markets, lots): it does not end before it starts."""
    return models.CheckConstraint(
        condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
        name=name,
        violation_error_message=ENDS_BEFORE_START,
    )


def check_period(record):
    """The same rule in clean(), on the end date."""
    if record.starts_on and record.ends_on and record.ends_on < record.starts_on:
        raise ValidationError({"ends_on": ENDS_BEFORE_START})


class Stage(models.TextChoices):
    """The pipeline of a market, from spotted to finished (or dropped)."""

    SPOTTED = "repere", "Repéré"
    STUDY = "etude", "À l'étude"
    PROPOSED = "proposee", "Clause proposée"
    IN_TENDER_DOCS = "dce", "Clause intégrée au DCE"
    PUBLISHED = "publiee", "Consultation publiée"
    AWARDED = "attribue", "Attribué"
    EXECUTION = "execution", "En exécution"
    FINISHED = "termine", "Terminé"
    DROPPED = "abandonne", "Abandonné / sans clause"

    @classmethod
    def pipeline(cls):
        """The stages in order, without the dropped one."""
        return [s for s in cls if s != cls.DROPPED]


#: Stages of markets no longer followed (reporting.activity: « Marchés suivis » leaves them out).
CLOSED = (Stage.FINISHED, Stage.DROPPED)


def _names(stages):
    return ", ".join(stage.label for stage in stages)


@dataclass(frozen=True)
class StageMove:
    """A market's move from `origin` to `target`, and what it will do, in French.

    A move needs a confirmation when it skips a stage of Stage.pipeline() (forward or back), closes the
    market (to « Terminé » or « Abandonné / sans clause », even from the stage just before) or brings a
    dropped market back; the next stage and one stage back need none. The consequences named are what
    the code does: the conversion table counts a stage reached from its StageChange only (a skipped
    stage is never « atteinte »); the team's activity counts as followed the markets neither finished nor
    dropped, of which those « En exécution »; the dashboard (and the activity's lots in execution) leaves
    out the lots of dropped markets only, a finished market's lots stay while their dates run."""

    origin: Stage
    target: Stage

    @property
    def backward(self):
        order = Stage.pipeline()
        return (
            self.origin in order
            and self.target in order
            and order.index(self.target) < order.index(self.origin)
        )

    @property
    def skipped(self):
        """The stages of the pipeline between the two, in the order the move passes them."""
        order = Stage.pipeline()
        if self.origin not in order or self.target not in order:
            return []
        start, end = order.index(self.origin), order.index(self.target)
        if start <= end:
            return order[start + 1 : end]
        return order[end + 1 : start][::-1]

    @property
    def closes(self):
        return self.target in CLOSED and self.origin != self.target

    @property
    def reopens(self):
        return self.origin == Stage.DROPPED and self.target != Stage.DROPPED

    @property
    def needs_confirmation(self):
        return bool(self.skipped) or self.closes or self.reopens

    @property
    def title(self):
        if self.closes:
            return "Clore ce marché ?"
        if self.reopens:
            return "Remettre ce marché dans le pipeline ?"
        return "Sauter des étapes ?"

    @property
    def sentences(self):
        """What the move will do, sentence by sentence (empty when it needs no confirmation)."""
        if not self.needs_confirmation:
            return []
        origin, target, skipped = f"« {self.origin.label} »", f"« {self.target.label} »", self.skipped
        if skipped and self.backward:
            said = [f"Ce marché reviendra de {origin} à {target} sans repasser par : {_names(skipped)}."]
        elif skipped:
            said = [
                f"Ce marché passera de {origin} à {target} sans passer par : {_names(skipped)}.",
                "Cette étape ne sera pas comptée comme atteinte dans le tableau de conversion."
                if len(skipped) == 1
                else "Ces étapes ne seront pas comptées comme atteintes dans le tableau de conversion.",
            ]
        else:
            said = [f"Ce marché passera de {origin} à {target}."]
        if self.origin not in CLOSED and self.target in CLOSED:
            execution = " ni parmi ceux en exécution" if self.origin == Stage.EXECUTION else ""
            said.append(f"Il ne comptera plus parmi les marchés suivis{execution} (Activité de l'équipe).")
        if self.origin in CLOSED and self.target not in CLOSED:
            said.append("Il comptera de nouveau parmi les marchés suivis (Activité de l'équipe).")
        if self.target == Stage.DROPPED and self.origin != Stage.DROPPED:
            said.append(
                "Ses lots sortiront du tableau de bord (lots en exécution, lots à risque, heures restant "
                "dues) et des lots en exécution de l'Activité de l'équipe."
            )
        if self.reopens:
            said.append("Ses lots en cours d'exécution reviendront au tableau de bord.")
        if self.target == Stage.FINISHED and self.origin != Stage.DROPPED:
            said.append("Ses lots restent au tableau de bord tant que leurs dates d'exécution courent.")
        return said

    @property
    def message(self):
        return " ".join(self.sentences)


class ClauseType(models.TextChoices):
    EXECUTION = "L2112-2", "Condition d'exécution (L2112-2 ; ex-art. 14 CMP, art. 38 ordonnance 2015)"
    AWARD_CRITERION = "R2152-7", "Critère d'attribution (R2152-7 ; ex-art. 53 CMP)"
    RESERVED_DISABILITY = "L2113-12", "Marché réservé handicap — EA, ESAT (L2113-12 ; ex-art. 15 CMP)"
    RESERVED_INSERTION = "L2113-13", "Marché réservé insertion — SIAE (L2113-13 ; ex-art. 36 ordonnance 2015)"
    RESERVED_ESS = "L2113-15", "Marché réservé ESS (L2113-15)"
    INSERTION_MARKET = "R2123-1", "Marché d'insertion et de qualification (R2123-1 3° ; ex-art. 30 CMP)"


class MarketQuerySet(SearchableQuerySet):
    def in_stage(self, *stages):
        return self.filter(stage__in=stages)


class Market(KeyedModel):
    class Procedure(models.TextChoices):
        OPEN = "aoo", "Appel d'offres ouvert"
        RESTRICTED = "aor", "Appel d'offres restreint"
        ADAPTED = "mapa", "Procédure adaptée (MAPA)"
        NEGOTIATED = "negociee", "Procédure avec négociation"
        DIALOGUE = "dialogue", "Dialogue compétitif"
        OTHER = "autre", "Autre"

    buyer = models.ForeignKey(
        Buyer, on_delete=models.PROTECT, related_name="markets", verbose_name="donneur d'ordre"
    )
    operation = models.ForeignKey(
        Operation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="opération",
    )
    reference = models.CharField("référence", max_length=60)
    title = models.CharField("intitulé", max_length=250)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="secteur",
    )
    procedure = models.CharField("procédure", max_length=20, choices=Procedure, blank=True)
    estimated_amount = models.DecimalField(
        "montant estimé HT (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    estimated_hours = models.DecimalField(
        "heures d'insertion estimées",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Avant l'allotissement ; ensuite, les heures dues par les lots font foi.",
    )
    planned_clause_type = models.CharField(
        "type de clause envisagé", max_length=10, choices=ClauseType, blank=True
    )
    stage = models.CharField("étape", max_length=20, choices=Stage, default=Stage.SPOTTED)
    stage_reached_on = models.DateField("étape atteinte le", default=timezone.localdate)
    expected_publication = models.DateField("publication prévue", null=True, blank=True)
    published_on = models.DateField("publiée le", null=True, blank=True)
    awarded_on = models.DateField("attribué le", null=True, blank=True)
    starts_on = models.DateField("début d'exécution", null=True, blank=True)
    ends_on = models.DateField("fin d'exécution", null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="facilitatrice en charge",
    )
    notes = models.TextField("notes", blank=True)
    archived = models.BooleanField("archivé", default=False)
    search_text = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MarketQuerySet.as_manager()

    class Meta:
        ordering = ["buyer__name_key", "reference"]
        verbose_name = "marché"
        verbose_name_plural = "marchés"
        constraints = [
            models.UniqueConstraint(fields=["buyer", "reference"], name="market_reference_unique_per_buyer"),
            ends_after_start("market_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self):
        return reverse("markets:market_detail", args=[self.pk])

    def clean(self):
        check_period(self)
        if self.operation_id and self.buyer_id and self.operation.buyer_id != self.buyer_id:
            raise ValidationError({"operation": "Cette opération appartient à un autre donneur d'ordre."})
        if (
            self.buyer_id
            and Market.objects.exclude(pk=self.pk)
            .filter(buyer_id=self.buyer_id, reference=self.reference)
            .exists()
        ):
            raise ValidationError({"reference": "Ce donneur d'ordre a déjà un marché avec cette référence."})

    def compute_keys(self):
        """The derived columns save() fills (call it before a bulk_create)."""
        self.search_text = normalize(f"{self.reference} {self.title}")

    def stage_move(self, stage):
        """The move from the market's stage to `stage` (StageMove: does it need a confirmation, what it
        will do)."""
        return StageMove(Stage(self.stage), Stage(stage))

    def save_moving(self, stage_before, user=None, on=None):
        """Save the market as edited in a form (the screens', the admin's): when its stage differs from
        `stage_before`, the change goes through move_to(), dated `on` (else today) and recorded."""
        stage = self.stage
        if not stage_before or stage == stage_before:
            self.save()
            return
        self.stage = stage_before
        self.save()
        self.move_to(stage, user, on)

    def move_to(self, stage, user=None, on=None):
        """Change the pipeline stage and record the change, who and which day (for the conversion table
        and the market's page). The screens ask stage_move() first: a move that needs a confirmation is
        made only once confirmed."""
        on = on or timezone.localdate()
        if stage == self.stage:
            return
        self.stage = stage
        self.stage_reached_on = on
        self.save(update_fields=["stage", "stage_reached_on", "updated_at"])
        StageChange.objects.create(market=self, stage=stage, date=on, by=user)


class StageChange(models.Model):
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="stage_changes", verbose_name="marché"
    )
    stage = models.CharField("étape", max_length=20, choices=Stage)
    date = models.DateField("date")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "changement d'étape"
        verbose_name_plural = "changements d'étape"

    def __str__(self):
        return f"{self.market.reference} → {self.get_stage_display()} ({self.date:%d/%m/%Y})"
