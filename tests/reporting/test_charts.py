"""The SVG charts: what they draw, their text alternative, and safe labels."""

import datetime
import re
from decimal import Decimal

from hours.queries import Progress
from reporting import charts

D = Decimal


def test_bar_chart_one_bar_per_month_with_a_text_alternative():
    points = [(datetime.date(2025, m, 1), D(v)) for m, v in ((1, "216.67"), (2, "130.50"), (3, 0))]
    chart = charts.bar_chart("Heures réalisées par mois", points)
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert chart.rows == (
        ("janv. 2025", "216,67\xa0h"),
        ("févr. 2025", "130,50\xa0h"),
        ("mars 2025", "0,00\xa0h"),
    )
    assert "janv. 2025 : 216,67\xa0h" in chart.desc
    assert svg.count("<rect") == 3
    # Round axis steps: 0, 100, 200, 300 for a top of 216,67 (a quarter, 54, rounds up to 100).
    assert re.findall(r'text-anchor="end" fill="#5b6670">([^<]+)<', svg) == ["0", "100", "200", "300"]


def test_hbar_masked_cells_get_no_bar_and_labels_are_escaped():
    chart = charts.hbar_chart("Personnes", {"Femmes": "< 3", "<script>": 4, "Vide": 0}, hide_zero=True)
    svg = str(chart.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert chart.rows == (("Femmes", "< 3"), ("<script>", "4"))
    assert svg.count('fill="#0b4f6c"') == 1  # one bar: the masked cell has none
    assert "&lt; 3" in svg


def test_hbar_highlights_positive_outcomes():
    chart = charts.hbar_chart("Sorties", {"CDI": 2, "Abandon": 1}, highlight=("CDI",))
    assert str(chart.svg).count(charts.POSITIVE) == 1


def test_gauge_is_not_capped_in_its_text():
    chart = charts.gauge("Taux", D("1.0833"))
    assert "108,3\xa0%" in str(chart.svg) and charts.POSITIVE in str(chart.svg)
    assert "48,6\xa0%" in str(charts.gauge("Taux", D("0.4862")).svg)
    assert "0,0\xa0%" in str(charts.gauge("Taux", D(0)).svg)


def test_progress_bar():
    late = Progress(D(1000), D(300), D(500), D("0.3"), True)
    bar = str(charts.progress_bar(late))
    assert 'role="img"' in bar and "en retard" in bar and "attendu à date 500,00 h" in bar
    assert 'class="pbar-done pbar-late" style="width:30.0%"' in bar  # done: 300 of 1 000
    assert 'class="pbar-due" style="width:50.0%"' in bar  # the tick at the expected 500


def test_progress_bar_names_the_last_collected_month():
    late = Progress(D(1000), D(300), D(500), D("0.3"), True, expected_through=datetime.date(2026, 10, 1))
    assert "attendu à fin octobre 2026 500,00 h" in str(charts.progress_bar(late))
    done = str(charts.progress_bar(Progress(D(100), D(120), None, D("1.2"), False)))
    assert 'class="pbar-done pbar-full" style="width:100.0%"' in done and "pbar-due" not in done
    assert charts.progress_bar(Progress(D(0), D(5), None, D(0), False)) == ""
    assert 'style="width:150px"' in str(charts.progress_bar(late, width=150))
