"""A time limit on each SQL statement of a web request (PostgreSQL), and the French page when one is hit.

- `limit_web_statements()`, called by the web entry points (clauses_site/wsgi.py, asgi.py; runserver loads
  wsgi.py too): every database connection the process opens from then on gets PostgreSQL's
  `statement_timeout` = settings.CLAUSES_STATEMENT_TIMEOUT_SECONDS (default 30 s; 0: no limit), set once
  per connection (connection_created), not once per request. Management commands — the task worker,
  imports and bilans run as jobs, backups, retention — never call it: they keep no limit. SQLite has no
  such setting: nothing is done there.
- `QueryCancelledMiddleware`: a statement cancelled by the server (SQLSTATE 57014, query_canceled: the
  time limit, or an administrator's pg_cancel_backend) becomes a 503 page « La page a mis trop de
  temps… » instead of the generic 500 page; the request's transaction has been rolled back (nothing was
  written). Logged as a warning with the path. SQLite (the two-command first run): a write that finds
  the database locked by another one past its timeout (« database is locked ») gets its own 503 page,
  « La base de données est occupée… », rolled back likewise.
"""

import logging

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created
from django.shortcuts import render

from clauses_site import formatting

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (timeout or request)
CANCELLED_TEMPLATE = "503.html"
BUSY_TEMPLATE = "503_busy.html"


def statement_timeout_ms():
    """The limit in milliseconds (0: none)."""
    return max(int(float(settings.CLAUSES_STATEMENT_TIMEOUT_SECONDS) * 1000), 0)


def set_statement_timeout(connection, milliseconds=None):
    """Set the limit on one open connection (PostgreSQL only; for the whole session)."""
    if connection.vendor != "postgresql":
        return
    value = statement_timeout_ms() if milliseconds is None else milliseconds
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{value}ms"])


def _on_connection_created(sender, connection, **kwargs):
    set_statement_timeout(connection)


def limit_web_statements():
    """From now on, in this process, every new connection gets the web requests' limit (and the ones
    already open too)."""
    connection_created.connect(_on_connection_created, dispatch_uid="clauses_statement_timeout")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            set_statement_timeout(connection)


def is_database_busy(exception):
    """SQLite's answer to a write while another transaction holds the database (past the busy timeout,
    or at once when both had read before writing)."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


def is_query_cancelled(exception):
    return isinstance(exception, OperationalError) and (
        getattr(exception.__cause__, "sqlstate", None) == QUERY_CANCELED
    )


class QueryCancelledMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            logger.warning("Database locked (SQLite) on %s %s", request.method, request.path)
            response = render(request, BUSY_TEMPLATE, status=503)
            response["Retry-After"] = "5"
            return response
        if not is_query_cancelled(exception):
            return None
        logger.warning("Query cancelled (statement_timeout) on %s %s", request.method, request.path)
        context = {"duration": formatting.duration_in_seconds(settings.CLAUSES_STATEMENT_TIMEOUT_SECONDS)}
        return render(request, CANCELLED_TEMPLATE, context, status=503)
