"""What every admin page of Clauses shares: the admin is the manager's tool (role "Responsable" or a
superuser); facilitators and readers work in the application's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
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


class TeamUserAdmin(ManagerOnly, UserAdmin):
    """The manager manages the team's accounts (user management is the Responsable's): create them,
    give each its role (one of the groups), reset a password, deactivate. Only a superuser may grant
    superuser or staff status, or edit a superuser's account."""

    list_display = ("username", "first_name", "last_name", "email", "role", "is_active", "last_login")
    list_filter = ("groups", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "email")}),
        ("Rôle et accès", {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("Identité et rôle", {"fields": ("first_name", "last_name", "email", "groups")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="rôle")
    def role(self, user):
        return roles.role_of(user) or "—"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_superuser or obj == request.user) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        is_manager = user.groups.filter(name=roles.MANAGER).exists()
        if not user.is_superuser and user.is_staff != is_manager:
            user.is_staff = is_manager
            user.save(update_fields=["is_staff"])


admin.site.unregister(User)
admin.site.register(User, TeamUserAdmin)
