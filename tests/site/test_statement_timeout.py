"""clauses_site/timeouts.py: web requests' SQL statements are limited on PostgreSQL (statement_timeout), a
cancelled one is the French 503 page; management commands keep no limit. The PostgreSQL tests run in the
PostgreSQL pass (scripts/with-postgres), a tiny limit against pg_sleep."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from clauses_site import timeouts
from clauses_site.urls import urlpatterns as site_urlpatterns
from markets.models import Buyer

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def slow(request):
    """A page whose query outlasts the limit (PostgreSQL), or is cancelled as it would be (SQLite)."""
    if connection.vendor != "postgresql":
        try:
            raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
        except psycopg.Error as exc:
            raise OperationalError(*exc.args) from exc
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("fini")


def busy(request):
    """A write, then SQLite's answer when another transaction holds the database."""
    Buyer.objects.create(name="Écrit avant le verrou")
    raise OperationalError("database is locked")


urlpatterns = [*site_urlpatterns, path("lent/", slow, name="slow"), path("occupe/", busy, name="busy")]


@pytest.fixture
def web_limits(settings):
    """limit_web_statements() as wsgi.py calls it, undone afterwards."""
    settings.CLAUSES_STATEMENT_TIMEOUT_SECONDS = 0.2
    yield timeouts.limit_web_statements
    connection_created.disconnect(dispatch_uid="clauses_statement_timeout")
    if connection.vendor == "postgresql" and connection.connection is not None:
        timeouts.set_statement_timeout(connection, 0)


def show_timeout(conn):
    with conn.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.urls(__name__)
def test_a_cancelled_query_is_the_french_503_page(facilitator, web_limits, caplog):
    web_limits()
    client = Client(raise_request_exception=False)
    client.force_login(facilitator)
    response = client.get("/lent/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "La page a mis trop de temps" in page
    assert "a dépassé 0,2\xa0seconde" in page
    assert "Rien n'a été enregistré par cette demande." in page
    assert any("Query cancelled" in r.getMessage() and "/lent/" in r.getMessage() for r in caplog.records)


@pytest.mark.urls(__name__)
def test_a_locked_sqlite_database_is_the_french_503_page_and_nothing_is_written(facilitator, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(facilitator)
    response = client.post("/occupe/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "La base de données est occupée" in page and "rien n'en a été écrit" in page
    assert not Buyer.objects.exists()  # the request's transaction was rolled back
    assert any("Database locked" in r.getMessage() and "/occupe/" in r.getMessage() for r in caplog.records)


def test_another_database_error_stays_an_error():
    assert not timeouts.is_query_cancelled(OperationalError("database is locked"))
    try:
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    except psycopg.Error as exc:
        wrapped = OperationalError(*exc.args)
        wrapped.__cause__ = exc
    assert timeouts.is_query_cancelled(wrapped)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_connections_opened_after_the_web_entry_point_have_the_limit(web_limits, settings):
    settings.CLAUSES_STATEMENT_TIMEOUT_SECONDS = 30

    def new_connection():
        conn = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper(
            connection.settings_dict, alias="timeout_probe"
        )
        try:
            return show_timeout(conn)
        finally:
            conn.close()

    assert new_connection() == "0"  # a management command, a test: no limit
    web_limits()
    assert show_timeout(connection) == "30s"  # the connection already open
    assert new_connection() == "30s"


def run_python(*args):
    env = {k: v for k, v in os.environ.items() if k not in {"CLAUSES_TESTING"}}
    env.setdefault("SECRET_KEY", "x")
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@postgres_only
def test_only_the_web_process_has_the_limit():
    """wsgi.py (gunicorn, runserver) sets the limit; manage.py commands (the task worker among them)
    do not."""
    show = "from django.db import connection; c = connection.cursor(); c.execute('SHOW statement_timeout'); "
    web = run_python("-c", "import clauses_site.wsgi; " + show + "print(c.fetchone()[0])")
    command = run_python("manage.py", "shell", "--no-imports", "-c", show + "print(c.fetchone()[0])")
    assert (web, command) == ("30s", "0")
