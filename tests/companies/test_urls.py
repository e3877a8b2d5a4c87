"""clauses_site.routes.record_urls: the URLs of a kind of record written once (companies, participants,
needs, trainings and the journal use it)."""

import types

import pytest
from django.urls import reverse
from django.views import View

from clauses_site.routes import child_urls, record_urls


def test_the_urls_of_the_companies():
    assert reverse("companies:company_list") == "/entreprises/"
    assert reverse("companies:company_create") == "/entreprises/nouvelle/"
    actions = ("detail", "update", "delete", "archive")
    assert [reverse(f"companies:company_{action}", args=[7]) for action in actions] == [
        "/entreprises/7/",
        "/entreprises/7/modifier/",
        "/entreprises/7/supprimer/",
        "/entreprises/7/archiver/",
    ]


def _views(**names):
    return types.SimpleNamespace(__name__="fake.views", **names)


def test_record_urls_takes_classes_or_a_detail_function():
    def need_detail(request, pk):  # pragma: no cover - never called
        return None

    views = _views(
        NeedList=type("NeedList", (View,), {}),
        NeedCreate=type("NeedCreate", (View,), {}),
        need_detail=need_detail,
        NeedUpdate=type("NeedUpdate", (View,), {}),
        NeedDelete=type("NeedDelete", (View,), {}),
    )
    patterns = record_urls(views, "need", prefix="besoins/")
    assert [(str(p.pattern), p.name) for p in patterns] == [
        ("besoins/", "need_list"),
        ("besoins/nouveau/", "need_create"),
        ("besoins/<int:pk>/", "need_detail"),
        ("besoins/<int:pk>/modifier/", "need_update"),
        ("besoins/<int:pk>/supprimer/", "need_delete"),
    ]
    assert patterns[2].callback is need_detail
    assert patterns[0].callback.view_class is views.NeedList


def test_a_missing_view_is_an_error_not_a_missing_url():
    views = _views(NeedList=type("NeedList", (View,), {}))
    with pytest.raises(AttributeError, match="fake.views has neither NeedCreate nor need_create"):
        record_urls(views, "need")


def test_child_urls_create_from_the_parent_and_edit_at_their_own_address():
    views = _views(
        OutcomeCreate=type("OutcomeCreate", (View,), {}),
        OutcomeUpdate=type("OutcomeUpdate", (View,), {}),
        OutcomeDelete=type("OutcomeDelete", (View,), {}),
    )
    patterns = child_urls(views, "outcome", create="<int:pk>/sorties/nouvelle/", prefix="sorties/")
    assert [(str(p.pattern), p.name, p.callback.view_class.__name__) for p in patterns] == [
        ("<int:pk>/sorties/nouvelle/", "outcome_create", "OutcomeCreate"),
        ("sorties/<int:pk>/modifier/", "outcome_update", "OutcomeUpdate"),
        ("sorties/<int:pk>/supprimer/", "outcome_delete", "OutcomeDelete"),
    ]
