"""Layout checker for the PDFs the application prints (WeasyPrint), read back with poppler's
`pdftotext -bbox-layout`. Used by tests/reporting/test_pdf_layout.py and bench/bench_pdf_layout.py.

`problems(data, margins)` lists, page by page, what a reader would see as broken:
- two words that overlap (same line, or any two words whose boxes cross: text printed over text);
- a word outside the page's text area (the page box minus its margins), horizontally for every word,
  vertically for the body (running headers and footers live wholly inside the top and bottom margins);
- a unit (« h », « % », « € », « HT ») that starts a line on its own, cut from its figure;
- figures run together (« 224 887,5365 620,17 »: a decimal comma followed by three digits or more —
  two cells that touch are read by poppler as one word, which the overlap test cannot see);
- a word with no ink under it on the rendered page (pdftoppm): text clipped away by its box, as the
  « h » of a large figure at the end of a chart bar (poppler extracts clipped text all the same);
- a heading (a line starting with one of the caller's `headings`) alone at the foot of a page.
An empty list means the layout is clean.
"""

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

MM = 72 / 25.4  # PDF points per millimetre
TOLERANCE = 0.5  # pt: glyph boxes that merely touch are not an overlap
UNITS = {"h", "%", "€", "HT", "h)", "%)"}
_NS = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    line: int  # index of its line on the page (pdftotext's grouping)

    def __str__(self):
        return f"« {self.text} » ({self.x0:.1f}, {self.y0:.1f})–({self.x1:.1f}, {self.y1:.1f})"


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: list  # list of lists of Word, in pdftotext's reading order

    @property
    def words(self):
        return [w for line in self.lines for w in line]


def read_pages(data):
    """The PDF's pages with their words' boxes (points, origin top left)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", "-enc", "UTF-8", handle.name, "-"],
            check=True,
            capture_output=True,
        ).stdout
    root = ElementTree.fromstring(out)
    pages = []
    for number, page in enumerate((e for e in root.iter() if _NS.sub("", e.tag) == "page"), start=1):
        lines, index = [], 0
        for line in (e for e in page.iter() if _NS.sub("", e.tag) == "line"):
            words = [
                Word(
                    number,
                    (w.text or "").strip(),
                    float(w.get("xMin")),
                    float(w.get("yMin")),
                    float(w.get("xMax")),
                    float(w.get("yMax")),
                    index,
                )
                for w in line
                if _NS.sub("", w.tag) == "word"
            ]
            if words:
                lines.append(words)
                index += 1
        pages.append(Page(number, float(page.get("width")), float(page.get("height")), lines))
    return pages


def _overlap(a, b):
    """How far two boxes cross, horizontally and vertically (negative: they do not)."""
    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
    dy = min(a.y1, b.y1) - max(a.y0, b.y0)
    return dx, dy


def overlaps(page):
    found = []
    words = sorted(page.words, key=lambda w: w.x0)
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b.x0 >= a.x1 - TOLERANCE:
                break
            dx, dy = _overlap(a, b)
            # Two lines of one paragraph may touch by their font boxes: a real overlap crosses by
            # more than a third of the smaller word's height.
            smaller = min(a.y1 - a.y0, b.y1 - b.y0)
            same_line = a.line == b.line
            if dx > TOLERANCE and (dy > smaller / 3 or (same_line and dy > 0)):
                found.append(f"p. {page.number} : {a} et {b} se chevauchent")
    return found


def outside(page, margins):
    """Words outside the text area; margins = (top, right, bottom, left) in mm."""
    top, right, bottom, left = (m * MM for m in margins)
    x_min, x_max = left - TOLERANCE, page.width - right + TOLERANCE
    y_min, y_max = top - TOLERANCE, page.height - bottom + TOLERANCE
    found = []
    for w in page.words:
        if w.x0 < x_min or w.x1 > x_max:
            found.append(f"p. {page.number} : {w} dépasse la marge {'gauche' if w.x0 < x_min else 'droite'}")
            continue
        in_header = w.y1 <= y_min + 2 * TOLERANCE and w.y0 >= 0
        in_footer = w.y0 >= y_max - 2 * TOLERANCE and w.y1 <= page.height
        if not (in_header or in_footer) and (w.y0 < y_min or w.y1 > y_max):
            found.append(f"p. {page.number} : {w} dépasse la marge {'haute' if w.y0 < y_min else 'basse'}")
    return found


def cut_units(page):
    """A unit alone at the start of a line: the figure before it is on another line."""
    found = []
    for line in page.lines:
        first = line[0]
        if first.text in UNITS:
            same_baseline = [
                w for w in page.words if w is not first and abs(w.y1 - first.y1) < 1 and w.x1 <= first.x0 + 1
            ]
            near = [w for w in same_baseline if first.x0 - w.x1 < (first.y1 - first.y0)]
            if not near:
                found.append(f"p. {page.number} : l'unité {first} est séparée de son nombre")
    return found


def lonely_headings(pages, headings, margins, lines_after=1):
    """A heading (a line matching one of the regular expressions `headings`) with fewer than
    `lines_after` body lines after it on its page."""
    bottom = margins[2] * MM
    found = []
    for page in pages:
        body = [ln for ln in page.lines if ln[0].y1 <= page.height - bottom + 1]
        body.sort(key=lambda ln: ln[0].y0)
        for i, line in enumerate(body):
            text = " ".join(w.text for w in line)
            if any(re.match(h, text) for h in headings):
                below = [ln for ln in body[i + 1 :] if ln[0].y0 > line[0].y1 - 1]
                if len(below) < lines_after:
                    found.append(f"p. {page.number} : le titre « {text} » est seul en bas de page")
    return found


MERGED_FIGURES = re.compile(r"\d,\d{3,}")


def merged_figures(page):
    return [
        f"p. {page.number} : des nombres se touchent dans {w}"
        for w in page.words
        if MERGED_FIGURES.search(w.text)
    ]


INK_CONTRAST = 64  # grey levels between a glyph and its background (a clipped glyph's edge: ~15)
INK_DPI = 72  # one pixel per point: the rendered image and the word boxes share coordinates


def rendered(data):
    """Each page rendered in grey by pdftoppm (PIL images, 72 dpi)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        pdf = f"{folder}/doc.pdf"
        with open(pdf, "wb") as handle:
            handle.write(data)
        subprocess.run(["pdftoppm", "-r", str(INK_DPI), "-gray", pdf, f"{folder}/p"], check=True)
        names = sorted(Path(folder).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        return [Image.open(name).copy() for name in names]


def invisible(page, image):
    """Words whose box is blank on the rendered page: clipped (or drawn white on white)."""
    found = []
    for w in page.words:
        if not re.search(r"[\w%€]", w.text):  # a thin dash or dot is too faint at 72 dpi to judge
            continue
        box = (int(w.x0), int(w.y0), max(int(w.x0) + 1, round(w.x1)), max(int(w.y0) + 1, round(w.y1)))
        low, high = image.crop(box).getextrema()
        if high - low < INK_CONTRAST:  # one flat colour (give or take antialiasing): no glyph there
            found.append(f"p. {page.number} : {w} n'est pas visible (coupé par son cadre ?)")
    return found


def problems(data, margins, first_page_margins=None, headings=(), unit_check=True):
    """Every layout problem of a PDF (empty list: clean). margins in mm (top, right, bottom, left)."""
    pages = read_pages(data)
    images = rendered(data)
    found = []
    for page, image in zip(pages, images, strict=True):
        page_margins = first_page_margins if (page.number == 1 and first_page_margins) else margins
        found += overlaps(page)
        found += outside(page, page_margins)
        found += merged_figures(page)
        found += invisible(page, image)
        if unit_check:
            found += cut_units(page)
    if headings:
        found += lonely_headings(pages, headings, margins)
    return found


# The margins of each kind of PDF (its @page rule), in mm: top, right, bottom, left.
BILAN_MARGINS = (17, 14, 17, 14)
BROCHURE_MARGINS = (16, 15, 18, 15)
BROCHURE_COVER_MARGINS = (0, 0, 0, 0)
UPCOMING_MARGINS = (14, 12, 16, 12)
PERSONAL_DATA_MARGINS = (14, 12, 16, 12)

# Lines that must not end a page: section titles, table captions, a market's row (its reference).
BILAN_HEADINGS = (
    "L'essentiel$",
    "Lots( et entreprises)?$",
    "Les heures$",
    "Les personnes$",
    "Les sorties$",
    "Méthode$",
    "Avancement des lots",
    "Entreprises créditées",
    r"[A-Z][A-Z0-9]*-\d{4}-\d{3} ",
)
