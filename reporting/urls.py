from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.bilan_form, name="bilan_form"),
    path("generer/", views.bilan_generate, name="bilan_generate"),
    path("envoi-groupe/", views.bilan_batch, name="bilan_batch"),
    path("archives/", views.bilan_archive, name="bilan_archive"),
    path("archives/<int:pk>/telecharger/", views.bilan_download, name="bilan_download"),
]

# The manager's dashboards (reporting/views_dashboard.py); the home page itself routes to
# views_dashboard.dashboard_view in the root URLconf (clauses_site/urls.py).
from reporting import views_dashboard  # noqa: E402

urlpatterns += [
    path("tableau-de-bord/lots/", views_dashboard.dashboard_lots, name="dashboard_lots"),
    path("activite/", views_dashboard.activity_view, name="activity"),
]
