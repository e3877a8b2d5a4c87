from django.urls import path

from clauses_site import autocomplete, roles
from hours import views, views_declarations, views_grid, views_import
from hours.forms import assignment_label
from hours.models import Assignment
from participants.models import Participant

app_name = "hours"


def _assignments(q):
    return (
        Assignment.objects.filter(participant__in=Participant.objects.search(q))
        .select_related("participant", "lot__market")
        .order_by("participant__last_name", "participant__first_name", "-starts_on")
    )


autocomplete.register("assignment", _assignments, assignment_label, permission=roles.sees_people)

urlpatterns = [
    path("saisie/", views_grid.grid_view, name="grid"),
    path("saisie/ajouter/", views_grid.grid_add, name="grid_add"),
    path("declarations/", views_declarations.declarations, name="declarations"),
    path("", views.EntryList.as_view(), name="entry_list"),
    path("nouvelles/", views.EntryCreate.as_view(), name="entry_create"),
    path("valider/", views.entry_validate, name="entry_validate"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
    path("<int:pk>/modifier/", views.EntryUpdate.as_view(), name="entry_update"),
    path("<int:pk>/supprimer/", views.EntryDelete.as_view(), name="entry_delete"),
    path("<int:pk>/rouvrir/", views.entry_reopen, name="entry_reopen"),
    path("mises-a-l-emploi/", views.AssignmentList.as_view(), name="assignment_list"),
    path("mises-a-l-emploi/nouvelle/", views.AssignmentCreate.as_view(), name="assignment_create"),
    path("mises-a-l-emploi/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("mises-a-l-emploi/<int:pk>/modifier/", views.AssignmentUpdate.as_view(), name="assignment_update"),
    path("mises-a-l-emploi/<int:pk>/supprimer/", views.AssignmentDelete.as_view(), name="assignment_delete"),
    # Tracking-sheet import and export (hours/views_import.py)
    path("import/", views_import.import_upload, name="import_upload"),
    path("imports/", views_import.import_list, name="import_list"),
    path("imports/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", views_import.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/annuler/", views_import.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/erreurs.xlsx", views_import.import_annotated, name="import_annotated"),
    path("export/suivi.xlsx", views_import.export_suivi, name="export_suivi"),
]
