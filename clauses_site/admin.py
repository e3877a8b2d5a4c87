"""What every admin page of Clauses shares: the admin is the manager's tool (role "Responsable" or a
superuser); facilitators and readers work in the application's own pages."""

from django.db import models

from clauses_site import roles


class ManagerOnly:
    """Mixin for ModelAdmin and inlines: every permission follows roles.is_manager, so that the
    manager's group needs no per-model permission rows. Decimals are typed and shown the French way
    (151,67)."""

    formfield_overrides = {models.DecimalField: {"localize": True}}

    def has_module_permission(self, request):
        return roles.is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_add_permission(self, request, *args):
        return roles.is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_manager(request.user)


class SearchByKeys:
    """Admin search through the model's QuerySet.search(): every word, ignoring case and accents."""

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False
