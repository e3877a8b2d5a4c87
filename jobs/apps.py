from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "traitements"

    def ready(self):
        from clauses_site import listing
        from jobs import exports

        listing.export_in_background(exports.start_list_export)
