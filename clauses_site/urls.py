from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clauses_site import autocomplete, search, views

admin.site.site_header = "Clauses — administration"
admin.site.site_title = "Clauses"
admin.site.index_title = "Administration des données"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("sante/", views.health, name="health"),
    path("recherche/", search.search, name="search"),
    path("recherche/autocompletion/<slug:kind>/", autocomplete.autocomplete, name="autocomplete"),
    path("admin/", admin.site.urls),
    path("marches/", include("markets.urls")),
    path("entreprises/", include("companies.urls")),
    path("participants/", include("participants.urls")),
    path("heures/", include("hours.urls")),
    path("bilans/", include("reporting.urls")),
    path("partenariats/", include("partnerships.urls")),
]
