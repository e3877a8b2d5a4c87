"""Backups that restore: a consistent copy of the database and of MEDIA_ROOT, with a manifest.

A backup is a folder holding
- the database: `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite, the online
  backup API: a plain copy of the file under WAL misses what is still in the -wal file);
- `media.tar`: every file of MEDIA_ROOT (archived bilans, import workbooks…);
- `manifest.json`, written last: date, engine, the Django migrations applied, the row count of every table
  of the copy and the SHA-256 of every file written (and of every media file).

Restoring goes into an EMPTY database (no table at all) and an empty MEDIA_ROOT, then checks the restored
database and files against the manifest, and (PostgreSQL) runs ANALYZE so that the planner has
statistics. Everything is read through connection introspection: no model is imported, so that every
table is covered, including those of later apps and of django-simple-history.

Consistency: on PostgreSQL the counts and pg_dump read one snapshot (a REPEATABLE READ transaction whose
snapshot is exported to `pg_dump --snapshot`); on SQLite the counts are read from the copy itself. MEDIA_ROOT
is archived after the database, so every file a copied row names is in the archive.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.utils import load_backend

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
DB_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# libpq settings that Django's OPTIONS may carry, passed to pg_dump / pg_restore as environment variables.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or a restore that cannot be done or did not check out; the message is French."""


# --- what a database holds -------------------------------------------------------------------------


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def table_names(connection):
    """Every table of the database (SQLite's own sqlite_* tables left out)."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor, include_views=False)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def describe(connection):
    """(row count per table, migrations applied per app) of a database, through its connection."""
    tables = table_names(connection)
    counts = {}
    migrations = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            for app, name in cursor.fetchall():
                migrations.setdefault(app, []).append(name)
    return counts, migrations


def _engine(connection):
    if connection.vendor not in DB_FILES:
        raise BackupError(
            f"Moteur de base non pris en charge : {connection.vendor} (PostgreSQL ou SQLite seulement)."
        )
    return connection.vendor


def _sqlite_wrapper(path, alias):
    """A Django connection to another SQLite file (to read a copy with the same introspection)."""
    backend = load_backend("django.db.backends.sqlite3")
    base = {
        "ENGINE": "django.db.backends.sqlite3",
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {},
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return backend.DatabaseWrapper({**base, "NAME": str(path)}, alias=alias)


# --- files ---------------------------------------------------------------------------------------------


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_entry(path):
    return {"size": path.stat().st_size, "sha256": sha256_of(path)}


def media_files(media_root):
    """{relative path: absolute Path} of the regular files under MEDIA_ROOT (symbolic links left out)."""
    root = Path(media_root)
    if not root.is_dir():
        return {}
    found = {}
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(folder) / filename
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return found


# --- PostgreSQL tools ------------------------------------------------------------------------------------


def pg_tool(name):
    """The path of pg_dump / pg_restore: the CLAUSES_PG_BIN_DIR setting or environment variable, else
    PATH, else the newest /usr/lib/postgresql/*/bin (Debian's layout, as scripts/with-postgres finds
    initdb). Their version must be at least the server's."""
    bin_dir = getattr(settings, "CLAUSES_PG_BIN_DIR", "") or os.environ.get("CLAUSES_PG_BIN_DIR", "")
    if bin_dir:
        path = Path(bin_dir) / name
        if os.access(path, os.X_OK):
            return str(path)
        raise BackupError(f"{name} introuvable dans CLAUSES_PG_BIN_DIR ({bin_dir}).")
    found = shutil.which(name)
    if found:
        return found

    def version(path):
        try:
            return int(path.parent.parent.name)
        except ValueError:
            return 0

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} introuvable (ni dans le PATH ni dans /usr/lib/postgresql/*/bin) : installez les outils "
        "clients de PostgreSQL (apt-get install postgresql-client) ou indiquez leur dossier dans "
        "CLAUSES_PG_BIN_DIR."
    )


def pg_env(settings_dict):
    """libpq environment for the database of a connection: the host may be a unix socket folder
    (dj-database-url puts `?host=/dir` into OPTIONS); the password never appears on a command line."""
    options = settings_dict.get("OPTIONS") or {}
    env = dict(os.environ)
    values = {
        "PGHOST": settings_dict.get("HOST") or options.get("host"),
        "PGPORT": settings_dict.get("PORT") or options.get("port"),
        "PGUSER": settings_dict.get("USER") or options.get("user"),
        "PGPASSWORD": settings_dict.get("PASSWORD") or options.get("password"),
        "PGDATABASE": settings_dict.get("NAME") or options.get("dbname"),
    }
    values.update({env_name: options.get(key) for key, env_name in PG_OPTION_ENV.items()})
    for env_name, value in values.items():
        if value not in (None, ""):
            env[env_name] = str(value)
    return env


def _run(command, env, what):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what} : impossible de lancer {command[0]} ({exc.strerror}).") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} : {Path(command[0]).name} a échoué (code {result.returncode}).\n{detail}")
    return result


# --- backup ----------------------------------------------------------------------------------------------


def _dump_postgresql(connection, target):
    """pg_dump -Fc of the database into target; returns (counts, migrations) read in the same snapshot."""
    pg_dump = pg_tool("pg_dump")
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = describe(connection)
        # The transaction stays open while pg_dump reads its snapshot.
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            pg_env(connection.settings_dict),
            "Sauvegarde de la base PostgreSQL",
        )
    return counts, migrations


def _dump_sqlite(connection, target):
    """The online backup API into target; returns (counts, migrations) read from the copy itself."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    except sqlite3.Error as exc:
        raise BackupError(f"Sauvegarde de la base SQLite : échec de la copie ({exc}).") from exc
    finally:
        copy.close()
    reader = _sqlite_wrapper(target, alias="clauses-backup-copy")
    try:
        return describe(reader)
    finally:
        reader.close()


def write_backup(dest, connection, media_root):
    """Write a backup of the database of `connection` and of media_root into the folder dest (new or
    empty); returns the manifest. Raises BackupError with a French message."""
    engine = _engine(connection)
    if connection.in_atomic_block:
        raise BackupError("La sauvegarde doit être lancée hors de toute transaction (données non validées).")
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(
            f"Le dossier de destination {dest} existe déjà et n'est pas vide : choisissez un nouveau dossier "
            "(par exemple daté, une sauvegarde par jour)."
        )
    created = not dest.exists()
    old_umask = os.umask(0o077)  # the copy holds personal and health data: readable by its owner only
    try:
        dest.mkdir(parents=True, exist_ok=True)
        db_file = dest / DB_FILES[engine]
        started = datetime.datetime.now(datetime.UTC).astimezone()
        if engine == "postgresql":
            counts, migrations = _dump_postgresql(connection, db_file)
        else:
            counts, migrations = _dump_sqlite(connection, db_file)
        # MEDIA_ROOT after the database: every file named by a copied row already exists.
        media = media_files(media_root)
        with tarfile.open(dest / MEDIA_TAR, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in media.items():
                tar.add(path, arcname=name, recursive=False)
        manifest = {
            "format": FORMAT,
            "application": "clauses",
            "created_at": started.isoformat(timespec="seconds"),
            "engine": engine,
            "database": connection.settings_dict.get("NAME") and str(connection.settings_dict["NAME"]),
            "migrations": migrations,
            "tables": counts,
            "rows": sum(counts.values()),
            "files": {DB_FILES[engine]: _file_entry(db_file), MEDIA_TAR: _file_entry(dest / MEDIA_TAR)},
            "media": {name: _file_entry(path) for name, path in media.items()},
        }
        partial = dest / (MANIFEST + ".partial")
        partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.rename(dest / MANIFEST)
        return manifest
    except BaseException:
        # No half backup that looks whole: what this run wrote goes away.
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for name in (*DB_FILES.values(), MEDIA_TAR, MANIFEST + ".partial"):
                (dest / name).unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)


# --- restore ---------------------------------------------------------------------------------------------


def read_manifest(src):
    src = Path(src)
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"Pas de manifeste {MANIFEST} dans {src} : ce n'est pas une sauvegarde complète de Clauses."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"Le manifeste {path} est illisible ({exc}).") from exc
    if manifest.get("format") != FORMAT or manifest.get("engine") not in DB_FILES:
        raise BackupError(
            f"Le manifeste {path} n'est pas d'un format connu (format {manifest.get('format')})."
        )
    return manifest


def check_files(src, manifest):
    """Every file the manifest lists is there with its SHA-256; raises BackupError naming the others."""
    problems = []
    for name, entry in manifest["files"].items():
        path = Path(src) / name
        if not path.is_file():
            problems.append(f"{name} : fichier absent")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{name} : empreinte SHA-256 différente du manifeste (fichier abîmé ou modifié)")
    if problems:
        raise BackupError("Sauvegarde abîmée, rien n'a été restauré :\n- " + "\n- ".join(problems))


def check_target_empty(connection, media_root):
    tables = table_names(connection)
    if tables:
        counts, _ = describe(connection)
        rows = sum(counts.values())
        raise BackupError(
            f"La base cible {connection.settings_dict.get('NAME')} n'est pas vide : elle a {len(tables)} "
            f"tables et {rows} lignes. La restauration se fait dans une base vide (nouvelle base PostgreSQL "
            "créée par createdb, ou nouveau fichier SQLite) : rien n'a été modifié."
        )
    existing = media_files(media_root)
    if existing:
        raise BackupError(
            f"Le dossier des fichiers MEDIA_ROOT ({media_root}) n'est pas vide : {len(existing)} fichiers. "
            "La restauration se fait dans un dossier vide : rien n'a été modifié."
        )


def _restore_postgresql(connection, dump):
    pg_restore = pg_tool("pg_restore")
    connection.close()  # pg_restore works on its own connection
    env = pg_env(connection.settings_dict)
    _run(
        [
            pg_restore,
            "--no-password",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={env['PGDATABASE']}",
            str(dump),
        ],
        env,
        "Restauration de la base PostgreSQL",
    )


def _restore_sqlite(connection, copy):
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"Restauration de la base SQLite : échec de la copie ({exc}).") from exc
    finally:
        source.close()


def _extract_media(src, media_root):
    media_root = Path(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(src) / MEDIA_TAR) as tar:
        tar.extractall(media_root, filter="data")  # no absolute path, no "..", no device


def compare(manifest, counts, migrations, media):
    """The differences between a restored database and files and the manifest (French lines)."""
    problems = []
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(f"table {table} : absente de la base restaurée")
        elif table not in expected:
            problems.append(f"table {table} : absente du manifeste")
        elif counts[table] != expected[table]:
            problems.append(f"table {table} : {expected[table]} lignes attendues, {counts[table]} trouvées")
    if migrations != manifest["migrations"]:
        problems.append("migrations appliquées différentes de celles du manifeste")
    for name, entry in manifest["media"].items():
        path = media.get(name)
        if path is None:
            problems.append(f"fichier {name} : absent")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"fichier {name} : empreinte SHA-256 différente")
    for name in sorted(set(media) - set(manifest["media"])):
        problems.append(f"fichier {name} : absent du manifeste")
    return problems


def restore_backup(src, connection, media_root):
    """Restore the backup folder src into the empty database of `connection` and the empty media_root,
    then check both against the manifest; returns the manifest. Raises BackupError (French)."""
    src = Path(src)
    manifest = read_manifest(src)
    engine = _engine(connection)
    if manifest["engine"] != engine:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {ENGINE_NAMES[manifest['engine']]} ; la base cible est "
            f"{ENGINE_NAMES[engine]} : restaurez-la dans une base {ENGINE_NAMES[manifest['engine']]}."
        )
    check_files(src, manifest)
    try:
        check_target_empty(connection, media_root)
    except DatabaseError as exc:
        raise BackupError(f"Base cible inaccessible : {exc}") from exc
    db_file = src / DB_FILES[engine]
    if engine == "postgresql":
        _restore_postgresql(connection, db_file)
    else:
        _restore_sqlite(connection, db_file)
    _extract_media(src, media_root)
    counts, migrations = describe(connection)
    problems = compare(manifest, counts, migrations, media_files(media_root))
    if problems:
        raise BackupError(
            "Restauration faite, mais elle ne correspond pas au manifeste :\n- " + "\n- ".join(problems)
        )
    if engine == "postgresql":
        # pg_restore copies no planner statistics: without ANALYZE the first queries (a bilan, the
        # dashboard) are planned on empty estimates until autovacuum gets to every table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return manifest


class FolderCommand(BaseCommand):
    """What `manage.py backup DEST` and `manage.py restore SRC` share: a folder and --database as
    arguments, a refusal as a CommandError naming what failed, a one-line French summary. A command
    names its folder argument and its failure in the class line:

        class Command(backup.FolderCommand, folder=("src", "dossier de la sauvegarde"), ...):
    """

    def __init_subclass__(cls, folder=("dest", ""), database="", failure="", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.folder, cls.folder_help = folder
        cls.database_help, cls.failure = database, failure

    def add_arguments(self, parser):
        parser.add_argument(self.folder, help=self.folder_help)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=self.database_help)

    def run(self, folder, connection, media_root):
        """The manifest written or restored."""
        raise NotImplementedError

    def summary(self, folder, manifest):
        raise NotImplementedError

    def handle(self, *args, database, **options):
        folder = options[self.folder]
        try:
            manifest = self.run(folder, connections[database], settings.MEDIA_ROOT)
        except BackupError as exc:
            raise CommandError(f"{self.failure} {exc}") from exc
        self.stdout.write(self.style.SUCCESS(self.summary(folder, manifest)))


def files_count(manifest):
    """« 1 fichier », « 3 fichiers » (the media files of a manifest)."""
    files = len(manifest["media"])
    return f"{files} fichier{'s' if files > 1 else ''}"
