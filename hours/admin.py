from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clauses_site.admin import ManagerOnly
from hours.models import ASSIGNMENT_FIELDS, Assignment, HoursEntry, SiaePurchase

ENTRY_RELATED = ["assignment__participant", "assignment__lot__market", "assignment__company", "validated_by"]


class HoursEntryInline(ManagerOnly, admin.TabularInline):
    model = HoursEntry
    extra = 0
    fields = ["month", "hours", "training_hours", "status", "source", "validated_by", "validated_at"]
    readonly_fields = ["status", "source", "validated_by", "validated_at"]
    ordering = ["month"]


@admin.register(Assignment)
class AssignmentAdmin(ManagerOnly, SimpleHistoryAdmin):
    list_display = [
        "participant",
        "lot",
        "market",
        "company",
        "employer",
        "modality",
        "contract_type",
        "starts_on",
        "ends_on",
    ]
    list_select_related = ["participant", "lot__market", "company", "employer"]
    list_filter = ["modality", "contract_type", "company__kind"]
    date_hierarchy = "starts_on"
    search_fields = [
        "participant__last_name",
        "participant__first_name",
        "lot__market__reference",
        "company__name",
    ]
    autocomplete_fields = ["participant", "lot", "company", "employer"]
    inlines = [HoursEntryInline]
    fields = [*ASSIGNMENT_FIELDS, "notes"]

    @admin.display(description="marché", ordering="lot__market__reference")
    def market(self, assignment):
        return assignment.lot.market.reference


def with_validation_by(form_class, request):
    """The admin form, where ticking « validée » records who validated and when (and « brouillon »
    clears them): the model refuses a validated entry without its date."""

    class Form(form_class):
        def clean(self):
            cleaned = super().clean()
            entry, status = self.instance, cleaned.get("status")
            if status == HoursEntry.Status.VALIDATED and not entry.validated_at:
                entry.validate(request.user)
            elif status != HoursEntry.Status.VALIDATED:
                entry.reopen()
            return cleaned

    return Form


@admin.register(HoursEntry)
class HoursEntryAdmin(ManagerOnly, SimpleHistoryAdmin):
    list_display = [
        "month_label",
        "participant",
        "lot",
        "company",
        "hours",
        "training_hours",
        "status",
        "source",
        "validated_by",
    ]
    list_select_related = ENTRY_RELATED
    ordering = ["-month", "assignment__participant__last_name"]
    list_filter = ["status", "source", "assignment__modality"]
    date_hierarchy = "month"
    search_fields = [
        "assignment__participant__last_name",
        "assignment__lot__market__reference",
        "assignment__company__name",
    ]
    autocomplete_fields = ["assignment"]
    fields = [
        "assignment",
        "month",
        "hours",
        "training_hours",
        "status",
        "source",
        "source_file",
        "validated_by",
        "validated_at",
        "entered_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["validated_by", "validated_at", "entered_by", "created_at", "updated_at"]

    @admin.display(description="mois", ordering="month")
    def month_label(self, entry):
        return f"{entry.month:%m/%Y}"

    @admin.display(description="participant", ordering="assignment__participant__last_name")
    def participant(self, entry):
        return entry.assignment.participant

    @admin.display(description="lot")
    def lot(self, entry):
        return f"{entry.assignment.lot.market.reference} — {entry.assignment.lot}"

    @admin.display(description="entreprise créditée")
    def company(self, entry):
        return entry.assignment.company

    def get_form(self, request, obj=None, **kwargs):
        return with_validation_by(super().get_form(request, obj, **kwargs), request)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SiaePurchase)
class SiaePurchaseAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["company", "lot", "month", "amount_invoiced", "hours", "validated"]
    list_select_related = ["company", "lot__market"]
    list_filter = ["validated", "company__kind"]
    date_hierarchy = "month"
    search_fields = ["company__name", "lot__market__reference"]
    autocomplete_fields = ["lot", "company"]
    fields = [
        "lot",
        "company",
        "month",
        "amount_invoiced",
        "hours",
        "validated",
        "validated_by",
        "validated_at",
    ]
    readonly_fields = ["hours", "validated_by", "validated_at"]

    @admin.display(description="équivalent en heures", ordering="hour_equivalent")
    def hours(self, purchase):
        return purchase.hour_equivalent  # computed from the clause's conversion as it is now

    def save_model(self, request, obj, form, change):
        if obj.validated and not obj.validated_at:
            obj.validated_by, obj.validated_at = request.user, timezone.now()
        elif not obj.validated:
            obj.validated_by = obj.validated_at = None
        super().save_model(request, obj, form, change)
