from django.contrib import admin

from clauses_site.admin import ManagerOnly
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed, Trainee, Training


class ProposalInline(ManagerOnly, admin.TabularInline):
    model = Proposal
    extra = 0
    fields = ["participant", "state", "comment", "assignment", "proposed_by", "proposed_at"]
    raw_id_fields = ["participant", "assignment"]


@admin.register(RecruitmentNeed)
class RecruitmentNeedAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["job", "rome_code", "positions", "company", "lot", "expected_start", "status"]
    list_filter = ["status"]
    list_select_related = ["company", "lot__market"]
    search_fields = ["job", "rome_code", "company__name", "lot__market__reference"]
    raw_id_fields = ["lot", "company", "meeting"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ProposalInline]


class TraineeInline(ManagerOnly, admin.TabularInline):
    model = Trainee
    extra = 0
    fields = ["participant", "hours_attended", "outcome", "hired_assignment", "hours_assignment"]
    raw_id_fields = ["participant", "hired_assignment"]
    readonly_fields = ["hours_assignment"]


@admin.register(Training)
class TrainingAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["title", "body", "body_name", "funder", "starts_on", "ends_on", "hours", "places", "lot"]
    list_select_related = ["body", "funder", "lot__market"]
    search_fields = ["title", "body_name", "body__name", "funder__name"]
    raw_id_fields = ["body", "funder", "lot", "company"]
    inlines = [TraineeInline]


@admin.register(JournalEntry)
class JournalEntryAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["date", "kind", "subject", "follow_up_on", "follow_up_done", "author"]
    list_filter = ["kind", "follow_up_done"]
    list_select_related = ["author"]
    search_fields = ["subject", "people_met", "notes"]
    raw_id_fields = ["buyers", "companies", "markets"]
    readonly_fields = ["author", "follow_up_done_at", "follow_up_done_by", "created_at", "updated_at"]
