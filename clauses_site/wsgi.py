import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses_site.settings")
application = get_wsgi_application()

from clauses_site.timeouts import limit_web_statements  # noqa: E402 (settings loaded above)

limit_web_statements()  # web requests only: SQL statements limited (CLAUSES_STATEMENT_TIMEOUT_SECONDS)
