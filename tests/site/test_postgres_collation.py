"""The PostgreSQL pass of ./test runs on a cluster made with the ICU "fr" collation (scripts/with-postgres):
names sort as a French reader expects, accented capitals among the others."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def test_the_default_collation_sorts_accented_names_the_french_way(db):
    with connection.cursor() as cursor:
        # Byte order (the "C" collation) would put "É" after "Z".
        cursor.execute("SELECT 'Élodie' < 'Zoé', 'Élodie' < 'Zoé' COLLATE \"C\"")
        assert cursor.fetchone() == (True, False)
        cursor.execute(
            "SELECT name FROM (VALUES ('Zoé'), ('Élodie'), ('Eric'), ('Ève')) AS t(name) ORDER BY name"
        )
        assert [row[0] for row in cursor.fetchall()] == ["Élodie", "Eric", "Ève", "Zoé"]
