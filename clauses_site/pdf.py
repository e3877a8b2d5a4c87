"""The one way of writing a PDF: WeasyPrint, tagged for PDF/UA-1 (a structure tree of headings,
paragraphs, lists, tables with their header cells, figures with their text alternative), so that a
screen reader follows the bilans and brochures that buyers republish.

    pdf = write_pdf(html, base_url=str(settings.BASE_DIR), stylesheets=[css])

The HTML gives what PDF/UA asks of the document: the language (`<html lang="fr">`, the catalog's /Lang),
the title (`<title>`, the Title shown instead of the file name), real headings from h1 without skipped
levels, `<th scope="col">` headers, an `alt` on every image and a `<title>` on every SVG (WeasyPrint takes
a figure's /Alt from these only).

Two things make it cheaper than WeasyPrint's defaults, with the same PDF:
- WeasyPrint's user-agent stylesheet without its rules for pseudo-elements our documents never have
  (footnote and note calls and markers: no `float: footnote` here; list markers: kept for `li`, the only
  list items). Those rules match every element, and each match is a style WeasyPrint computes: about
  six per element, a tenth of a 12-page bilan's time (bench/bench_pdf_layout.py). If a WeasyPrint
  upgrade changes these rules or the hook (`HTML._ua_stylesheets`), its own stylesheet is used.
- one font configuration per thread, kept between PDFs (fonts are found and loaded once, not for each
  document); our stylesheets declare no @font-face that it would accumulate.
"""

import functools
import re
import threading

PDF_VARIANT = "pdf/ua-1"

#: Rules of WeasyPrint's html5_ua.css for pseudo-elements that match every element.
_UNUSED_PSEUDO_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}\n", re.M)
_MARKER_RULE = "\n::marker {"

_local = threading.local()


@functools.cache
def _user_agent_stylesheet():
    """WeasyPrint's user-agent stylesheet without the rules of unused pseudo-elements, or None when its
    text is not the one this was written for (then WeasyPrint's own is used)."""
    from weasyprint import CSS, html
    from weasyprint.css.counters import CounterStyle

    text = getattr(html, "UA", "")
    lighter, removed = _UNUSED_PSEUDO_RULES.subn("", text)
    if removed != 5 or lighter.count(_MARKER_RULE) != 1:
        return None
    lighter = lighter.replace(_MARKER_RULE, "\nli::marker {")
    # Its @counter-style rules go to a throwaway dict: WeasyPrint's own (html.UA_COUNTER_STYLE, which
    # refuses a second « disc » or « decimal ») are those the documents use.
    return CSS(string=lighter, counter_style=CounterStyle())


@functools.cache
def _html_class():
    from weasyprint import HTML

    stylesheet = _user_agent_stylesheet()
    if stylesheet is None or not hasattr(HTML, "_ua_stylesheets"):
        return HTML

    class LighterHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            sheets = super()._ua_stylesheets(forms)
            return [stylesheet, *sheets[1:]]

    return LighterHTML


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_local, "font_config", None) is None:
        _local.font_config = FontConfiguration()
    return _local.font_config


def write_pdf(html, base_url, stylesheets=None):
    """The PDF of a standalone HTML document, as bytes."""
    document = _html_class()(string=html, base_url=base_url)
    return document.write_pdf(stylesheets=stylesheets, pdf_variant=PDF_VARIANT, font_config=_font_config())
