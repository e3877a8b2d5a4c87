"""The PostgreSQL connections run without JIT compilation (clauses_site/settings.py: « -c jit=off »): its
compile time was most of the pages' short queries at national scale."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
