from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clauses_site import autocomplete, two_factor, views, views_accessibility
from reporting.views_dashboard import dashboard_view
from reporting.views_search import search
from spaces.urls import team_urlpatterns as external_accounts_urls

admin.site.site_header = "Clauses — administration"
admin.site.site_title = "Clauses"
admin.site.index_title = "Administration des données"

# The root URLconf wires the apps' screens together (an entry point, like settings.INSTALLED_APPS): the only
# module of clauses_site that imports our apps. The home page is the manager's dashboard.
urlpatterns = [
    path("", dashboard_view, name="home"),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset by e-mail: the same answer whether the address has an account or not.
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("compte/double-authentification/", two_factor.two_factor, name="two_factor"),
    path("compte/double-authentification/code/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sante/", views.health, name="health"),
    path("accessibilite/", views_accessibility.accessibility, name="accessibility"),
    path("recherche/", search, name="search"),
    path("recherche/autocompletion/<slug:kind>/", autocomplete.autocomplete, name="autocomplete"),
    path("admin/", admin.site.urls),
    path("marches/", include("markets.urls")),
    path("entreprises/", include("companies.urls")),
    path("participants/", include("participants.urls")),
    path("heures/", include("hours.urls")),
    path("bilans/", include("reporting.urls")),
    path("partenariats/", include("partnerships.urls")),
    path("traitements/", include("jobs.urls")),
    # The spaces of companies and buyers (their users only), and the team's invitations to them.
    path("espace/", include("spaces.urls")),
    path("comptes-externes/", include(external_accounts_urls)),
]

handler400 = "clauses_site.views.bad_request"
handler403 = "clauses_site.views.permission_denied"
handler404 = "clauses_site.views.page_not_found"
handler500 = "clauses_site.views.server_error"
