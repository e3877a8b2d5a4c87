"""Access matrix of the tracking-sheet import and export (personal data: editors only)."""

from tests.access_shapes import EDITORS_ONLY, POST_ONLY


def _batch(**fields):
    from hours.models import ImportBatch

    return ImportBatch.objects.create(file_name="suivi.xlsx", **fields)


def _refused_batch():
    from django.core.files.base import ContentFile

    from hours.models import ImportBatch
    from hours.suivi import ImportReport
    from tests.hours.suivi import line, workbook

    report = ImportReport(file_name="suivi.xlsx", sheet="Heures")
    report.add_error(2, "Heures", 800, "au plus 744 heures dans un mois (31 jours × 24 h)", 26)
    batch = _batch(status=ImportBatch.Status.REFUSED, report=report.to_dict(), error_count=1)
    batch.file.save("suivi.xlsx", ContentFile(workbook([line(hours=800)])))
    return batch


MATRIX = {
    "hours:import_upload": EDITORS_ONLY,
    "hours:import_list": EDITORS_ONLY,
    "hours:import_detail": EDITORS_ONLY,
    "hours:import_confirm": POST_ONLY,
    "hours:import_cancel": POST_ONLY,
    "hours:import_annotated": EDITORS_ONLY,
    "hours:export_suivi": EDITORS_ONLY,
}

URL_KWARGS = {
    "hours:import_detail": lambda: {"pk": _batch().pk},
    "hours:import_confirm": lambda: {"pk": _batch().pk},
    "hours:import_cancel": lambda: {"pk": _batch().pk},
    "hours:import_annotated": lambda: {"pk": _refused_batch().pk},
}
