from django.apps import AppConfig


class ClausesSiteConfig(AppConfig):
    name = "clauses_site"
    verbose_name = "site"

    def ready(self):
        from clauses_site import security  # noqa: F401  (connects the login signal)
