from django.urls import path

from clauses_site.routes import child_urls, record_urls
from participants import views, views_privacy

app_name = "participants"

urlpatterns = [
    *record_urls(views, "participant"),
    *child_urls(views, "outcome", create="<int:pk>/sorties/nouvelle/", prefix="sorties/"),
    # Personal-data rights (the manager): export, anonymisation, retention, access log.
    path("<int:pk>/donnees.pdf", views_privacy.participant_export_pdf, name="participant_export_pdf"),
    path("<int:pk>/donnees.xlsx", views_privacy.participant_export_xlsx, name="participant_export_xlsx"),
    path("<int:pk>/anonymiser/", views_privacy.participant_anonymise, name="participant_anonymise"),
    path("donnees-personnelles/", views_privacy.personal_data_overview, name="personal_data"),
    path("donnees-personnelles/acces/", views_privacy.AccessLogList.as_view(), name="access_log"),
]
