from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.ParticipantList.as_view(), name="participant_list"),
    path("nouveau/", views.ParticipantCreate.as_view(), name="participant_create"),
    path("<int:pk>/", views.participant_detail, name="participant_detail"),
    path("<int:pk>/modifier/", views.ParticipantUpdate.as_view(), name="participant_update"),
    path("<int:pk>/supprimer/", views.ParticipantDelete.as_view(), name="participant_delete"),
    path("<int:pk>/sorties/nouvelle/", views.OutcomeCreate.as_view(), name="outcome_create"),
    path("sorties/<int:pk>/modifier/", views.OutcomeUpdate.as_view(), name="outcome_update"),
    path("sorties/<int:pk>/supprimer/", views.OutcomeDelete.as_view(), name="outcome_delete"),
]
