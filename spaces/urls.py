"""The spaces of companies and buyers (/espace/…), and the team's invitations (/comptes-externes/…)."""

from django.urls import path

from spaces import views, views_declaration, views_team

app_name = "spaces"

# Not named *_detail: these are the organisation's view of a market or a lot, not their (team's) pages.
urlpatterns = [
    path("", views.home, name="home"),
    path("marches/<int:pk>/", views.market, name="market"),
    path("lots/<int:pk>/", views.lot, name="lot"),
    path("declarations/<int:year>/<int:month>/", views_declaration.declaration, name="declaration"),
    path("invitation/<uidb64>/<token>/", views_team.accept, name="accept"),
]

team_urlpatterns = (
    [
        path("entreprises/<int:pk>/inviter/", views_team.invite_company, name="invite_company"),
        path("donneurs-d-ordre/<int:pk>/inviter/", views_team.invite_buyer, name="invite_buyer"),
        path("<int:pk>/revoquer/", views_team.revoke, name="revoke"),
    ],
    "external_accounts",
)
