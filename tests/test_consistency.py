"""Consistency checks over the whole repository (in the style of les-emplois' tests/test_consistency.py):
the written conventions of docs/coding-style.md and docs/architecture.md that a reviewer would otherwise
have to remember, checked on the files themselves.

- every template is used (or is one Django looks up by name: listed below);
- every model with a detail page has get_absolute_url(), and it is that page;
- every URL of the project is in the role × URL access matrix;
- no Python module outside migrations is over 600 lines;
- no query parameter is named `next` outside the log-in and two-factor views (`retour` everywhere else);
- the repository stands alone: nothing points at the team's ../shared documents, and the bilan JSON's
  documented keys are the ones the code writes.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.views.generic.detail import BaseDetailView
from django.views.generic.edit import DeletionMixin, FormMixin

from tests.access_matrix import URL_KWARGS
from tests.site.test_access import test_every_url_is_in_the_matrix as every_url_is_in_the_matrix
from tests.urlconf import iter_patterns

ROOT = Path(settings.BASE_DIR)
#: Directories that hold no file of ours (relative to the repository's root).
NOT_OURS = {".git", ".venv", "var", "node_modules", "clauses.egg-info", "static/vendor", "__pycache__"}
THIS_FILE = Path(__file__).resolve()


def project_files(*suffixes, under=None):
    """Our files ending in one of `suffixes`, under the repository's root (or the folders `under`)."""
    tops = [ROOT / folder for folder in under] if under else [ROOT]
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(top):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in NOT_OURS and (here / d).relative_to(ROOT).as_posix() not in NOT_OURS
            )
            for filename in sorted(filenames):
                if filename.endswith(suffixes):
                    yield here / filename


def relative(path):
    return path.relative_to(ROOT).as_posix()


def our_apps():
    """The installed apps whose code is in this repository."""
    ours = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] not in NOT_OURS:
            ours.append(config)
    return ours


def app_folders():
    """Where the code of our apps lives (each app's folder)."""
    return sorted({relative(Path(config.path).resolve()) for config in our_apps()})


# --- (a) no unused template ---------------------------------------------------------------------------

#: Templates that no file of ours names: Django finds them by a name of its own.
LOOKED_UP_BY_DJANGO = {
    # django.views.defaults and django.views.csrf (the error pages, CSRF_FAILURE_VIEW's template)
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "500.html",
    # django.contrib.auth.views: the default template_name of each password view
    "registration/login.html",
    "registration/password_change_form.html",
    "registration/password_change_done.html",
    "registration/password_reset_form.html",
    "registration/password_reset_done.html",
    "registration/password_reset_confirm.html",
    "registration/password_reset_complete.html",
}


def template_dirs():
    """Our template folders: settings.TEMPLATES' DIRS, and the templates/ folder of each of our apps."""
    dirs = [Path(d) for conf in settings.TEMPLATES for d in conf["DIRS"]]
    dirs += [Path(config.path) / "templates" for config in our_apps()]
    return [d.resolve() for d in dirs if d.is_dir()]


def templates():
    """{template name: its file} for every template of ours."""
    found = {}
    for folder in template_dirs():
        for dirpath, _dirnames, filenames in os.walk(folder):
            for filename in filenames:
                path = Path(dirpath) / filename
                found.setdefault(path.relative_to(folder).as_posix(), path)
    return found


def unused_templates(names_to_files, sources):
    """Template names that appear in none of `sources` ({path: text}) but their own file."""
    unused = set()
    for name, own_file in names_to_files.items():
        if not any(name in text for path, text in sources.items() if path != own_file):
            unused.add(name)
    return unused


def test_no_unused_template():
    """A template is named by a render(), a template_name, an {% include %} or {% extends %} of ours
    (views name their template: docs/coding-style.md), or it is one Django looks up by itself."""
    names = {name: path for name, path in templates().items() if name not in LOOKED_UP_BY_DJANGO}
    sources = {
        path.resolve(): path.read_text(encoding="utf-8")
        for path in project_files(".py", ".html", ".txt", ".js", under=app_folders() + ["templates"])
    }
    unused = unused_templates(names, sources)
    assert not unused, (
        f"Gabarits que rien n'utilise (à supprimer, ou à nommer dans une vue) : {sorted(unused)}"
    )


def test_the_listed_exceptions_are_templates_of_ours():
    """The list above does not rot: each name is a template of the project."""
    assert set(templates()) >= LOOKED_UP_BY_DJANGO


def test_an_unused_template_is_found(tmp_path):
    used, unused = tmp_path / "used.html", tmp_path / "unused.html"
    view = tmp_path / "views.py"
    sources = {used: "{% extends 'base.html' %}", unused: "", view: 'render(request, "hours/used.html")'}
    names = {"hours/used.html": used, "hours/unused.html": unused}
    assert unused_templates(names, sources) == {"hours/unused.html"}
    # A template that only names itself is not used.
    assert unused_templates({"a.html": used}, {used: "{% include 'a.html' %}"}) == {"a.html"}


# --- (b) every model with a detail page has get_absolute_url ------------------------------------------

#: Detail pages served by a function: the model whose page it is (a class-based view says it itself).
FUNCTION_DETAIL_PAGES = {
    "participants:participant_detail": "participants.Participant",
    "hours:entry_detail": "hours.HoursEntry",
    "hours:assignment_detail": "hours.Assignment",
    "hours:import_detail": "hours.ImportBatch",
    "partnerships:need_detail": "partnerships.RecruitmentNeed",
    "partnerships:training_detail": "partnerships.Training",
    "partnerships:journal_detail": "partnerships.JournalEntry",
    "jobs:job_detail": "jobs.Job",
}


def model_of_view(view_class):
    """The model a DetailView shows: its `model`, its `queryset`'s, or the one its get_queryset() builds
    (lazily: no query runs)."""
    if view_class.model is not None:
        return view_class.model
    if view_class.queryset is not None:
        return view_class.queryset.model
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    view = view_class()
    view.setup(request, pk=0)
    try:
        return view.get_queryset().model
    except Exception:  # a get_queryset() that needs more than a request: say it in FUNCTION_DETAIL_PAGES
        return None


def detail_pages():
    """[(url name, model or None)] for every detail page of the URLconf: a URL named *_detail, or a view
    that is a DetailView."""
    pages = []
    for name, route, pattern in iter_patterns():
        if not name or route.startswith("admin/"):
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        is_detail_view = (
            isinstance(view_class, type)
            and issubclass(view_class, BaseDetailView)
            and not issubclass(view_class, (DeletionMixin, FormMixin))  # DeleteView is a BaseDetailView
        )
        if not (is_detail_view or name.endswith("_detail")):
            continue
        model = model_of_view(view_class) if is_detail_view else None
        if model is None and name in FUNCTION_DETAIL_PAGES:
            model = apps.get_model(FUNCTION_DETAIL_PAGES[name])
        pages.append((name, model))
    return pages


def test_every_detail_page_is_known():
    """The discovery works: each detail page's model is found (a function view is listed above)."""
    pages = detail_pages()
    unknown = sorted(name for name, model in pages if model is None)
    assert not unknown, f"Pages de détail au modèle inconnu (à ajouter à FUNCTION_DETAIL_PAGES) : {unknown}"
    stale = sorted(set(FUNCTION_DETAIL_PAGES) - {name for name, _ in pages})
    assert not stale, f"FUNCTION_DETAIL_PAGES nomme des URL qui n'existent plus : {stale}"
    assert len(pages) >= 12  # markets (3), companies, participants, hours (3), partnerships (3)…


def test_every_model_with_a_detail_page_has_get_absolute_url():
    """So that edit and delete views find their success and cancel URLs without writing them
    (clauses_site/editing.py), and a record links to its page the same way everywhere."""
    missing = sorted(
        {
            f"{model._meta.label} ({name})"
            for name, model in detail_pages()
            if model is not None and not hasattr(model, "get_absolute_url")
        }
    )
    assert not missing, f"Modèles ayant une page de détail mais pas de get_absolute_url() : {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(name for name, _ in detail_pages() if name.endswith("_detail")))
def test_get_absolute_url_is_the_detail_page(url_name):
    """A record's get_absolute_url() is its detail page (the object is built as the access matrix
    builds it). This also checks FUNCTION_DETAIL_PAGES: a wrong model there would link elsewhere."""
    model = dict(detail_pages())[url_name]
    if model is None:
        pytest.fail(f"modèle inconnu pour {url_name} : à ajouter à FUNCTION_DETAIL_PAGES")
    if not hasattr(model, "get_absolute_url"):
        pytest.fail(f"{model._meta.label} n'a pas de get_absolute_url() (page {url_name})")
    if url_name not in URL_KWARGS:
        pytest.fail(f"{url_name} : pas de URL_KWARGS dans la matrice d'accès (tests/<app>/access_*.py)")
    kwargs = URL_KWARGS[url_name]()
    record = model._base_manager.get(pk=kwargs["pk"])
    assert record.get_absolute_url() == reverse(url_name, kwargs=kwargs)


# --- (c) every URL in the access matrix ---------------------------------------------------------------


def test_every_url_is_in_the_access_matrix():
    """The check of tests/site/test_access.py, from here: a URL of the project missing from the role ×
    URL matrix (tests/<app>/access_*.py) fails."""
    every_url_is_in_the_matrix()


def test_every_url_has_a_name():
    """A URL without a name cannot be listed in the matrix, nor reversed: every one of ours has one."""
    unnamed = sorted(r for name, r, _ in iter_patterns() if not name and not r.startswith("admin/"))
    assert not unnamed, f"URL sans nom : {unnamed}"


# --- (d) module size ----------------------------------------------------------------------------------

MAX_LINES = 600


def python_modules():
    for path in project_files(".py"):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def test_no_module_over_600_lines():
    """Rooms a newcomer can read: a module that grows past 600 lines is cut along its sections
    (docs/architecture.md says where the pieces go)."""
    too_long = {}
    for path in python_modules():
        with path.open(encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines > MAX_LINES:
            too_long[relative(path)] = lines
    assert too_long == {}, f"Modules de plus de {MAX_LINES} lignes : {too_long}"


# --- (e) `retour`, not `next` -------------------------------------------------------------------------

#: The log-in and two-factor views, and their templates: Django's LoginRequiredMiddleware and LoginView
#: speak `next`, so these keep it.
NEXT_ALLOWED = {
    "clauses_site/security.py",
    "clauses_site/two_factor.py",
    "templates/registration/login.html",
    "templates/registration/two_factor.html",
    "templates/registration/two_factor_verify.html",
}
NEXT_PARAMETER = re.compile(
    r"""\.(?:GET|POST|query_params|data)\s*(?:\.(?:get|getlist|pop)\(\s*|\[\s*)["']next["']"""  # reading it
    r"""|urlencode\(\s*\{\s*["']next["']"""  # building a query string
    r"""|name\s*=\s*["']next["']"""  # a form field
    r"""|[?&](?:amp;)?next="""  # a link
    r"""|searchParams\.(?:get|set|append)\(\s*["']next["']"""  # in JavaScript
)


def next_parameters(text):
    """Line numbers where `text` reads, writes or links a `next` query parameter."""
    return [number for number, line in enumerate(text.splitlines(), 1) if NEXT_PARAMETER.search(line)]


def test_no_next_parameter_outside_the_log_in():
    """The return address is `retour` everywhere (clauses_site/editing.py, the journal, the follow-ups),
    so that one name is followed, and checked (url_is_local), the same way."""
    found = []
    for path in project_files(".py", ".html", ".js", under=app_folders() + ["templates", "static"]):
        if relative(path) in NEXT_ALLOWED:
            continue
        found += [f"{relative(path)}:{n}" for n in next_parameters(path.read_text(encoding="utf-8"))]
    assert not found, f"Paramètre « next » hors de la connexion (à renommer « retour ») : {found}"


@pytest.mark.parametrize(
    "line",
    [
        'target = request.POST.get("next") or request.GET.get("next")',
        "back = request.GET['next']",
        "redirect(f\"{url}?{urlencode({'next': here})}\")",
        '<input type="hidden" name="next" value="{{ back }}">',
        "<a href=\"{% url 'hours:entry_reopen' pk %}?next={{ here|urlencode }}\">",
        '<a href="?mois=2026-01&amp;next=/heures/">',
        'params.searchParams.set("next", here);',
    ],
)
def test_a_next_parameter_is_found(line):
    assert next_parameters(line) == [1]


@pytest.mark.parametrize(
    "line",
    [
        '<a href="?retour={{ here|urlencode }}">',
        "{% with previous=market.previous_stage next=market.next_stage %}",
        '<a href="{{ next_url }}" rel="next">Mois suivant</a>',
        "month = next(iter(months))",
    ],
)
def test_other_uses_of_the_word_are_not_parameters(line):
    assert next_parameters(line) == []


# --- a repository that stands alone -------------------------------------------------------------------

OUTSIDE = re.compile(r"\.\./shared\b|/work/shared\b|(?<![\w/])shared/(?:docs|formats|samples)/")


def test_nothing_points_at_the_shared_documents():
    """The vocabulary and the two file formats are the repository's own (docs/domain.md,
    docs/formats/): no document, docstring or test sends a reader to the team's ../shared folder."""
    found = []
    for path in project_files(".py", ".md", ".html", ".txt", ".toml"):
        if path.resolve() == THIS_FILE:
            continue
        text = path.read_text(encoding="utf-8")
        lines = enumerate(text.splitlines(), 1)
        found += [f"{relative(path)}:{n}" for n, line in lines if OUTSIDE.search(line)]
    assert not found, f"Renvois hors du dépôt (vers ../shared) : {found}"


def documented_json_keys():
    """The keys of the table of docs/formats/bilan-json.md, in its order."""
    text = (ROOT / "docs" / "formats" / "bilan-json.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `(\w+)` \|", text, flags=re.MULTILINE)


@pytest.mark.django_db
def test_the_bilan_json_keys_are_the_documented_ones():
    from reporting import indicators

    figures = indicators.for_territory(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert list(indicators.to_json(figures)) == documented_json_keys()
