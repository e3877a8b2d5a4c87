"""The spaces of companies and buyers (/espace/…)."""

from django.urls import path

from spaces import views

app_name = "spaces"

# Not named *_detail: these are the organisation's view of a market or a lot, not their (team's) pages.
urlpatterns = [
    path("", views.home, name="home"),
    path("marches/<int:pk>/", views.market, name="market"),
    path("lots/<int:pk>/", views.lot, name="lot"),
]
