"""The one way of writing a PDF: WeasyPrint, tagged for PDF/UA-1 (a structure tree of headings,
paragraphs, lists, tables with their header cells, figures with their text alternative), so that a
screen reader follows the bilans and brochures that buyers republish.

    pdf = write_pdf(html, base_url=str(settings.BASE_DIR), stylesheets=[css])

The HTML gives what PDF/UA asks of the document: the language (`<html lang="fr">`, the catalog's /Lang),
the title (`<title>`, the Title shown instead of the file name), real headings from h1 without skipped
levels, `<th scope="col">` headers, an `alt` on every image and a `<title>` on every SVG (WeasyPrint takes
a figure's /Alt from these only).
"""

PDF_VARIANT = "pdf/ua-1"


def write_pdf(html, base_url, stylesheets=None):
    """The PDF of a standalone HTML document, as bytes."""
    from weasyprint import HTML  # imported on first use: slow to import, and only the PDFs need it

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets, pdf_variant=PDF_VARIANT)
