"""The life of an uploaded tracking sheet (ImportBatch): previewed (a dry run, the file kept while it waits
for confirmation), then confirmed (imported for real, the file deleted once the import is committed) or
cancelled. The screens (hours/views_import.py) check who may, and say what happened."""

import re
import unicodedata
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hours.models import ImportBatch
from hours.suivi.run import file_digest, run_import


def store_report(batch, report):
    batch.rows_read = report.rows_read
    batch.entries_created = report.counts["entries"].created
    batch.entries_updated = report.counts["entries"].updated
    batch.entries_unchanged = report.counts["entries"].unchanged
    batch.error_count = report.error_count
    batch.report = report.to_dict()


def _already_imported_warning(report, digest):
    earlier = (
        ImportBatch.objects.filter(sha256=digest, status=ImportBatch.Status.IMPORTED)
        .order_by("-imported_at")
        .first()
    )
    if earlier is not None:
        when = timezone.localtime(earlier.imported_at)
        report.warnings.insert(
            0,
            f"Ce fichier a déjà été importé le {when:%d/%m/%Y à %H:%M} : l'importer à nouveau "
            "ne change que ce qui a été modifié depuis.",
        )
        report.warning_count += 1


def stored_name(name, suffix=".xlsx", limit=80):
    """« Suivi heures – Dunkerque été.xlsx » → « Suivi-heures-Dunkerque-ete.xlsx »: ASCII, at most
    `limit` characters before the suffix (a file name from the user, written to disk)."""
    stem = re.sub(r"\.xlsx$", "", name, flags=re.IGNORECASE)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:limit].strip("-._")
    return f"{stem or 'suivi'}{suffix}"


def preview(upload, name, user, progress=None):
    """A dry run of an uploaded file: (report, batch). An unreadable file: no batch (report.fatal says
    why). Otherwise a batch, saved with its report and the file: pending, or refused when a row is
    invalid (its annotated workbook can then be downloaded). progress: as run_import's (the job of
    jobs/imports.py)."""
    report = run_import(upload, file_name=name, user=user, dry_run=True, progress=progress)
    if report.fatal:
        return report, None
    digest = file_digest(upload)
    upload.seek(0)
    batch = ImportBatch(
        file_name=name,
        file_size=upload.size,
        sha256=digest,
        uploaded_by=user,
        status=ImportBatch.Status.REFUSED if report.refused else ImportBatch.Status.PENDING,
    )
    _already_imported_warning(report, digest)
    store_report(batch, report)
    # Stored under a short ASCII name (the user's is kept in file_name): a file system takes 255 bytes
    # per name, which 128 accented letters already fill.
    batch.file.save(stored_name(name), ContentFile(upload.read()), save=False)
    batch.save()
    return report, batch


def _delete_file_on_commit(batch):
    transaction.on_commit(partial(batch.file.storage.delete, batch.file.name))
    batch.file = ""


def confirm(batch, user, progress=None):
    """Import a pending batch's file for real with `user`'s rights (the caller holds the batch locked and
    checked it is pending and has its file). Imported: the report says what was done and the workbook
    (personal data) is deleted once committed; refused: nothing written. Saves the batch; returns the
    report."""
    with batch.file.open("rb") as fh:
        report = run_import(fh, file_name=batch.file_name, user=user, batch=batch, progress=progress)
    store_report(batch, report)
    if report.imported:
        batch.status = ImportBatch.Status.IMPORTED
        batch.imported_at = timezone.now()
        batch.uploaded_by = user
        _delete_file_on_commit(batch)
    else:
        batch.status = ImportBatch.Status.REFUSED
    batch.save()
    return report


def cancel(batch):
    """A pending batch cancelled: its file deleted once committed. False when it is no longer pending —
    the status is read again under the batch's row lock, so that a confirmation under way (which holds the
    lock until it commits) is waited for and never marked cancelled after it wrote its hours."""
    with transaction.atomic():
        current = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        if current is None or current.status != ImportBatch.Status.PENDING:
            if current is not None:
                batch.status = current.status
            return False
        if current.file:
            _delete_file_on_commit(current)
        current.status = ImportBatch.Status.CANCELLED
        current.save(update_fields=["status", "file"])
    batch.status, batch.file = current.status, current.file
    return True
