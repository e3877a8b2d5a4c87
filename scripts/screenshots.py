"""Takes the README's captures from a running Clauses: docs/login.png (1280x800), docs/dashboard.png (the
whole home page, 1280 wide), docs/pipeline.png (the pipeline's board, conversion and calendar, 1280
wide), docs/grid.png (a lot's monthly hours grid) and docs/market.png (a market in execution).

Usage: ./run in one terminal, then .venv/bin/python scripts/screenshots.py [BASE_URL] (default
http://127.0.0.1:8000). Logs in as the demo account "responsable" with Debian's Chromium.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
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

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(
        viewport={"width": 1280, "height": 800}, locale="fr-FR", timezone_id="Europe/Paris"
    )
    page.goto(f"{BASE}/connexion/")
    page.screenshot(path=DOCS / "login.png")
    page.get_by_label("Identifiant").fill("responsable")
    page.get_by_label("Mot de passe").fill("demo-clauses")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / "dashboard.png", full_page=True)
    page.goto(f"{BASE}/marches/pipeline/")
    page.wait_for_load_state("networkidle")
    height = min(page.evaluate("document.documentElement.scrollHeight"), 1900)
    page.screenshot(
        path=DOCS / "pipeline.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height}
    )
    # The grid of the lot listed first for last month (lots still to enter come first), then a market.
    page.goto(f"{BASE}/heures/saisie/?mois=2026-10&miens=0")
    page.locator("main table a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / "grid.png")
    page.goto(f"{BASE}/marches/?stage=execution")
    page.locator("main table a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / "market.png")
    browser.close()
print(
    ", ".join(
        str(DOCS / name) for name in ("login.png", "dashboard.png", "pipeline.png", "grid.png", "market.png")
    )
)
