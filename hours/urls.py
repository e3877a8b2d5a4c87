from django.urls import path

from hours import views_import

app_name = "hours"

urlpatterns = [
    # Tracking-sheet import and export (hours/views_import.py)
    path("import/", views_import.import_upload, name="import_upload"),
    path("imports/", views_import.import_list, name="import_list"),
    path("imports/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", views_import.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/annuler/", views_import.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/erreurs.xlsx", views_import.import_annotated, name="import_annotated"),
    path("export/suivi.xlsx", views_import.export_suivi, name="export_suivi"),
]
