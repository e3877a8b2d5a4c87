from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/progression/", views.job_progress, name="job_progress"),
    path("<int:pk>/telecharger/", views.job_download, name="job_download"),
]
