from django.urls import path

from clauses_site.routes import child_urls, record_urls
from partnerships import views, views_directory, views_followups, views_journal, views_trainings

app_name = "partnerships"

urlpatterns = [
    path("", views.index, name="index"),
    # Recruitment needs and proposals
    *record_urls(views, "need", prefix="besoins/"),
    path("besoins/a-venir/", views.need_upcoming, name="need_upcoming"),
    *child_urls(views, "proposal", create="besoins/<int:pk>/proposer/", prefix="propositions/"),
    path("propositions/<int:pk>/etat/", views.proposal_state, name="proposal_state"),
    path("propositions/<int:pk>/recruter/", views.proposal_hire, name="proposal_hire"),
    # Trainings
    *record_urls(views_trainings, "training", prefix="formations/", new="nouvelle"),
    *child_urls(views_trainings, "trainee", create="formations/<int:pk>/stagiaires/", prefix="stagiaires/"),
    path("stagiaires/<int:pk>/heures/", views_trainings.trainee_hours, name="trainee_hours"),
    # The journal
    *record_urls(views_journal, "journal", prefix="journal/", new="nouvelle"),
    path("journal/a-relancer/", views_journal.FollowUpList.as_view(), name="journal_follow_ups"),
    path("journal/<int:pk>/relance/", views_journal.journal_done, name="journal_done"),
    # Outcomes to record
    path("sorties/fin-de-contrat/", views_followups.EndOutcomesDue.as_view(), name="outcomes_end"),
    path("sorties/six-mois/", views_followups.SixMonthOutcomesDue.as_view(), name="outcomes_six_months"),
    path("sorties/<int:pk>/enregistrer/", views_followups.outcome_record, name="outcome_record"),
    # The ESS directory and its brochure
    path("annuaire/", views_directory.DirectoryList.as_view(), name="directory"),
    path("annuaire/plaquette.pdf", views_directory.brochure_pdf, name="brochure_pdf"),
]
