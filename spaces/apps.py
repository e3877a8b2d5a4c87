from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "spaces"
    verbose_name = "espaces des entreprises et des donneurs d'ordre"
