"""The direction of imports of design.md, checked on the real import graph (grimp, which import-linter
is built on), module by module:

- domain code imports one way: companies and participants import none of our apps; markets may import
  companies; hours the three; partnerships the four; reporting all; no domain code imports reporting
  (or anything above its own level);
- domain code imports from clauses_site only the modules that import none of our apps (text, vocabulary,
  exports…), never the screens' infrastructure;
- screens (views*, urls, forms*, filters, tables, admin, templatetags, management) may read any app's
  domain code, but never another app's screens.
"""

import grimp
import pytest

APPS = ["companies", "participants", "markets", "hours", "partnerships", "reporting"]
MAY_IMPORT = {
    "companies": set(),
    "participants": set(),
    "markets": {"companies"},
    "hours": {"companies", "participants", "markets"},
    "partnerships": {"companies", "participants", "markets", "hours"},
    "reporting": {"companies", "participants", "markets", "hours", "partnerships"},
}
SCREEN_PREFIXES = ("views", "urls", "forms", "filters", "tables", "admin", "templatetags", "management")
NOT_CHECKED = ("migrations", "apps")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("clauses_site", *APPS, include_external_packages=False)


def kind(module):
    """('screen' | 'domain' | 'skip', app) for one of our modules."""
    parts = module.split(".")
    app = parts[0]
    if len(parts) == 1:
        return "domain", app
    if parts[1] in NOT_CHECKED:
        return "skip", app
    if parts[1].startswith(SCREEN_PREFIXES):
        return "screen", app
    return "domain", app


def neutral_site_modules(graph):
    """clauses_site modules that import none of the apps, directly or not."""
    neutral = set()
    for module in graph.find_descendants("clauses_site") | {"clauses_site"}:
        upstream = graph.find_upstream_modules(module)
        if not any(m.split(".")[0] in APPS for m in upstream):
            neutral.add(module)
    return neutral


def violations(graph):
    neutral = neutral_site_modules(graph)
    found = []
    for importer in sorted(m for app in APPS for m in graph.find_descendants(app) | {app}):
        what, app = kind(importer)
        if what == "skip":
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target_app = imported.split(".")[0]
            target_kind, _ = kind(imported) if target_app in APPS else ("site", target_app)
            if target_app == app:
                continue
            if target_app == "clauses_site":
                if what == "domain" and imported not in neutral:
                    found.append(f"{importer} (domain) imports {imported}, which imports our apps")
                continue
            if what == "domain" and target_app not in MAY_IMPORT[app]:
                found.append(f"{importer} (domain) imports {imported}: {app} may not import {target_app}")
            if target_kind == "screen":
                found.append(f"{importer} imports another app's screen {imported}")
    return found


def test_imports_go_one_way(graph):
    assert violations(graph) == []


def test_the_check_can_fail():
    """The rule itself is not vacuous: an import from markets' domain code to hours is reported."""
    graph = grimp.build_graph("clauses_site", *APPS, include_external_packages=False)
    graph.add_import(importer="markets.models", imported="hours.models")
    graph.add_import(importer="hours.views", imported="markets.views")
    found = violations(graph)
    assert "markets.models (domain) imports hours.models: markets may not import hours" in found
    assert "hours.views imports another app's screen markets.views" in found
