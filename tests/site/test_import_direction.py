"""The direction of imports of design.md, checked on the real import graph (grimp, which import-linter
is built on), module by module:

- domain code imports one way: companies and participants import none of our apps; markets may import
  companies; hours the three; partnerships the four; reporting all; no domain code imports reporting
  (or anything above its own level);
- jobs (« Mes traitements »: imports, bilans, exports run off the request) may import every app's domain
  code; no domain module imports jobs, only screens may (they start the jobs);
- domain code imports from clauses_site only the modules that import none of our apps (text, vocabulary,
  exports…), never the screens' infrastructure;
- screens (views*, urls, forms*, filters, tables, admin, templatetags, management) may read any app's
  domain code, but never another app's screens;
- clauses_site, the ground floor, imports none of our apps; its only exceptions are its entry points: the
  root URLconf (clauses_site/urls.py wires the apps' screens together) and its management commands;
- demo, the top floor, may import every app, and nothing imports it;
- no import cycle between modules (every import counted, those inside functions too).
"""

import importlib.util

import grimp
import pytest

APPS = ["companies", "participants", "markets", "hours", "partnerships", "reporting", "jobs", "spaces"]
# The top floor, when it exists (it is being created): it may import everything, nothing imports it.
TOP = ["demo"] if importlib.util.find_spec("demo") else []
SITE_ENTRY_POINTS = ("clauses_site.urls", "clauses_site.management")
MAY_IMPORT = {
    "companies": set(),
    "participants": set(),
    "markets": {"companies"},
    "hours": {"companies", "participants", "markets"},
    "partnerships": {"companies", "participants", "markets", "hours"},
    "reporting": {"companies", "participants", "markets", "hours", "partnerships"},
    "jobs": {"companies", "participants", "markets", "hours", "partnerships", "reporting"},
    # The spaces of companies and buyers: a top-floor app like reporting (no other app imports it).
    "spaces": {"companies", "participants", "markets", "hours", "partnerships", "reporting"},
}
SCREEN_PREFIXES = ("views", "urls", "forms", "filters", "tables", "admin", "templatetags", "management")
NOT_CHECKED = ("migrations", "apps")


def build_graph():
    return grimp.build_graph("clauses_site", *APPS, *TOP, include_external_packages=False, cache_dir=None)


@pytest.fixture(scope="module")
def graph():
    return build_graph()


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


def is_site_entry_point(module):
    return any(module == e or module.startswith(f"{e}.") for e in SITE_ENTRY_POINTS)


def ground_floor_violations(graph):
    """Imports of our apps (the top floor included) by clauses_site outside its entry points."""
    found = []
    for importer in sorted(graph.find_descendants("clauses_site") | {"clauses_site"}):
        if is_site_entry_point(importer) or kind(importer)[0] == "skip":
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.split(".")[0] != "clauses_site":
                found.append(f"{importer} (ground floor) imports {imported}")
    return found


def top_floor_violations(graph, top=("demo",)):
    """Imports of the top floor by any other module."""
    found = []
    for importer in sorted(graph.modules):
        if importer.split(".")[0] in top:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.split(".")[0] in top:
                found.append(f"{importer} imports the top floor's {imported}")
    return found


def cycles(graph):
    """The import cycles between modules: each strongly connected set of two or more modules, sorted
    (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for target in imported:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                    break
                if target in on_stack:
                    low[module] = min(low[module], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def test_imports_go_one_way(graph):
    assert violations(graph) == []


def test_the_ground_floor_imports_no_app(graph):
    assert ground_floor_violations(graph) == []


@pytest.mark.skipif(not TOP, reason="the demo app does not exist yet")
def test_nothing_imports_the_top_floor(graph):
    assert top_floor_violations(graph) == []


def test_no_import_cycle_between_modules(graph):
    assert cycles(graph) == []


def test_the_check_can_fail():
    """The rules themselves are not vacuous: each reports an import added against it."""
    graph = build_graph()
    graph.add_import(importer="markets.models", imported="hours.models")
    graph.add_import(importer="hours.views", imported="markets.views")
    graph.add_import(importer="clauses_site.listing", imported="markets.models")
    graph.add_import(importer="clauses_site.urls", imported="reporting.views")  # an entry point: allowed
    graph.add_import(importer="markets.views", imported="demo.seed")
    graph.add_import(importer="hours.models", imported="jobs.tasks")  # a domain module starting a job
    graph.add_import(importer="jobs.exports", imported="hours.views")
    graph.add_import(importer="clauses_site.listing", imported="jobs.exports")
    graph.add_import(importer="markets.cycle_a", imported="markets.cycle_b")
    graph.add_import(importer="markets.cycle_b", imported="markets.cycle_c")
    graph.add_import(importer="markets.cycle_c", imported="markets.cycle_a")
    found = violations(graph)
    assert "markets.models (domain) imports hours.models: markets may not import hours" in found
    assert "hours.views imports another app's screen markets.views" in found
    assert "hours.models (domain) imports jobs.tasks: hours may not import jobs" in found
    assert "jobs.exports imports another app's screen hours.views" in found
    assert not any(v.startswith("hours.views_import ") for v in found)  # a screen starts jobs
    assert not any(v.startswith("jobs.imports ") for v in found)  # jobs run the import's domain code
    ground = ground_floor_violations(graph)
    assert "clauses_site.listing (ground floor) imports markets.models" in ground
    assert "clauses_site.listing (ground floor) imports jobs.exports" in ground
    assert not any(v.startswith("clauses_site.urls ") for v in ground)
    assert "markets.views imports the top floor's demo.seed" in top_floor_violations(graph)
    assert ["markets.cycle_a", "markets.cycle_b", "markets.cycle_c"] in cycles(graph)
