"""The entry point of the import: run_import reads, plans and (unless a dry run or any error) writes a
tracking sheet in one transaction (hours/suivi/__init__.py says the whole plan)."""

import gc
import hashlib
import logging
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import IntegrityError, transaction

from hours.suivi.apply import ValidatedMeanwhile
from hours.suivi.archive import UnreadableFile
from hours.suivi.planner import Planner
from hours.suivi.reading import open_workbook
from hours.suivi.report import ImportReport
from hours.suivi.rows import read_rows

logger = logging.getLogger(__name__)


def file_digest(source):
    digest = hashlib.sha256()
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    else:
        pos = source.tell()
        source.seek(0)
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
        source.seek(pos)
    return digest.hexdigest()


@contextmanager
def cycle_collector_paused():
    """Python's collector of reference cycles paused: an import builds hundreds of thousands of objects
    that live until it ends (rows, values, plans), and each of the collector's passes would walk them
    all again (~10 % of an import of 50 000 rows). Nothing the import builds needs it (its objects are
    freed by their reference counts); it runs again, as before, once the import is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_import(source, *, file_name=None, user=None, dry_run=False, batch=None, progress=None):
    """Import a tracking spreadsheet (a path or a binary file object). Never raises on bad input:
    an unreadable file gives a report with `fatal` set, invalid rows a report with errors (and
    nothing written). dry_run: validate and count without writing."""
    with cycle_collector_paused():
        return _run_import(source, file_name, user, dry_run, batch, progress)


def _run_import(source, file_name, user, dry_run, batch, progress):
    started = time.monotonic()
    if file_name is None:
        file_name = Path(source).name if isinstance(source, (str, Path)) else "classeur.xlsx"
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    try:
        sheet = open_workbook(source)
    except UnreadableFile as exc:
        report.fatal = str(exc)
        return report
    report.sheet = sheet.title
    try:
        parser, rows = read_rows(sheet, report, progress)
    except UnreadableFile as exc:
        report.fatal = str(exc)
        return report
    except Exception:  # a damaged sheet inside a valid archive (logged, never shown)
        logger.warning("sheet %s unreadable", sheet.title, exc_info=True)
        report.fatal = "le classeur n'a pas pu être lu jusqu'au bout : la feuille est endommagée."
        return report
    finally:
        sheet.close()
    if not report.rows_read:
        report.warn("Aucune ligne de données sous la ligne des titres.")
    planner = Planner(report, parser, user, file_name)
    partial = bool(report.error_count)
    with transaction.atomic():
        planner.plan(rows, partial=partial)
        if not report.error_count and not dry_run:
            try:
                with transaction.atomic():
                    planner.apply(batch, progress)
            except IntegrityError as exc:
                report.add_error(
                    1, "—", "", f"l'enregistrement a échoué (modification simultanée ?) : {exc}".strip()
                )
            except ValidatedMeanwhile:
                pass  # the rows are in the report
            else:
                report.imported = True
                planner.in_past_tense()
    report.errors.sort(key=lambda e: (e.row, e.col or 0))
    report.seconds = round(time.monotonic() - started, 2)
    return report
