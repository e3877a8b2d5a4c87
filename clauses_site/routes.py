"""The URLs of one kind of record, written once (no app imported here).

    urlpatterns = [
        *record_urls(views, "company", new="nouvelle", archive=True),   # companies/urls.py
        *record_urls(views_trainings, "training", prefix="formations/", new="nouvelle"),
    ]

gives, for the views module's CompanyList, CompanyCreate, CompanyDetail (or a view function
company_detail), CompanyUpdate, CompanyDelete and, with archive=True, CompanyArchive:

    <prefix>                        company_list
    <prefix><new>/                  company_create   (« nouveau/ », « nouvelle/ »: the record's gender)
    <prefix><pk>/                   company_detail
    <prefix><pk>/modifier/          company_update
    <prefix><pk>/supprimer/         company_delete
    <prefix><pk>/archiver/          company_archive

A record shown on its parent's page (a person's outcomes, a training's trainees) is created from the
parent and edited or deleted at its own address:

    *child_urls(views, "outcome", create="<int:pk>/sorties/nouvelle/", prefix="sorties/")

gives outcome_create (OutcomeCreate, or outcome_create) at the parent's <pk>, then outcome_update and
outcome_delete at sorties/<pk>/modifier/ and sorties/<pk>/supprimer/.

A view the module does not have is an error (AttributeError), never a URL silently missing.
"""

from django.urls import path
from django.views import View

ROUTES = (  # (action, route after the prefix, view name suffix)
    ("list", "", "List"),
    ("create", "{new}/", "Create"),
    ("detail", "<int:pk>/", "Detail"),
    ("update", "<int:pk>/modifier/", "Update"),
    ("delete", "<int:pk>/supprimer/", "Delete"),
    ("archive", "<int:pk>/archiver/", "Archive"),
)


def _view(views, name, action, suffix):
    """views.<Name><Suffix> (a class-based view), else the function views.<name>_<action>."""
    class_name = "".join(part.capitalize() for part in name.split("_")) + suffix
    view = getattr(views, class_name, None)
    if isinstance(view, type) and issubclass(view, View):
        return view.as_view()
    function = getattr(views, f"{name}_{action}", None)
    if function is None:
        raise AttributeError(f"{views.__name__} has neither {class_name} nor {name}_{action}")
    return function


def _urls(views, name, prefix, routes):
    return [
        path(f"{prefix}{route}", _view(views, name, action, suffix), name=f"{name}_{action}")
        for action, route, suffix in routes
    ]


def record_urls(views, name, prefix="", new="nouveau", archive=False):
    """The list, creation, page, edit, delete (and archive) URLs of the record called `name`."""
    routes = [(a, route.format(new=new), s) for a, route, s in ROUTES if archive or a != "archive"]
    return _urls(views, name, prefix, routes)


def child_urls(views, name, create, prefix):
    """The creation URL of a record from its parent (`create` holds the parent's <int:pk>), then its
    edit and delete URLs under `prefix`."""
    own = [(a, route, s) for a, route, s in ROUTES if a in ("update", "delete")]
    return _urls(views, name, "", [("create", create, "Create")]) + _urls(views, name, prefix, own)
