"""Lots of a market, the insertion clause of a lot (the hours it owes: stated by the buyer, or
computed by the formula) and the companies awarded it (the lot's hours split among them)."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clauses_site.records import KeyedModel
from clauses_site.text import match_key
from companies.models import Company
from markets.models.markets import ClauseType, Market, check_period, ends_after_start

TWO_PLACES = Decimal("0.01")
FRACTION = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


def fr_number(value):
    """1234.5 -> « 1 234,50 » (French format, for messages)."""
    return f"{Decimal(value):,.2f}".replace(",", "\xa0").replace(".", ",")


def hours_from_formula(amount, labour_share, rate, hourly_cost):
    """amount excl. VAT × labour share × insertion rate ÷ loaded hourly cost, to the hundredth."""
    if None in (amount, labour_share, rate, hourly_cost) or not hourly_cost:
        return None
    return (Decimal(amount) * Decimal(labour_share) * Decimal(rate) / Decimal(hourly_cost)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )


LOT_NUMBER_TAKEN = "Ce marché a déjà un lot avec ce numéro."


class LotQuerySet(models.QuerySet):
    def with_clause(self):
        return self.filter(clause__isnull=False)

    def running_on(self, day):
        """Lots whose execution period contains the day."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def overlapping(self, start, end):
        return self.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=start)
        )


class Lot(KeyedModel):
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="lots", verbose_name="marché")
    number = models.CharField("lot", max_length=30, help_text="Numéro ou libellé : 3, Unique…")
    number_key = models.CharField(max_length=30, editable=False)
    title = models.CharField("intitulé", max_length=250, blank=True)
    amount = models.DecimalField("montant HT (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField("début d'exécution", null=True, blank=True)
    ends_on = models.DateField("fin d'exécution", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["market", "number_key"]
        verbose_name = "lot"
        verbose_name_plural = "lots"
        constraints = [
            models.UniqueConstraint(
                fields=["market", "number_key"],
                name="lot_number_unique_per_market",
                violation_error_message=LOT_NUMBER_TAKEN,
            ),
            ends_after_start("lot_ends_after_start"),
        ]

    def __str__(self):
        key = self.key_for(self.number)
        label = f"Lot {key}" if key[:1].isdigit() else self.number
        return f"{label} — {self.title}" if self.title else label

    def get_absolute_url(self):
        return reverse("markets:lot_detail", args=[self.pk])

    @staticmethod
    def key_for(number):
        """« 3 », « Lot 3 », « lot n°3 », « Lot N° 03 » and « LOT 3 » are one lot (key « 3 »);
        « 3 bis » = « Lot 3 bis » (« 3bis »); « Unique » = « Lot unique » (« unique »)."""
        key = match_key(number)
        # "lot", then "n" / "no" (n°, No) before a number; leading zeros of the number.
        key = re.sub(r"^(lot)?(no?)?(?=[0-9])", "", key)
        key = re.sub(r"^0+(?=[0-9])", "", key)
        if key.startswith("lot") and len(key) > 3:
            key = key[3:]
        return key

    def clean(self):
        check_period(self)
        self.compute_keys()
        if (
            self.market_id
            and Lot.objects.exclude(pk=self.pk)
            .filter(market_id=self.market_id, number_key=self.number_key)
            .exists()
        ):
            raise ValidationError({"number": LOT_NUMBER_TAKEN})

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude={*(exclude or ()), "number_key"})

    def validate_constraints(self, exclude=None):
        # lot_number_unique_per_market is checked by clean() on the number the user typed.
        exclude = {*(exclude or ())}
        if "number" in exclude:
            exclude.add("number_key")
        super().validate_constraints(exclude=exclude)

    def compute_keys(self):
        """The derived columns save() fills (call it before a bulk_create)."""
        self.number_key = self.key_for(self.number)

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            # A clause computed from the lot's amount follows the amount.
            try:
                clause = self.clause
            except Clause.DoesNotExist:
                return
            clause.lot = self
            if clause.compute_hours_required() != clause.hours_required:
                clause.save()


class ShownOnItsLot:
    """A record with no page of its own, shown on its lot's page (a clause, an award)."""

    def get_absolute_url(self):
        return reverse("markets:lot_detail", args=[self.lot_id])


class Clause(ShownOnItsLot, models.Model):
    """The insertion obligation of a lot. Hours owed are either stated by the buyer or computed by the
    formula; the stated number wins, and both are kept and shown."""

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="clause", verbose_name="lot")
    clause_type = models.CharField(
        "type de clause", max_length=10, choices=ClauseType, default=ClauseType.EXECUTION
    )
    stated_hours = models.DecimalField(
        "heures fixées par l'acheteur",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    formula_amount = models.DecimalField(
        "montant retenu HT (€)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Vide : le montant du lot.",
    )
    labour_share = models.DecimalField(
        "part de main-d'œuvre", max_digits=5, decimal_places=4, null=True, blank=True, validators=FRACTION
    )
    insertion_rate = models.DecimalField(
        "taux d'insertion", max_digits=5, decimal_places=4, null=True, blank=True, validators=FRACTION
    )
    hourly_cost = models.DecimalField(
        "coût horaire chargé (€/h)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    hours_required = models.DecimalField(
        "heures dues", max_digits=10, decimal_places=2, default=Decimal(0), editable=False
    )
    eligible_publics = models.JSONField(
        "publics éligibles (restriction)",
        default=list,
        blank=True,
        help_text="Codes des critères exigés (ex. QPV pour l'ANRU) ; vide : tous les publics éligibles.",
    )
    penalty_per_hour = models.DecimalField(
        "pénalité par heure manquante (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    training_counts = models.BooleanField("les heures de formation comptent", default=False)
    globalisation_allowed = models.BooleanField("globalisation autorisée", default=False)
    siae_labour_share = models.DecimalField(
        "part de main-d'œuvre des achats SIAE",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=FRACTION,
    )
    siae_hourly_cost = models.DecimalField(
        "coût horaire des achats SIAE (€/h)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "clause sociale"
        verbose_name_plural = "clauses sociales"
        constraints = [
            models.CheckConstraint(condition=Q(hours_required__gte=0), name="clause_hours_required_positive"),
            models.CheckConstraint(
                condition=Q(stated_hours__isnull=True) | Q(stated_hours__gte=0),
                name="clause_stated_hours_positive",
                violation_error_message="Le nombre d'heures ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=(Q(labour_share__isnull=True) | Q(labour_share__gte=0, labour_share__lte=1))
                & (Q(insertion_rate__isnull=True) | Q(insertion_rate__gte=0, insertion_rate__lte=1))
                & (Q(siae_labour_share__isnull=True) | Q(siae_labour_share__gte=0, siae_labour_share__lte=1)),
                name="clause_shares_are_fractions",
                violation_error_message="Les parts et les taux sont compris entre 0 et 100 %.",
            ),
            models.CheckConstraint(
                condition=(Q(hourly_cost__isnull=True) | Q(hourly_cost__gt=0))
                & (Q(siae_hourly_cost__isnull=True) | Q(siae_hourly_cost__gt=0)),
                name="clause_hourly_costs_positive",
                violation_error_message="Le coût horaire doit être supérieur à zéro.",
            ),
        ]

    def __str__(self):
        return f"Clause {self.clause_type} — {self.lot}"

    @property
    def formula_hours(self):
        amount = self.formula_amount if self.formula_amount is not None else self.lot.amount
        return hours_from_formula(amount, self.labour_share, self.insertion_rate, self.hourly_cost)

    @property
    def hours_source(self):
        """'stated' when the buyer's number wins, 'formula' when computed, None when not quantified."""
        if self.stated_hours is not None:
            return "stated"
        return "formula" if self.formula_hours is not None else None

    def compute_hours_required(self):
        if self.stated_hours is not None:
            return self.stated_hours
        return self.formula_hours or Decimal(0)

    def explain(self):
        """How the hours owed are obtained — one rule for the detail pages and the form's live preview:
        the formula (its inputs, the lot's amount when none is typed, its result) and the stated number,
        which wins. `owed` is None when neither gives a number (« non chiffrées »; hours_required then
        stores 0, so that sums count nothing owed)."""
        amount_from_lot = self.formula_amount is None
        source = self.hours_source
        return {
            "amount": self.lot.amount if amount_from_lot else self.formula_amount,
            "amount_from_lot": amount_from_lot,
            "labour_share": self.labour_share,
            "insertion_rate": self.insertion_rate,
            "hourly_cost": self.hourly_cost,
            "formula": self.formula_hours,
            "stated": self.stated_hours,
            "source": source,
            "owed": None if source is None else self.compute_hours_required(),
        }

    def siae_hour_equivalent(self, amount_invoiced):
        """An SIAE purchase as hours: amount invoiced × labour share ÷ hourly cost."""
        if not self.siae_labour_share or not self.siae_hourly_cost:
            return None
        return (Decimal(amount_invoiced) * self.siae_labour_share / self.siae_hourly_cost).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )

    def clean(self):
        errors = {}
        formula_inputs = [self.labour_share, self.insertion_rate, self.hourly_cost]
        if any(v is not None for v in [*formula_inputs, self.formula_amount]) and any(
            v is None for v in formula_inputs
        ):
            # A partial formula is refused even when hours are stated: both numbers are shown.
            errors["labour_share"] = (
                "Pour calculer les heures, renseignez la part de main-d'œuvre, le taux et le coût horaire."
            )
        elif self.stated_hours is None:
            if all(v is None for v in formula_inputs):
                errors["stated_hours"] = (
                    "Une clause sans volume d'heures n'est pas applicable : indiquez le nombre d'heures "
                    "ou les éléments du calcul."
                )
            elif self.formula_amount is None and self.lot_id and self.lot.amount is None:
                errors["formula_amount"] = (
                    "Pour calculer les heures, indiquez le montant (celui du lot est vide)."
                )
        if not errors and self.lot_id:
            required = self.compute_hours_required()
            committed = Award.objects.filter(lot_id=self.lot_id).aggregate(s=Sum("hours_committed"))["s"]
            if committed is not None and committed > required:
                field = "stated_hours" if self.stated_hours is not None else NON_FIELD_ERRORS
                errors[field] = (
                    f"Les entreprises de ce lot se sont engagées sur {fr_number(committed)} h : "
                    f"plus que les {fr_number(required)} h dues. Réduisez d'abord leurs engagements."
                )
        if (self.siae_labour_share is None) != (self.siae_hourly_cost is None):
            errors["siae_hourly_cost"] = (
                "La conversion des achats SIAE demande la part de main-d'œuvre et le coût horaire."
            )
        unknown = sorted(set(self.eligible_publics or []) - set(self._criteria_codes()))
        if unknown:
            errors["eligible_publics"] = f"Critères inconnus : {', '.join(unknown)}."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _criteria_codes():
        from clauses_site.vocabulary import CRITERIA_CODES

        return CRITERIA_CODES

    def save(self, *args, **kwargs):
        self.hours_required = self.compute_hours_required()
        super().save(*args, **kwargs)


class Award(ShownOnItsLot, models.Model):
    """A company that won a lot or works on it; the lot's hours are split among its companies."""

    class Role(models.TextChoices):
        HOLDER = "titulaire", "Titulaire (mandataire)"
        CO_CONTRACTOR = "cotraitant", "Co-traitant"
        SUBCONTRACTOR = "soustraitant", "Sous-traitant"

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="awards", verbose_name="lot")
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="awards", verbose_name="entreprise"
    )
    role = models.CharField("rôle", max_length=20, choices=Role, default=Role.HOLDER)
    hours_committed = models.DecimalField(
        "heures d'insertion à réaliser",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Part des heures du lot portée par cette entreprise.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "role", "company__name_key"]
        verbose_name = "attribution"
        verbose_name_plural = "attributions"
        constraints = [
            models.UniqueConstraint(fields=["lot", "company"], name="award_unique_company_per_lot"),
            models.CheckConstraint(
                condition=Q(hours_committed__isnull=True) | Q(hours_committed__gte=0),
                name="award_hours_committed_positive",
                violation_error_message="Les heures engagées ne peuvent pas être négatives.",
            ),
        ]

    def __str__(self):
        return f"{self.company} — {self.get_role_display()} — {self.lot}"

    def clean(self):
        if not self.lot_id:
            return
        if Award.objects.exclude(pk=self.pk).filter(lot_id=self.lot_id, company_id=self.company_id).exists():
            raise ValidationError({"company": "Cette entreprise est déjà attributaire de ce lot."})
        if self.hours_committed is not None:
            clause = getattr(self.lot, "clause", None)
            others = Award.objects.exclude(pk=self.pk).filter(lot_id=self.lot_id).aggregate(
                s=Sum("hours_committed")
            )["s"] or Decimal(0)
            if clause is not None and others + self.hours_committed > clause.hours_required:
                raise ValidationError(
                    {
                        "hours_committed": (
                            f"Les engagements dépasseraient les heures dues par le lot "
                            f"({fr_number(clause.hours_required)} h ; "
                            f"déjà réparties : {fr_number(others)} h)."
                        )
                    }
                )
