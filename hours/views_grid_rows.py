"""The rows of the monthly grid, written in Python: a lot of 1 100 people is 1 100 rows of about thirty
values each, which the template engine took most of a second to write (issue 14 item 2). The HTML is the
one the grid's template wrote (templates/hours/grid.html), row for row."""

from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from clauses_site.formatting import hours as french_hours

_PK = 2147483647  # stands for the record's pk in a URL reversed once


def _url_maker(name):
    """pk -> the URL named `name` for that pk, reversed once (a grid links each row twice)."""
    pattern = reverse(name, args=[_PK])
    return lambda pk: pattern.replace(str(_PK), str(int(pk)))


class GridRows:
    """Writes the rows of one page: `for_row(row, form)` -> the <tr> of one row (a SafeString)."""

    def __init__(self, month, month_end, here, company=None, can_validate=False):
        self.month, self.month_end, self.company = month, month_end, company
        self.retour = quote(here, safe="/")
        self.can_validate = can_validate
        self.person_url = _url_maker("participants:participant_detail")
        self.entry_url = _url_maker("hours:entry_detail")
        self.reopen_url = _url_maker("hours:entry_reopen")
        self._hours = {}

    def hours(self, value):
        """« 1 234,50 », as the |hours filter (the same values recur: computed once each)."""
        if value not in self._hours:
            self._hours[value] = escape(french_hours(value))
        return self._hours[value]

    def all(self, rows, form):
        return mark_safe("\n".join(self.for_row(row, form) for row in rows))

    def for_row(self, row, form):
        a = row.assignment
        key = int(row.key)
        locked = "" if row.editable else ' class="grid-locked"'
        where = f" · {escape(a.lot.market.reference)} — {escape(a.lot)}" if self.company is not None else ""
        employer = escape(a.employer)
        if a.employer_differs:
            employer += f'<div class="text-body-secondary">pour {escape(a.company)}</div>'
        html = [
            f'<tr data-row="{key}" id="grid-row-{key}"{locked}>\n'
            f'  <th scope="row" class="fw-normal">\n'
            f'    <a href="{self.person_url(a.participant_id)}" class="fw-semibold text-decoration-none" '
            f'tabindex="-1">{escape(a.participant)}</a>\n'
            f'    <div class="small text-body-secondary">{escape(a.job or "poste non précisé")}'
            f"{where}</div>\n"
            f"  </th>\n"
            f'  <td class="small">{employer}</td>\n'
            f"  {self._contract(a)}\n  ",
            *(self._reference(e) for e in row.previous),
            "\n",
        ]
        h, t = form.cells(row)
        if h is not None:
            oh, ot = form.originals(row)
            html.append(f"  {self._input(row, 'h', h, oh)}\n  {self._input(row, 't', t, ot)}\n")
            if row.entry is not None:
                # A company's declaration (issue 16): editable as a draft, validated the same way.
                declared = row.entry.status == row.entry.Status.DECLARED
                badge, label = ("text-bg-info", "Déclarée") if declared else ("text-bg-warning", "Brouillon")
                status = (
                    f'<a href="{self.entry_url(row.entry.pk)}" '
                    f'class="badge {badge} text-decoration-none" tabindex="-1" '
                    f'title="Voir la saisie et son historique">{label}</a>'
                )
            else:
                status = '<span class="badge text-bg-light border" data-new>Non saisi</span>'
            html.append(f'  <td class="text-nowrap">{status}</td>\n')
        else:
            html.append(self._validated(row))
        html.append("</tr>")
        return "".join(html)

    def _contract(self, a):
        period = f" au {a.ends_on:%d/%m/%Y}" if a.ends_on else ", sans date de fin"
        dates = ""
        starts_in_month = a.starts_on >= self.month
        ends_in_month = a.ends_on is not None and a.ends_on <= self.month_end
        if starts_in_month or ends_in_month:
            dates = "<br>"
            if starts_in_month:
                dates += f"depuis le {a.starts_on:%d/%m}"
            if ends_in_month:
                dates += f" jusqu'au {a.ends_on:%d/%m}"
        return (
            f'<td class="small" title="du {a.starts_on:%d/%m/%Y}{period}">'
            f"{escape(a.get_contract_type_display())}"
            f'<div class="text-body-secondary">{escape(a.get_modality_display())}{dates}</div></td>'
        )

    def _reference(self, entry):
        if entry is None:
            return '<td class="num text-body-secondary grid-ref"><span aria-hidden="true">·</span></td>'
        draft = "" if entry.is_validated else ' class="fst-italic" title="brouillon"'
        return (
            f'<td class="num text-body-secondary grid-ref"><span{draft}>{self.hours(entry.hours)}</span></td>'
        )

    def _input(self, row, column, cell, original):
        """The cell's input and its hidden original, its error (empty: filled by grid.js) and its conflict."""
        auto_id = cell.auto_id
        if cell.errors:
            error = (
                f'<div class="invalid-feedback d-block" id="{auto_id}_error">{escape(cell.errors[0])}</div>'
            )
        else:
            error = f'<div class="invalid-feedback" id="{auto_id}_error"></div>'
        conflict = row.conflicts.get(column)
        note = ""
        if conflict:
            take = ""
            if not conflict.to_check:
                take = (
                    f' <button type="button" class="btn btn-link btn-sm p-0 align-baseline grid-take" '
                    f'data-cell="{auto_id}" data-value="{escape(conflict.current_input)}" tabindex="-1">'
                    "reprendre cette valeur</button>"
                )
            note = (
                '<div class="grid-conflict-note small text-warning-emphasis">'
                '<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> '
                f'<span id="{auto_id}_conflict">{escape(conflict.message)}</span>{take}</div>'
            )
        return f'<td class="grid-input">{cell}{original}{error}{note}</td>'

    def _validated(self, row):
        entry = row.entry
        notes = {}
        for column, extra in (("h", " fw-normal"), ("t", "")):
            conflict = row.conflicts.get(column)
            notes[column] = (
                f'<div class="grid-conflict-note small text-warning-emphasis{extra} text-start">'
                '<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> '
                f"{escape(conflict.message)}</div>"
                if conflict
                else ""
            )
        training = self.hours(entry.training_hours) if entry.training_hours else ""
        by = ""
        if entry.validated_by is not None:
            by = f" par {escape(entry.validated_by.get_full_name() or entry.validated_by.username)}"
        when = f"{timezone.localtime(entry.validated_at):%d/%m/%Y}" if entry.validated_at else ""
        reopen = ""
        if self.can_validate:
            reopen = (
                f'<a href="{self.reopen_url(entry.pk)}?retour={self.retour}" '
                'class="btn btn-link btn-sm py-0" tabindex="-1">Rouvrir</a>'
            )
        return (
            f'  <td class="num fw-semibold" data-value="{entry.hours}" data-col="h">'
            f"{self.hours(entry.hours)}{notes['h']}</td>\n"
            f'  <td class="num" data-value="{entry.training_hours}" data-col="t">'
            f"{training}{notes['t']}</td>\n"
            '  <td class="text-nowrap">\n'
            f'    <a href="{self.entry_url(entry.pk)}" class="badge text-bg-success text-decoration-none" '
            f'tabindex="-1" title="Validée le {when}{by}"><i class="bi bi-lock-fill" aria-hidden="true"></i> '
            "Validée</a>\n"
            f"    {reopen}\n"
            "  </td>\n"
        )
