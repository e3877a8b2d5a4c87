"""Takes the README's captures from a running Clauses: docs/login.png (1280x800), docs/dashboard.png (the
whole home page, 1280 wide), docs/pipeline.png (the pipeline's board, conversion and calendar, 1280
wide), docs/grid.png (a lot's monthly hours grid), docs/market.png (a market in execution), and the phone
captures (390 wide, as on a phone): docs/dashboard-phone.png (the top of the home page) and
docs/grid-phone.png (the grid, whole page); the spaces (issue 16), logged in as the demo's external
accounts: docs/space-company.png (« entreprise »: its lots and months to declare) and
docs/space-declaration.png (its declaration of the month being collected), docs/space-buyer.png
(« donneur »: its markets).

Usage: ./run in one terminal, then .venv/bin/python scripts/screenshots.py [BASE_URL] [NAME…]
(default http://127.0.0.1:8000, every capture; NAME, e.g. grid-phone, takes only those). Logs in as the
demo account "responsable" with Debian's Chromium.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGV = sys.argv[1:]
BASE = (ARGV.pop(0) if ARGV and "://" in ARGV[0] else "http://127.0.0.1:8000").rstrip("/")
DOCS = Path(__file__).resolve().parent.parent / "docs"
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}  # a phone's screen in CSS pixels
GRID = f"{BASE}/heures/saisie/?mois=2026-10&miens=0"  # lots still to enter come first


def log_in(page, username="responsable", heading="Tableau de bord"):
    page.goto(f"{BASE}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("demo-clauses")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name=heading).wait_for()
    page.wait_for_load_state("networkidle")


def home(page):
    page.goto(f"{BASE}/")
    page.wait_for_load_state("networkidle")


def dashboard(page):
    home(page)
    page.screenshot(path=DOCS / "dashboard.png", full_page=True)


def pipeline(page):
    page.goto(f"{BASE}/marches/pipeline/")
    page.wait_for_load_state("networkidle")
    height = min(page.evaluate("document.documentElement.scrollHeight"), 1900)
    page.screenshot(
        path=DOCS / "pipeline.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height}
    )


def grid(page, name="grid.png", full_page=False):
    """The grid of the lot listed first for last month."""
    page.goto(GRID)
    page.locator("main table a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / name, full_page=full_page)


def market(page):
    page.goto(f"{BASE}/marches/?stage=execution")
    page.locator("main table a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / "market.png")


def dashboard_phone(page):
    """Two screens' worth of the home page: the filters, the headline figures, the lots at risk."""
    home(page)
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2 * PHONE["height"])
    page.screenshot(
        path=DOCS / "dashboard-phone.png",
        full_page=True,
        clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height},
    )


def grid_phone(page):
    grid(page, "grid-phone.png", full_page=True)


def space_company(page):
    page.screenshot(path=DOCS / "space-company.png", full_page=True)


def space_declaration(page):
    page.locator("main a[href*='/espace/declarations/']").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / "space-declaration.png", full_page=True)


def space_buyer(page):
    height = min(page.evaluate("document.documentElement.scrollHeight"), 1600)
    page.screenshot(
        path=DOCS / "space-buyer.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height}
    )


#: name -> (log-in, heading of its landing page, take): each in a context of its own, on the desktop.
EXTERNAL = {
    "space-company": ("entreprise", "Mes lots avec clause d'insertion", space_company),
    "space-declaration": ("entreprise", "Mes lots avec clause d'insertion", space_declaration),
    "space-buyer": ("donneur", "Mes marchés avec clause d'insertion", space_buyer),
}

# name -> (viewport, take); the login page is taken before logging in.
CAPTURES = {
    "dashboard": (DESKTOP, dashboard),
    "pipeline": (DESKTOP, pipeline),
    "grid": (DESKTOP, grid),
    "market": (DESKTOP, market),
    "dashboard-phone": (PHONE, dashboard_phone),
    "grid-phone": (PHONE, grid_phone),
}
wanted = ARGV or ["login", *CAPTURES, *EXTERNAL]
unknown = set(wanted) - {"login", *CAPTURES, *EXTERNAL}
if unknown:
    known = ", ".join([*CAPTURES, *EXTERNAL])
    sys.exit(f"Captures inconnues : {', '.join(sorted(unknown))} (au choix : login, {known})")

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    for viewport in (DESKTOP, PHONE):
        names = [n for n in wanted if n in CAPTURES and CAPTURES[n][0] is viewport]
        if not names and not (viewport is DESKTOP and "login" in wanted):
            continue
        context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        if viewport is DESKTOP and "login" in wanted:
            page.goto(f"{BASE}/connexion/")
            page.screenshot(path=DOCS / "login.png")
        log_in(page)
        for name in names:
            CAPTURES[name][1](page)
        context.close()
    for name in (n for n in wanted if n in EXTERNAL):
        username, heading, take = EXTERNAL[name]
        context = browser.new_context(viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        log_in(page, username, heading)
        take(page)
        context.close()
    browser.close()
print(", ".join(str(DOCS / f"{name}.png") for name in wanted))
