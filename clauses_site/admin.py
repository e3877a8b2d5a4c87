"""What every admin page of Clauses shares: the admin is the manager's tool (role "Responsable" or a
superuser); facilitators and readers work in the application's own pages."""

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

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

    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_active",
        "locked_out",
        "two_factor",
        "last_login",
    )
    actions = ["unlock", "remove_two_factor"]
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

    def get_queryset(self, request):
        locked = AccessAttempt.objects.filter(
            username=OuterRef("username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(is_locked_out=Exists(locked), has_2fa=Exists(devices))

    @admin.display(description="connexion bloquée", boolean=True)
    def locked_out(self, user):
        return user.is_locked_out

    @admin.display(description="double authentification", boolean=True)
    def two_factor(self, user):
        return user.has_2fa

    @admin.action(description="Débloquer la connexion des comptes sélectionnés")
    def unlock(self, request, queryset):
        count = sum(axes_reset(username=user.username) for user in queryset)
        self.message_user(
            request,
            f"Connexion débloquée : {count} tentative(s) effacée(s).",
        )

    @admin.action(description="Retirer la double authentification (téléphone perdu)")
    def remove_two_factor(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        count, _ = TOTPDevice.objects.filter(user__in=queryset).delete()
        self.message_user(
            request,
            f"Double authentification retirée ({count} appareil(s)) : "
            "à la prochaine connexion, la personne en enregistre un nouveau si son rôle l'exige.",
        )

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


class LoginAttemptAdmin(ManagerOnly, AccessAttemptAdmin):
    """Failed log-ins (django-axes): the manager sees who is locked out and unlocks by deleting the row
    (or with the action on the team's accounts)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LoginLogAdmin(ManagerOnly, AccessLogAdmin):
    """Successful log-ins (django-axes), read-only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model, model_admin in ((AccessAttempt, LoginAttemptAdmin), (AccessLog, LoginLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
