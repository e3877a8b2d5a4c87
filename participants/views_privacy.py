"""Personal-data rights, for the manager (Responsable) only: a person's data exported (PDF, xlsx), their
anonymisation (with a confirmation), the « Données personnelles » page (what the retention rule will do
within three months) and the access log. Every read of a person's data is written to the access log."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clauses_site import roles
from clauses_site.exports import XLSX_TYPE
from clauses_site.listing import FilteredListView
from participants.filters import AccessLogFilter
from participants.models import AccessLog, Participant
from participants.tables import AccessLogTable
from reporting import personal_data

MANAGER = staticmethod(roles.is_manager)
EXPORTS = {
    "pdf": ("application/pdf", AccessLog.Action.EXPORT_PDF, personal_data.render_pdf),
    "xlsx": (XLSX_TYPE, AccessLog.Action.EXPORT_XLSX, personal_data.render_xlsx),
}


def person_for_manager(user, pk):
    roles.require(roles.is_manager, user)
    return get_object_or_404(Participant, pk=pk)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def participant_export(request, pk, fmt):
    """Everything held about the person (right of access), as a file; written to the access log."""
    person = person_for_manager(request.user, pk)
    content_type, action, render_file = EXPORTS[fmt]
    AccessLog.record(request.user, person, action)
    response = HttpResponse(render_file(person), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{personal_data.filename(person, fmt)}"'
    return _no_store(response)


def participant_export_pdf(request, pk):
    return participant_export(request, pk, "pdf")


def participant_export_xlsx(request, pk):
    return participant_export(request, pk, "xlsx")


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je confirme l'anonymisation définitive de cette personne",
        error_messages={"required": "Cochez la case pour confirmer l'anonymisation : rien n'a été modifié."},
    )


def participant_anonymise(request, pk):
    person = person_for_manager(request.user, pk)
    detail = reverse("participants:participant_detail", args=[person.pk])
    if person.is_anonymised:
        when = timezone.localtime(person.anonymised_at)
        messages.info(request, f"Cette personne a déjà été anonymisée le {when:%d/%m/%Y}.")
        return redirect(detail)
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        person = personal_data.anonymise(person, user=request.user)
        messages.success(
            request,
            f"Personne anonymisée : elle apparaît désormais sous le nom « {person} ». "
            "Les chiffres des bilans sont inchangés.",
        )
        return redirect(detail)
    context = {
        "person": person,
        "form": form,
        "assignments": person.assignments.count(),
        "running": person.assignments.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate())
        ).exists(),
        "cancel_url": detail,
    }
    return _no_store(render(request, "participants/participant_anonymise.html", context))


def personal_data_overview(request):
    """« Données personnelles »: the retention rule, the people it will anonymise within three months,
    the import workbooks it will delete, and the link to the access log."""
    roles.require(roles.is_manager, request.user)
    today = timezone.localdate()
    context = {
        "due": personal_data.due_soon(today),
        "today": today,
        "notice_months": personal_data.NOTICE_MONTHS,
        "retention_years": personal_data.retention_years(),
        "import_file_days": personal_data.IMPORT_FILE_DAYS,
        "import_files": personal_data.old_import_files().count(),
        "log_days": personal_data.ACCESS_LOG_DAYS,
        "log_rows": AccessLog.objects.count(),
    }
    return _no_store(render(request, "participants/personal_data.html", context))


class AccessLogList(FilteredListView):
    permission = MANAGER
    title = "Journal des accès aux données personnelles"
    intro = (
        "Chaque consultation de la fiche d'un participant, chaque export de ses données et chaque "
        "anonymisation est enregistré ici (qui, quand, quelle personne). Conservé un an."
    )
    filterset_class = AccessLogFilter
    table_class = AccessLogTable
    long_text_columns = ()
    template_name = "participants/access_log.html"

    def get_queryset(self):
        return AccessLog.objects.select_related("participant").order_by("-at", "-pk")

    def get(self, request, *args, **kwargs):
        return _no_store(super().get(request, *args, **kwargs))
