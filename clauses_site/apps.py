from django.apps import AppConfig


class ClausesSiteConfig(AppConfig):
    name = "clauses_site"
    verbose_name = "site"
