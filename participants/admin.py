from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clauses_site.admin import ManagerOnly, SearchByKeys
from participants.models import Criterion, Outcome, Participant


@admin.register(Criterion)
class CriterionAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["code", "label", "order"]
    list_editable = ["order"]
    search_fields = ["code", "label"]


class OutcomeInline(ManagerOnly, admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["timing", "date", "kind", "is_positive", "notes"]
    readonly_fields = ["is_positive"]

    @admin.display(description="sortie positive", boolean=True)
    def is_positive(self, outcome):
        return outcome.is_positive if outcome.pk else None


@admin.register(Participant)
class ParticipantAdmin(ManagerOnly, SearchByKeys, SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "birth_date", "sex", "commune", "qpv", "level", "prescriber"]
    list_filter = ["sex", "qpv", "level", "criteria", "prescriber"]
    search_fields = ["last_name"]  # through Participant.objects.search(): names in any order
    search_help_text = "Nom et prénom, dans n'importe quel ordre (sans tenir compte des accents)."
    filter_horizontal = ["criteria"]
    inlines = [OutcomeInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["last_name", "first_name", "birth_date", "sex"]}),
        ("Situation", {"fields": ["commune", "qpv", "level", "criteria"]}),
        ("Parcours", {"fields": ["prescriber", "referent", "entered_on", "notes"]}),
        ("Suivi", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]


@admin.register(Outcome)
class OutcomeAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["participant", "timing", "date", "kind", "is_positive"]
    list_select_related = ["participant"]
    list_filter = ["timing", "kind"]
    date_hierarchy = "date"
    search_fields = ["participant__last_name", "participant__first_name"]
    autocomplete_fields = ["participant"]

    @admin.display(description="sortie positive", boolean=True)
    def is_positive(self, outcome):
        return outcome.is_positive
