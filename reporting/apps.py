from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "bilans"

    def ready(self):
        from reporting.views_search import register_autocompletion

        register_autocompletion()
