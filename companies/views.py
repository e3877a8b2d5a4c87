"""Screens of companies: the list (filters, xlsx export), the page telling a company's story (lots,
commitments and progress, the people it employs — named only for roles that see people —, contacts),
and the create/edit/delete/archive forms."""

from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from clauses_site import roles
from clauses_site.editing import (
    RecordArchiveView,
    RecordCreateView,
    RecordDeleteView,
    RecordDetailView,
    RecordUpdateView,
)
from clauses_site.listing import FilteredListView
from companies.filters import CompanyFilter
from companies.forms import CompanyForm, ContactFormSet
from companies.models import Company
from companies.tables import EXPORT_COLUMNS, CompanyTable
from hours.models import Assignment
from hours.queries import (
    TRAINING_SPLIT,
    assignments_with_hours,
    awards_with_hours,
    companies_with_hours,
    progress_over,
    with_award_progress,
)


class CompanyList(FilteredListView):
    title = "Entreprises"
    filterset_class = CompanyFilter
    table_class = CompanyTable
    export_columns = EXPORT_COLUMNS
    export_filename = "entreprises.xlsx"
    create_url_name = "companies:company_create"
    create_label = "Nouvelle entreprise"

    def get_queryset(self):
        return companies_with_hours(Company.objects.all(), figures=("hours_done",))


class CompanyDetail(RecordDetailView):
    template_name = "companies/company_detail.html"

    def get_queryset(self):
        # « dont formation » is the training inside hours_done; training on clauses that do not count
        # it is shown apart (« formation non comptée »).
        # Only the figures the page shows (each is a subquery over the company's entries).
        return companies_with_hours(Company.objects.all(), figures=("hours_done", *TRAINING_SPLIT))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        company = self.object
        today = timezone.localdate()
        awards = list(
            awards_with_hours(company.awards.select_related("lot__market__buyer", "lot__clause")).order_by(
                "-lot__market__starts_on", "lot__market__reference", "lot__number_key"
            )
        )
        expected_total = with_award_progress(awards, today)
        owed = sum((a.hours_owed for a in awards), Decimal(0))
        done = sum((a.hours_done_to_date for a in awards), Decimal(0))
        people = Assignment.objects.filter(Q(company=company) | Q(employer=company))
        context.update(
            awards=awards,
            overall=progress_over(owed, done, expected_total) if awards else None,
            hours_owed=owed,
            contacts=list(company.contacts.all()),
            sectors=list(company.sectors.all()),
            people_counts=people.aggregate(
                people=Count("participant", distinct=True), contracts=Count("pk", distinct=True)
            ),
            can_edit=roles.can_edit(self.request.user),
        )
        if roles.sees_people(self.request.user):
            context["assignments"] = list(
                assignments_with_hours(
                    people.select_related("participant", "lot__market", "company", "employer"),
                    figures=("hours_done",),
                ).order_by("-starts_on", "pk")[:200]
            )
        return context


class CompanyCreate(RecordCreateView):
    model = Company
    form_class = CompanyForm
    formset_classes = {"contacts": ContactFormSet}
    title = "Nouvelle entreprise"
    success_message = "Entreprise « {object} » enregistrée."
    cancel_url = "companies:company_list"


class CompanyUpdate(RecordUpdateView):
    model = Company
    form_class = CompanyForm
    formset_classes = {"contacts": ContactFormSet}
    success_message = "Entreprise « {object} » enregistrée."

    def get_title(self):
        return f"Modifier « {self.object} »"


class CompanyDelete(RecordDeleteView):
    model = Company
    success_url = reverse_lazy("companies:company_list")
    success_message = "Entreprise « {object} » supprimée."

    def hours_recorded(self):
        from hours.models import HoursEntry

        return HoursEntry.objects.filter(
            Q(assignment__company=self.object) | Q(assignment__employer=self.object)
        ).count()

    def get_archive_url(self):
        return reverse("companies:company_archive", kwargs={"pk": self.object.pk})


class CompanyArchive(RecordArchiveView):
    model = Company
