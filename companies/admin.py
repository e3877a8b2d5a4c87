from django.contrib import admin

from clauses_site.admin import ManagerOnly, SearchByKeys
from companies.models import Company, Contact, Sector


@admin.register(Sector)
class SectorAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class ContactInline(ManagerOnly, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "phone", "email"]


@admin.register(Company)
class CompanyAdmin(ManagerOnly, SearchByKeys, admin.ModelAdmin):
    list_display = ["name", "siret", "kind", "ess_member", "commune", "phone", "archived"]
    list_filter = ["kind", "ess_member", "archived", "sectors"]
    search_fields = ["name"]  # through Company.objects.search(): name, commune, start of the SIRET
    search_help_text = "Nom, commune ou début du SIRET (sans tenir compte des accents)."
    filter_horizontal = ["sectors"]
    inlines = [ContactInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "siret", "kind", "ess_member", "sectors", "archived"]}),
        ("Coordonnées", {"fields": ["address", "postal_code", "commune", "phone", "email", "website"]}),
        ("Plaquette de l'ESS", {"fields": ["description"]}),
        ("Suivi", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]


@admin.register(Contact)
class ContactAdmin(ManagerOnly, admin.ModelAdmin):
    list_display = ["name", "role", "company", "phone", "email"]
    list_select_related = ["company"]
    search_fields = ["name", "role", "company__name"]
    autocomplete_fields = ["company"]
