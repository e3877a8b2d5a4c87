"""The monthly grid's cells as a form: one hours field and one training field per editable row, each
with a hidden field holding the value the page was rendered with, and reading a grid's POST (its cells as
fields, or in one JSON field « cellules »). Shared by the team's grid (hours/views_grid.py) and a
company's monthly declaration in its space (spaces/views_declaration.py, issue 16): the same cells, the
same rules (hours.grid.parse_hours) and the same messages. Imports hours.grid only."""

import json
import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from hours import grid


class QuickInput:
    """An <input> rendered without the template engine (a grid has four inputs a row, thousands on a big
    lot: rendering them by template took most of the page's time), as Django's input.html renders it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
        html = [f'<input type="{kind}" name="{name}"']
        if widget["value"] is not None:
            html.append(f' value="{conditional_escape(widget["value"])}"')
        for key, setting in widget["attrs"].items():
            if setting is True:
                html.append(f" {conditional_escape(key)}")
            elif setting is not False:
                html.append(f' {conditional_escape(key)}="{conditional_escape(setting)}"')
        return mark_safe("".join(html) + ">")


class HoursCellInput(QuickInput, forms.TextInput):
    """A grid cell: text (so that « 151,67 » is accepted as typed), decimal keypad on mobiles."""

    def __init__(self, attrs=None):
        base = {
            "class": "form-control form-control-sm num grid-cell",
            "inputmode": "decimal",
            "autocomplete": "off",
            "spellcheck": "false",
            "size": "6",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value  # as typed (re-displayed on error)
        return grid.format_hours(value)


class HoursCellField(forms.Field):
    widget = HoursCellInput

    def to_python(self, value):
        return grid.parse_hours(value)


class OriginalCellInput(QuickInput, forms.HiddenInput):
    """The value a cell was rendered with (« 151,67 », empty), posted back to tell what the user changed."""

    def format_value(self, value):
        if value is None or value == "":
            return ""
        return value if isinstance(value, str) else grid.format_hours(value)


def cell_name(kind, row):
    """h12 / t12: hours worked / training hours of assignment 12; oh12 / ot12: the values they were
    rendered with."""
    return f"{kind}{row.key}"


CELLS_FIELD = "cellules"
_CELL_NAME = re.compile(r"o?[ht][0-9]+")
UNREADABLE_CELLS = (
    "Grille illisible : les cellules envoyées ne sont pas au format attendu. Rechargez la page de la grille, "
    "puis saisissez à nouveau."
)


def posted_cells(post):
    """A grid's POST as a dict, its cells as fields (h12, oh12…), as a browser without JavaScript posts them.

    The page's JavaScript (static/js/grid.js) sends them in one field instead, « cellules »: a JSON object
    {cell name: value as typed} holding the values every row was rendered with and the cells changed
    (a cell left out is unchanged), so that a grid of 1 100 rows is a handful of fields, not 4 400
    (DATA_UPLOAD_MAX_NUMBER_FIELDS). Raises BadRequest (400) when that field is not such an object."""
    data = {name: post.get(name) for name in post if name != CELLS_FIELD}  # a dict: no deep copy
    if CELLS_FIELD not in post:
        return data
    try:
        cells = json.loads(post[CELLS_FIELD])
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        cells = None
    if not isinstance(cells, dict) or not all(
        _CELL_NAME.fullmatch(name) and isinstance(value, str) for name, value in cells.items()
    ):
        raise BadRequest(UNREADABLE_CELLS)
    data.update(cells)
    return data


def _lenient(value):
    """A posted cell without a field (row validated meanwhile, or gone): its value, or the text as posted
    when it is not a number (still different from any number: a change)."""
    try:
        return grid.parse_hours(value)
    except ValidationError:
        return str(value)


def _cell(initial, label, widget_class, attrs=None):
    """A cell's field; its widget made from its class (a widget instance is deep-copied by the field:
    thousands of copies for a big grid)."""
    field = HoursCellField(required=False, initial=initial, label=label, widget=widget_class)
    field.widget.attrs.update(attrs or {})
    return field


class GridForm(forms.Form):
    """One hours field and one training field per editable row (validated rows have none), each with a hidden
    field holding the value the page was rendered with.

    A row counts as shown by the page when its hidden originals are posted; the editable rows the POST
    does not have (added meanwhile, re-opened meanwhile) are filled in with the values stored now, as if
    shown unchanged: they are displayed as they are and never written."""

    def __init__(self, rows, data=None, *args, **kwargs):
        self.unshown = set()  # keys of the editable rows the POST did not have
        if data is not None:
            data = data.copy()
            for row in rows:
                if row.editable and cell_name("oh", row) not in data:
                    self.unshown.add(row.key)
                    for column, value in zip(grid.COLUMNS, grid.stored_cells(row.entry), strict=True):
                        data[cell_name(column, row)] = data[cell_name("o" + column, row)] = grid.format_hours(
                            value
                        )
        super().__init__(data, *args, **kwargs)
        self.rows = rows
        for row in rows:
            if not row.editable:
                continue
            person = str(row.assignment.participant)
            hours, training = grid.stored_cells(row.entry)
            for column, value, kind in (("h", hours, "travaillées"), ("t", training, "de formation")):
                self.fields[cell_name(column, row)] = _cell(
                    value,
                    f"{person} — heures {kind}",
                    HoursCellInput,
                    {"aria-label": f"Heures {kind} — {person}", "data-col": column},
                )
            for column, value in (("h", hours), ("t", training)):
                label = f"{person} — valeur affichée ({column})"
                self.fields[cell_name("o" + column, row)] = _cell(value, label, OriginalCellInput)

    def clean(self):
        data = super().clean()
        for row in self.rows:
            if not row.editable:
                continue
            hours, training = data.get(cell_name("h", row)), data.get(cell_name("t", row))
            if hours is not None and training is not None and hours + training > grid.MAX_MONTH_HOURS:
                self.add_error(
                    cell_name("t", row),
                    ValidationError(
                        f"Heures travaillées et de formation : au plus {grid.MAX_MONTH_HOURS} heures "
                        "ensemble dans un mois."
                    ),
                )
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def submitted(self):
        """{assignment pk: (original, typed)} for the rows the page showed (after is_valid()), each a pair
        (hours, training) of Decimals or None; rows validated meanwhile with their values as posted."""
        result = {}
        for row in self.rows:
            if row.key in self.unshown or cell_name("oh", row) not in self.data:
                continue
            original = tuple(self._posted(row, "o" + c) for c in grid.COLUMNS)
            typed = tuple(
                self._posted(row, c) if cell_name(c, row) in self.data else original[i]
                for i, c in enumerate(grid.COLUMNS)
            )
            result[row.key] = (original, typed)
        return result

    def _posted(self, row, kind):
        """A cell's value as posted: cleaned for an editable row, read as it comes for the others."""
        name = cell_name(kind, row)
        return self.cleaned_data.get(name) if row.editable else _lenient(self.data.get(name))

    def gone(self):
        """How many rows the page showed and the user changed are no longer in the grid (their assignment
        deleted, or moved out of the month or the lot): ignored."""
        keys = {str(row.key) for row in self.rows}
        count = 0
        for name in self.data:
            pk = name[2:]
            if not name.startswith("oh") or not pk.isdigit() or pk in keys:
                continue
            pairs = [(self.data.get(f"o{c}{pk}"), self.data.get(f"{c}{pk}")) for c in grid.COLUMNS]
            if any(typed is not None and _lenient(typed) != _lenient(original) for original, typed in pairs):
                count += 1
        return count

    def after_conflicts(self, submitted, conflicts):
        """The form re-displayed after a refused save: every cell the user changed keeps the typed value,
        every other cell shows the value stored now, and every original becomes the value stored now (so
        that saving again the same values overwrites, knowingly). The conflicting cells are marked."""
        data = {}
        for row in self.rows:
            if not row.editable:
                continue
            current = grid.stored_cells(row.entry)
            original, typed = submitted.get(row.key, (current, current))
            for i, column in enumerate(grid.COLUMNS):
                shown = typed[i] if typed[i] != original[i] else current[i]
                data[cell_name(column, row)] = grid.format_hours(shown)
                data[cell_name("o" + column, row)] = grid.format_hours(current[i])
        form = GridForm(self.rows, data)
        form.is_valid()
        for conflict in conflicts:
            if conflict.validated:
                continue
            name = cell_name(conflict.column, conflict.row)
            widget = form.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " grid-conflict border-warning border-2"
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}_conflict"
        return form

    def cells(self, row):
        """The bound fields of a row (hours, training), or (None, None) for a validated row."""
        if not row.editable:
            return None, None
        return self[cell_name("h", row)], self[cell_name("t", row)]

    def originals(self, row):
        """The hidden fields of a row's original values (hours, training), or (None, None)."""
        if not row.editable:
            return None, None
        return self[cell_name("oh", row)], self[cell_name("ot", row)]

    def conflict_list(self):
        """[(anchor id, label, message)] for the summary above a re-displayed grid, in row order."""
        result = []
        for row in self.rows:
            for column in grid.COLUMNS:
                conflict = row.conflicts.get(column)
                if conflict is None:
                    continue
                kind = "heures travaillées" if column == "h" else "heures de formation"
                anchor = f"grid-row-{row.key}" if conflict.validated else self[cell_name(column, row)].auto_id
                result.append((anchor, f"{row.assignment.participant} — {kind}", conflict.message))
        return result

    def error_list(self):
        """[(field id, label, message)] for the summary above the grid, in row order."""
        return [
            (self[name].auto_id, self.fields[name].label, message)
            for name, messages in self.errors.items()
            if name in self.fields
            for message in messages
        ]
