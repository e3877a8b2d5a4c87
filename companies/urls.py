from django.urls import path

from companies import views

app_name = "companies"

urlpatterns = [
    path("", views.CompanyList.as_view(), name="company_list"),
    path("nouvelle/", views.CompanyCreate.as_view(), name="company_create"),
    path("<int:pk>/", views.CompanyDetail.as_view(), name="company_detail"),
    path("<int:pk>/modifier/", views.CompanyUpdate.as_view(), name="company_update"),
    path("<int:pk>/supprimer/", views.CompanyDelete.as_view(), name="company_delete"),
    path("<int:pk>/archiver/", views.CompanyArchive.as_view(), name="company_archive"),
]
