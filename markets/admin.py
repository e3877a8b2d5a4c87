from django import forms
from django.contrib import admin
from django.utils.formats import number_format
from simple_history.admin import SimpleHistoryAdmin

from clauses_site.admin import ManagerOnly, SearchByKeys
from clauses_site.vocabulary import CRITERIA
from markets.forms import ClauseForm as SiteClauseForm
from markets.models import Award, Buyer, BuyerContact, Clause, Lot, Market, Operation, StageChange

FRACTION_HELP = "Fraction : 0,5 pour 50 %."


def hours(value):
    """Read-only fields are not localised by the admin: 833,33 rather than 833.33."""
    return number_format(value, decimal_pos=2, force_grouping=True)


HOURS_SOURCE = {"stated": "le nombre fixé par l'acheteur", "formula": "la formule", None: "—"}


# --- buyers ---------------------------------------------------------------------------------------------


class BuyerContactInline(ManagerOnly, admin.TabularInline):
    model = BuyerContact
    extra = 0
    fields = ["name", "role", "phone", "email"]


class OperationInline(ManagerOnly, admin.TabularInline):
    model = Operation
    extra = 0
    fields = ["name", "description"]
    show_change_link = True


@admin.register(Buyer)
class BuyerAdmin(ManagerOnly, SearchByKeys, admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "phone", "archived"]
    list_filter = ["kind", "archived"]
    search_fields = ["name"]
    search_help_text = "Nom (sans tenir compte de la casse ni des accents)."
    inlines = [BuyerContactInline, OperationInline]


@admin.register(Operation)
class OperationAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["name", "buyer"]
    list_select_related = ["buyer"]
    list_filter = ["buyer"]
    search_fields = ["name", "buyer__name"]
    autocomplete_fields = ["buyer"]


# --- markets and lots -----------------------------------------------------------------------------------


class LotInline(ManagerOnly, admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["number", "title", "amount", "starts_on", "ends_on", "hours_required"]
    readonly_fields = ["hours_required"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clause")

    @admin.display(description="heures dues")
    def hours_required(self, lot):
        clause = getattr(lot, "clause", None) if lot.pk else None
        return hours(clause.hours_required) if clause else "—"


class StageChangeInline(ManagerOnly, admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["stage", "date", "by"]
    readonly_fields = ["stage", "date", "by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Market)
class MarketAdmin(ManagerOnly, SearchByKeys, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "buyer",
        "stage",
        "stage_reached_on",
        "facilitator",
        "starts_on",
        "ends_on",
    ]
    list_select_related = ["buyer", "facilitator"]
    list_filter = [
        "stage",
        "buyer__kind",
        "facilitator",
        "sector",
        "procedure",
        "planned_clause_type",
        "archived",
    ]
    search_fields = ["reference"]  # through Market.objects.search(): reference and title
    search_help_text = "Référence ou intitulé (sans tenir compte des accents)."
    date_hierarchy = "starts_on"
    autocomplete_fields = ["buyer", "operation"]
    inlines = [LotInline, StageChangeInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["buyer", "operation", "reference", "title", "sector", "procedure", "facilitator"]},
        ),
        (
            "Montant et clause envisagée",
            {"fields": ["estimated_amount", "estimated_hours", "planned_clause_type"]},
        ),
        ("Étape", {"fields": ["stage", "stage_reached_on"]}),
        (
            "Dates",
            {"fields": ["expected_publication", "published_on", "awarded_on", "starts_on", "ends_on"]},
        ),
        ("Notes", {"fields": ["notes", "archived", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        """A change of stage goes through Market.move_to(): dated the day typed (else today), recorded
        for the pipeline's conversion table."""
        on = obj.stage_reached_on if "stage_reached_on" in form.changed_data else None
        obj.save_moving(form.initial.get("stage") if change else None, request.user, on)


class ClauseForm(forms.ModelForm):
    eligible_publics = forms.MultipleChoiceField(
        label="publics éligibles (restriction)",
        choices=CRITERIA,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun coché : tous les publics éligibles.",
    )

    class Meta:
        model = Clause
        fields = ["lot", *SiteClauseForm.Meta.fields]  # the screens' clause form, and its lot
        help_texts = {
            "labour_share": FRACTION_HELP,
            "insertion_rate": FRACTION_HELP,
            "siae_labour_share": FRACTION_HELP,
        }


CLAUSE_FIELDSETS = [
    (None, {"fields": ["clause_type", "eligible_publics", "penalty_per_hour"]}),
    (
        "Heures dues",
        {
            "description": "Le nombre fixé par l'acheteur l'emporte sur la formule ; les deux sont affichés.",
            "fields": [
                "stated_hours",
                ("formula_amount", "labour_share", "insertion_rate", "hourly_cost"),
                "formula_hours",
                "hours_required",
                "hours_source",
            ],
        },
    ),
    (
        "Modalités",
        {"fields": ["training_counts", "globalisation_allowed", ("siae_labour_share", "siae_hourly_cost")]},
    ),
]


class ClauseComputed:
    """The hours by the formula and the hours retained, shown read-only next to the inputs."""

    readonly_fields = ["formula_hours", "hours_required", "hours_source"]

    @admin.display(description="heures par la formule")
    def formula_hours(self, clause):
        value = clause.formula_hours if clause.pk else None
        return "—" if value is None else hours(value)

    @admin.display(description="retenu")
    def hours_source(self, clause):
        return HOURS_SOURCE[clause.hours_source] if clause.pk else "—"


class ClauseInline(ManagerOnly, ClauseComputed, admin.StackedInline):
    model = Clause
    form = ClauseForm
    fieldsets = CLAUSE_FIELDSETS
    extra = 0
    max_num = 1


class AwardInline(ManagerOnly, admin.TabularInline):
    model = Award
    extra = 0
    fields = ["company", "role", "hours_committed"]
    autocomplete_fields = ["company"]


@admin.register(Lot)
class LotAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["__str__", "market", "amount", "starts_on", "ends_on", "hours_required"]
    list_select_related = ["market", "clause"]
    list_filter = ["market__stage", "market__buyer__kind"]
    search_fields = ["market__reference", "market__title", "title", "number"]
    autocomplete_fields = ["market"]
    inlines = [ClauseInline, AwardInline]
    fields = ["market", "number", "title", "amount", "starts_on", "ends_on"]

    @admin.display(description="heures dues", ordering="clause__hours_required")
    def hours_required(self, lot):
        clause = getattr(lot, "clause", None)
        return clause.hours_required if clause else "—"


@admin.register(Clause)
class ClauseAdmin(ManagerOnly, ClauseComputed, SimpleHistoryAdmin):
    form = ClauseForm
    list_display = [
        "lot",
        "market",
        "article",
        "stated_hours",
        "formula_hours",
        "hours_required",
        "training_counts",
    ]
    list_select_related = ["lot__market__buyer"]
    list_filter = ["clause_type", "training_counts", "globalisation_allowed"]
    search_fields = ["lot__market__reference", "lot__market__title", "lot__title"]
    autocomplete_fields = ["lot"]
    fieldsets = [(None, {"fields": ["lot"]}), *CLAUSE_FIELDSETS]

    @admin.display(description="marché", ordering="lot__market__reference")
    def market(self, clause):
        return clause.lot.market.reference

    @admin.display(description="article", ordering="clause_type")
    def article(self, clause):
        return clause.clause_type


@admin.register(Award)
class AwardAdmin(ManagerOnly, SimpleHistoryAdmin):
    list_display = ["company", "lot", "market", "role", "hours_committed"]
    list_select_related = ["company", "lot__market"]
    list_filter = ["role", "company__kind"]
    search_fields = ["company__name", "lot__market__reference", "lot__title"]
    autocomplete_fields = ["lot", "company"]

    @admin.display(description="marché", ordering="lot__market__reference")
    def market(self, award):
        return award.lot.market.reference


@admin.register(StageChange)
class StageChangeAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["market", "stage", "date", "by"]
    list_select_related = ["market", "by"]
    list_filter = ["stage", "by"]
    date_hierarchy = "date"
    search_fields = ["market__reference", "market__title"]
    autocomplete_fields = ["market"]
