"""Import and export of the team's tracking spreadsheet (« tableau de suivi des heures »), format in
docs/formats/suivi-xlsx.md.

    report = run_import(path_or_file, file_name="suivi.xlsx", user=user, dry_run=False)

Three steps:
1. read: the upload is checked before anything parses it (archive.py: first bytes, zip, sizes, macros,
   DOCTYPE; reading.py: shared strings; scan.py: the sheet's rows, columns and table size), then
   python-calamine reads the sheet (cached values of formulas); row 1 holds the titles, matched
   ignoring case, accents, spaces and a trailing `*`;
2. plan: every row is normalised and validated; buyers, markets, lots, clauses, companies, participants,
   assignments and monthly entries are matched against what the database holds (prefetched into
   dicts keyed by their matching keys: no query per row) or planned for creation;
3. apply (unless dry_run or any error): everything is written in ONE transaction (new records by
   inserts.py, the rows bulk_create would write, by COPY on PostgreSQL; changes by bulk_update). A
   file with any invalid row writes nothing.

What a sheet repeats is worked out once (the import against its floor, issue 14: the bare parse of the
file by calamine, bench/bench_import.py): each column's distinct values are parsed once, and so is each
distinct contract (a row's values but its month and hours: rows.RowParser), whose objects are resolved
once (planner.Planner.resolve); the new entries are planned and written as columns of values, not model
instances; the entries the database holds are read as rows, each distinct value converted once; the
collector of reference cycles is paused while the import runs (run.cycle_collector_paused).

The modules, in the order of the work: format (the columns and their kinds, shared with the export),
archive (the first bytes and the zip, checked before anything is parsed), scan (the sheet's XML within
limits), reading (the workbook and its sheet's rows), cells (one cell: text, numbers, dates, months,
vocabularies), rows (the title row and each data row), planner and matching (what exists, what to
create or update), apply and inserts (the writing), report (counts, warnings, errors), run (run_import),
annotate (the refused workbook with its faulty cells highlighted, read and written by openpyxl),
batches (an upload's preview, confirmation or cancellation), export (written by
clauses_site.exports).

The report counts created / updated / unchanged objects per kind and lists every error as
(row number as the spreadsheet shows it, column title, value, reason in French).

Policy where the format is silent (see the tests of tests/hours/test_import_*.py):
- hours of an existing (assignment, month) are replaced (the spreadsheet is the source), and the
  entry becomes validated, with who/when/which file, when the importer may validate hours
  (`clauses_site.roles.can_validate`; user=None is the system: the command run without --user);
- an importer who may not validate creates and changes entries as drafts (someone who may validates
  them later) and never changes a validated entry: such a row is refused (« validée le … par … : à
  rouvrir d'abord »), so the whole file is; a row giving a validated entry its recorded hours is
  unchanged;
- a contract's end, modality, credited company and job come from the spreadsheet (an empty cell keeps
  what is recorded);
- other descriptive data of existing records (a person's commune, QPV, level, prescriber, publics;
  a lot's title; a company's SIRET; a market's operation) are only filled when empty (publics are
  added), never overwritten: a difference is reported as a warning.
"""

from hours.suivi.annotate import annotated_workbook
from hours.suivi.archive import UnreadableFile, max_rows, sniff
from hours.suivi.export import export_filename, write_suivi
from hours.suivi.format import COLUMNS, KINDS
from hours.suivi.report import ImportReport
from hours.suivi.run import file_digest, run_import

__all__ = [
    "COLUMNS",
    "KINDS",
    "ImportReport",
    "UnreadableFile",
    "annotated_workbook",
    "export_filename",
    "file_digest",
    "max_rows",
    "run_import",
    "sniff",
    "write_suivi",
]
