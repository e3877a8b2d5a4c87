"""Issue 11, part 4: digits other than ASCII are refused in hours, in the grid and in the import.

Python's \\d and Decimal() read « ١٥ » (Arabic-Indic), « ۱۵ » (Persian), « １５ » (full-width) or « १५ »
(Devanagari) as 15: a value nobody can read back in the spreadsheet or the grid."""

import pytest
from django.core.exceptions import ValidationError

from hours import grid
from hours.models import HoursEntry
from hours.suivi import run_import
from hours.suivi.cells import CellError, decimal_of, hours_of
from tests.hours.suivi import as_file, line, workbook

NOT_ASCII = ["١٥", "۱۵", "１５", "१५", "15,٥", "1٥1.67", "１５１,６７ h"]
IMPORT_MESSAGE = "nombre attendu (virgule ou point décimal, par exemple 151,67)"


@pytest.mark.parametrize("typed", NOT_ASCII)
def test_grid_refuses_digits_other_than_ascii(typed):
    with pytest.raises(ValidationError) as error:
        grid.parse_hours(typed)
    assert error.value.messages == ["Saisissez un nombre (ex. 151,67)."]


def test_grid_still_reads_ascii_hours():
    assert str(grid.parse_hours("151,67")) == "151.67" and str(grid.parse_hours(" 35 h")) == "35.00"


@pytest.mark.parametrize("typed", NOT_ASCII)
def test_import_number_readers_refuse_digits_other_than_ascii(typed):
    for reader in (decimal_of, hours_of):
        with pytest.raises(CellError, match=r"^nombre attendu \(virgule"):
            reader(typed)


@pytest.mark.django_db
def test_import_refuses_them_in_every_number_column():
    rows = [
        line(hours="١٥"),
        line(month="04/2025", hours="１５１,６７"),
        line(month="05/2025", training_hours="۱۴"),
        line(month="06/2025", planned_hours="٨٣٣"),
    ]
    report = run_import(as_file(workbook(rows)), file_name="suivi.xlsx")
    assert not report.imported and not HoursEntry.objects.exists()
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (2, "Heures", "١٥", IMPORT_MESSAGE),
        (3, "Heures", "１５１,６７", IMPORT_MESSAGE),
        (4, "Heures formation", "۱۴", IMPORT_MESSAGE),
        (5, "Heures prévues", "٨٣٣", IMPORT_MESSAGE),
    ]
