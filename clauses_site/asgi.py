import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses_site.settings")
application = get_asgi_application()

from clauses_site.timeouts import limit_web_statements  # noqa: E402 (settings loaded above)

limit_web_statements()  # web requests only: SQL statements limited (CLAUSES_STATEMENT_TIMEOUT_SECONDS)
