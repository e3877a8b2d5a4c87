"""manage.py backup / restore: the round trip on the database of this pass (SQLite, or PostgreSQL under
scripts/with-postgres) into a new empty database, every table count and every archived bilan compared."""

import datetime
import json
import os
import shutil
import sqlite3
import uuid
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from clauses_site import backup
from reporting.models import Bilan
from tests.factories import UserFactory
from tests.hours.factories import HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory
from tests.participants.factories import OutcomeFactory

RESTORED = "restored"
PDF = b"%PDF-1.7\n% bilan de test\n" + bytes(range(256)) * 4
XLSX = b"PK\x03\x04 classeur de test" + bytes(range(255, -1, -1)) * 3


def counts(conn):
    """Row count of every table, read directly (not through the code under test)."""
    with conn.cursor() as cursor:
        tables = [t for t in conn.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        result = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path, transactional_db, monkeypatch):
    """A connection to a new empty database: a new SQLite file, or a new database created in the
    PostgreSQL test cluster (a unique name per xdist worker and run). The restore command sees it as the
    alias "restored" (a connection made outside django.db.connections, which the test case allows)."""
    source = connection.settings_dict
    created = None
    if connection.vendor == "sqlite":
        target = {**source, "NAME": str(tmp_path / "restored.sqlite3")}
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        created = f"clauses_restore_{worker}_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}" TEMPLATE template0')
        target = {**source, "NAME": created}
    target_connection = load_backend(source["ENGINE"]).DatabaseWrapper(target, alias=RESTORED)
    # the commands find their --database in backup.connections (backup.FolderCommand)
    monkeypatch.setattr(backup, "connections", {RESTORED: target_connection, "default": connection})
    try:
        yield target_connection
    finally:
        target_connection.close()
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def build_data():
    """A little of everything, two archived bilans among it."""
    user = UserFactory(username="responsable-sauvegarde", manager=True)
    clause = ClauseFactory()
    AwardFactory(lot=clause.lot)
    HoursEntryFactory()
    OutcomeFactory()
    bilans = [
        Bilan.archive(
            kind=Bilan.Kind.TERRITORY,
            obj=None,
            scope_name="Territoire",
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            fmt=fmt,
            data=data,
            filename=f"bilan-territoire-2025.{fmt}",
            user=user,
        )
        for fmt, data in ((Bilan.Format.PDF, PDF), (Bilan.Format.XLSX, XLSX))
    ]
    return bilans


def test_round_trip_restores_every_table_and_every_archived_bilan(media, empty_database, tmp_path, settings):
    build_data()
    before = counts(connection)
    assert before["reporting_bilan"] == 2
    assert before["django_migrations"] > 0
    bilan_bytes = {b.pk: (b.file.name, b.sha256, b.file.read()) for b in Bilan.objects.all()}
    assert sorted(data for _name, _sha, data in bilan_bytes.values()) == sorted([PDF, XLSX])

    dest = tmp_path / "sauvegarde"
    out = StringIO()
    call_command("backup", str(dest), stdout=out)
    assert f"{len(before)} tables, {sum(before.values())} lignes ; 2 fichiers" in out.getvalue()
    db_file = "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"
    assert sorted(os.listdir(dest)) == sorted([db_file, "media.tar", "manifest.json"])
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == before
    assert manifest["files"][db_file]["sha256"] == backup.sha256_of(dest / db_file)
    assert manifest["media"] == {
        name: {"size": len(data), "sha256": sha} for name, sha, data in bilan_bytes.values()
    }
    applied = sorted(MigrationRecorder(connection).applied_migrations())
    assert sorted((app, name) for app, names in manifest["migrations"].items() for name in names) == applied
    assert ("reporting", "0001_bilan_archive") in applied

    settings.MEDIA_ROOT = tmp_path / "media-restauré"
    out = StringIO()
    call_command("restore", str(dest), database=RESTORED, stdout=out)
    assert "restaurée et vérifiée" in out.getvalue()
    assert f"{len(before)} tables, {sum(before.values())} lignes, 2 fichiers" in out.getvalue()

    assert counts(empty_database) == before
    if connection.vendor == "postgresql":  # analysed after the restore: the planner has statistics
        with empty_database.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [Bilan._meta.db_table])
            assert cursor.fetchone()[0] > 0
    with empty_database.cursor() as cursor:
        cursor.execute(f'SELECT id, file, sha256 FROM "{Bilan._meta.db_table}"')
        restored = {pk: (name, sha) for pk, name, sha in cursor.fetchall()}
    assert restored == {pk: (name, sha) for pk, (name, sha, _data) in bilan_bytes.items()}
    for name, _sha, data in bilan_bytes.values():
        with default_storage.open(name, "rb") as handle:  # under the new MEDIA_ROOT
            assert handle.read() == data
        assert (tmp_path / "media-restauré" / name).read_bytes() == data


def test_restore_refuses_a_database_with_data(media, empty_database, tmp_path):
    build_data()
    before = counts(connection)
    dest = tmp_path / "sauvegarde"
    call_command("backup", str(dest), stdout=StringIO())
    refusal = f"n'est pas vide : elle a {len(before)} tables et {sum(before.values())} lignes"
    with pytest.raises(CommandError, match=refusal):
        call_command("restore", str(dest), stdout=StringIO())  # into the default database, full
    assert counts(connection) == before


def test_restore_refuses_a_damaged_backup_and_leaves_the_target_empty(
    media, empty_database, tmp_path, settings
):
    build_data()
    dest = tmp_path / "sauvegarde"
    call_command("backup", str(dest), stdout=StringIO())
    tar = dest / "media.tar"
    damaged = bytearray(tar.read_bytes())
    damaged[600] ^= 0xFF
    tar.write_bytes(bytes(damaged))
    settings.MEDIA_ROOT = tmp_path / "media-restauré"
    with pytest.raises(CommandError, match="media.tar : empreinte SHA-256 différente du manifeste"):
        call_command("restore", str(dest), database=RESTORED, stdout=StringIO())
    assert counts(empty_database) == {}
    assert not (tmp_path / "media-restauré").exists()


def test_backup_refuses_a_folder_that_is_not_empty(media, transactional_db, tmp_path):
    dest = tmp_path / "sauvegarde"
    dest.mkdir()
    (dest / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="existe déjà et n'est pas vide"):
        call_command("backup", str(dest), stdout=StringIO())
    assert os.listdir(dest) == ["manifest.json"]


def test_restore_names_a_folder_that_is_not_a_backup(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="Pas de manifeste manifest.json"):
        call_command("restore", str(tmp_path), database="default", stdout=StringIO())


def test_sqlite_backup_includes_what_is_still_in_the_wal_file(tmp_path, django_db_blocker):
    """A plain copy of a SQLite file in WAL mode misses the writes not yet checkpointed; the online backup
    API (what `backup` uses on SQLite) has them all."""
    path = tmp_path / "live.sqlite3"
    live = backup._sqlite_wrapper(path, alias="live")
    with django_db_blocker.unblock():
        with live.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("CREATE TABLE hours_importbatch (id INTEGER PRIMARY KEY)")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.executemany("INSERT INTO hours_importbatch VALUES (%s)", [(n,) for n in range(1, 7)])
        shutil.copyfile(path, tmp_path / "plain-copy.sqlite3")
        manifest = backup.write_backup(tmp_path / "sauvegarde", live, tmp_path / "no-media")
        live.close()
    plain = sqlite3.connect(tmp_path / "plain-copy.sqlite3")
    assert plain.execute("SELECT COUNT(*) FROM hours_importbatch").fetchone()[0] == 0  # stale
    plain.close()
    assert manifest["tables"] == {"hours_importbatch": 6}
    copy = sqlite3.connect(tmp_path / "sauvegarde" / "database.sqlite3")
    assert copy.execute("SELECT COUNT(*) FROM hours_importbatch").fetchone()[0] == 6
    copy.close()
