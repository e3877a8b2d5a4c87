"""The SQL of the lot × month × job summary (hours.models_summary.LotMonthHours): its triggers per database
vendor, their installation, and the rebuild from the entries. Apart from hours.summary (the reads and
the check, which use the ORM) because the signals that install the triggers around `migrate` are
connected by the model's module, which hours.models imports: this module imports no model.

- PostgreSQL: statement-level triggers with transition tables (one INSERT … ON CONFLICT per statement,
  grouped by lot, month and job and sorted, so that a 1 000-cell grid save updates each row once and two
  saves lock rows in the same order); a row whose count falls to 0 is deleted.
- SQLite: row-level triggers (SQLite has no other), sums rounded to the cent at each step (SQLite keeps
  decimals as floating point).

The triggers are installed by migration 0004 on PostgreSQL, and after every `migrate` on both
(install_after_migrate, which rebuilds the summary when a trigger was missing). On SQLite they are
dropped before the migrations run (drop_before_migrate): SQLite remakes a table to alter it, and the
rename of the new table fails while a trigger names the old one.
"""

from django.db import connection as default_connection
from django.db import transaction

#: Tables and values the SQL names (tests/hours/test_summary.py checks them against the models).
TABLE = "hours_lotmonthhours"
ENTRIES = "hours_hoursentry"
ASSIGNMENTS = "hours_assignment"
VALIDATED = "validee"  # HoursEntry.Status.VALIDATED
FORMATION = "formation"  # Modality.TRAINING
COLUMNS = ("entries", "hours", "formation_hours", "training_hours")

# --- SQL shared by the triggers and rebuild() ----------------------------------------------------------


def _contribution(entry, assignment, sign=""):
    """SELECT list: what one entry row adds to its lot-month-job (sign "-" for what it takes away)."""
    return (
        f"{assignment}.lot_id AS lot_id, {entry}.month AS month, {assignment}.job AS job, "
        f"{sign}1 AS entries, "
        f"{sign}(CASE WHEN {assignment}.modality = '{FORMATION}' THEN 0 ELSE {entry}.hours END) AS hours, "
        f"{sign}(CASE WHEN {assignment}.modality = '{FORMATION}' THEN {entry}.hours ELSE 0 END) "
        f"AS formation_hours, {sign}{entry}.training_hours AS training_hours"
    )


def _rebuild_sql(vendor):
    cents = "round({}, 2)" if vendor == "sqlite" else "{}"
    sums = ", ".join(cents.format(f"coalesce(sum(c.{col}), 0)") for col in COLUMNS[1:])
    return (
        f"INSERT INTO {TABLE} (lot_id, month, job, {', '.join(COLUMNS)}) "
        f"SELECT c.lot_id, c.month, c.job, count(*), {sums} FROM ("
        f"SELECT {_contribution('e', 'a')} FROM {ENTRIES} e JOIN {ASSIGNMENTS} a ON a.id = e.assignment_id "
        f"WHERE e.status = '{VALIDATED}') c GROUP BY c.lot_id, c.month, c.job"
    )


# --- PostgreSQL: statement-level triggers ----------------------------------------------------------------

#: The body that applies the rows of `delta` (lot_id, month, job, entries, hours, formation_hours,
#: training_hours: signed contributions), grouped and sorted, then deletes the rows left with no entry.
_PG_APPLY = f"""
    WITH changed AS (
        INSERT INTO {TABLE} AS s (lot_id, month, job, {", ".join(COLUMNS)})
        SELECT d.lot_id, d.month, d.job, sum(d.entries), sum(d.hours), sum(d.formation_hours),
            sum(d.training_hours)
        FROM (%(delta)s) d
        GROUP BY d.lot_id, d.month, d.job
        HAVING sum(d.entries) <> 0 OR sum(d.hours) <> 0 OR sum(d.formation_hours) <> 0
            OR sum(d.training_hours) <> 0
        ORDER BY d.lot_id, d.month, d.job
        ON CONFLICT (lot_id, month, job) DO UPDATE SET
            entries = s.entries + EXCLUDED.entries,
            hours = s.hours + EXCLUDED.hours,
            formation_hours = s.formation_hours + EXCLUDED.formation_hours,
            training_hours = s.training_hours + EXCLUDED.training_hours
        RETURNING s.id, s.entries
    )
    SELECT array_agg(id) INTO emptied FROM changed WHERE entries = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM {TABLE} WHERE id = ANY(emptied);
    END IF;
    RETURN NULL;
"""

_PG_ENTRY_ROWS = {
    "new": f"SELECT {{}} FROM new_rows n JOIN {ASSIGNMENTS} a ON a.id = n.assignment_id "
    f"WHERE n.status = '{VALIDATED}'",
    "old": f"SELECT {{}} FROM old_rows o JOIN {ASSIGNMENTS} a ON a.id = o.assignment_id "
    f"WHERE o.status = '{VALIDATED}'",
}
_PG_ADDED = _PG_ENTRY_ROWS["new"].format(_contribution("n", "a"))
_PG_REMOVED = _PG_ENTRY_ROWS["old"].format(_contribution("o", "a", "-"))
#: An assignment that changed lot, modality or job: its validated entries leave the old (lot, modality,
#: job) and join the new one.
_PG_MOVED = (
    f"SELECT {_contribution('e', 'n')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    f"JOIN {ENTRIES} e ON e.assignment_id = n.id WHERE e.status = '{VALIDATED}' "
    "AND (o.lot_id <> n.lot_id OR o.modality <> n.modality OR o.job <> n.job) "
    f"UNION ALL SELECT {_contribution('e', 'o', '-')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    f"JOIN {ENTRIES} e ON e.assignment_id = n.id WHERE e.status = '{VALIDATED}' "
    "AND (o.lot_id <> n.lot_id OR o.modality <> n.modality OR o.job <> n.job)"
)

#: (trigger name, table, event, transition tables, delta query)
_PG_TRIGGERS = (
    ("lot_month_hours_entry_insert", ENTRIES, "INSERT", "NEW TABLE AS new_rows", _PG_ADDED),
    (
        "lot_month_hours_entry_update",
        ENTRIES,
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"{_PG_ADDED} UNION ALL {_PG_REMOVED}",
    ),
    ("lot_month_hours_entry_delete", ENTRIES, "DELETE", "OLD TABLE AS old_rows", _PG_REMOVED),
    (
        "lot_month_hours_assignment_update",
        ASSIGNMENTS,
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _PG_MOVED,
    ),
)


def _pg_install(cursor):
    for name, table, event, tables, delta in _PG_TRIGGERS:
        body = _PG_APPLY % {"delta": delta}
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"DECLARE emptied bigint[];\nBEGIN\n{body}\nEND\n$body$"
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cursor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )


def _pg_drop(cursor):
    for name, table, *_ in _PG_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _pg_installed(cursor):
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
        [[name for name, *_ in _PG_TRIGGERS]],
    )
    return cursor.fetchone()[0] == len(_PG_TRIGGERS)


# --- SQLite: row-level triggers ----------------------------------------------------------------------------


def _sqlite_apply(sign, keys, delta, where, emptied):
    """Statements adding (sign "+") or taking away (sign "-") `delta` ({column: SQL}) to the summary rows
    `where` selects: when adding, the rows of `keys` (a SELECT's lot, month, job… FROM …) are made first,
    empty; when taking away, the rows `emptied` selects that have no entry left are deleted."""
    statements = []
    if sign == "+":
        statements.append(
            f"INSERT OR IGNORE INTO {TABLE} (lot_id, month, job, {', '.join(COLUMNS)}) SELECT {keys}"
        )
    changes = [f"entries = entries {sign} {delta['entries']}"] + [
        f"{column} = round({column} {sign} {delta[column]}, 2)" for column in COLUMNS[1:]
    ]
    statements.append(f"UPDATE {TABLE} SET {', '.join(changes)} {where}")
    if sign == "-":
        statements.append(f"DELETE FROM {TABLE} {emptied} AND entries = 0")
    return "; ".join(statements) + ";"


def _sqlite_add(row, sign):
    """Statements adding or taking away the entry `row` (NEW or OLD) to its lot-month-job."""
    assignment = f"FROM {ASSIGNMENTS} WHERE id = {row}.assignment_id"
    lot, job = f"(SELECT lot_id {assignment})", f"(SELECT job {assignment})"
    formation = f"(SELECT modality = '{FORMATION}' {assignment})"
    where = f"WHERE lot_id = {lot} AND month = {row}.month AND job = {job}"
    delta = {
        "entries": "1",
        "hours": f"CASE WHEN {formation} THEN 0 ELSE {row}.hours END",
        "formation_hours": f"CASE WHEN {formation} THEN {row}.hours ELSE 0 END",
        "training_hours": f"{row}.training_hours",
    }
    return _sqlite_apply(sign, f"lot_id, {row}.month, job, 0, 0, 0, 0 {assignment}", delta, where, where)


_ENTRY_CHANGED = " OR ".join(
    f"OLD.{col} IS NOT NEW.{col}" for col in ("assignment_id", "month", "hours", "training_hours", "status")
)


def _sqlite_moved(row, sign):
    """Statements moving the validated entries of the assignment `row` (OLD: away from its old lot,
    modality and job, NEW: to the new ones)."""
    entries = f"FROM {ENTRIES} e WHERE e.assignment_id = {row}.id AND e.status = '{VALIDATED}'"
    mine = f"{entries} AND e.month = {TABLE}.month"
    formation = f"{row}.modality = '{FORMATION}'"

    def total(expression):
        return f"(SELECT coalesce(sum({expression}), 0) {mine})"

    delta = {
        "entries": f"(SELECT count(*) {mine})",
        "hours": total(f"CASE WHEN {formation} THEN 0 ELSE e.hours END"),
        "formation_hours": total(f"CASE WHEN {formation} THEN e.hours ELSE 0 END"),
        "training_hours": total("e.training_hours"),
    }
    its_rows = f"WHERE lot_id = {row}.lot_id AND job = {row}.job"
    keys = f"DISTINCT {row}.lot_id, e.month, {row}.job, 0, 0, 0, 0 {entries}"
    return _sqlite_apply(sign, keys, delta, f"{its_rows} AND month IN (SELECT e.month {entries})", its_rows)


#: (trigger name, definition after CREATE TRIGGER name)
_SQLITE_TRIGGERS = (
    (
        "lot_month_hours_entry_insert",
        f"AFTER INSERT ON {ENTRIES} WHEN NEW.status = '{VALIDATED}' BEGIN {_sqlite_add('NEW', '+')} END",
    ),
    (
        "lot_month_hours_entry_update_old",
        f"AFTER UPDATE ON {ENTRIES} WHEN OLD.status = '{VALIDATED}' AND ({_ENTRY_CHANGED}) "
        f"BEGIN {_sqlite_add('OLD', '-')} END",
    ),
    (
        "lot_month_hours_entry_update_new",
        f"AFTER UPDATE ON {ENTRIES} WHEN NEW.status = '{VALIDATED}' AND ({_ENTRY_CHANGED}) "
        f"BEGIN {_sqlite_add('NEW', '+')} END",
    ),
    (
        "lot_month_hours_entry_delete",
        f"AFTER DELETE ON {ENTRIES} WHEN OLD.status = '{VALIDATED}' BEGIN {_sqlite_add('OLD', '-')} END",
    ),
    (
        "lot_month_hours_assignment_update",
        f"AFTER UPDATE OF lot_id, modality, job ON {ASSIGNMENTS} "
        "WHEN OLD.lot_id IS NOT NEW.lot_id OR OLD.modality IS NOT NEW.modality OR OLD.job IS NOT NEW.job "
        f"BEGIN {_sqlite_moved('OLD', '-')} {_sqlite_moved('NEW', '+')} END",
    ),
)


def _sqlite_install(cursor):
    for name, definition in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"CREATE TRIGGER {name} {definition}")


def _sqlite_drop(cursor):
    for name, _ in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_installed(cursor):
    names = [name for name, _ in _SQLITE_TRIGGERS]
    placeholders = ", ".join("%s" for _ in names)
    cursor.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})", names
    )
    return cursor.fetchone()[0] == len(names)


_VENDORS = {
    "postgresql": (_pg_install, _pg_drop, _pg_installed),
    "sqlite": (_sqlite_install, _sqlite_drop, _sqlite_installed),
}


def _vendor(connection):
    if connection.vendor not in _VENDORS:
        raise NotImplementedError(f"hours.summary: no triggers for {connection.vendor}")
    return _VENDORS[connection.vendor]


# --- installing, rebuilding --------------------------------------------------------------------------------


def install(connection=default_connection):
    """(Re)create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        _vendor(connection)[0](cursor)


def uninstall(connection=default_connection):
    with connection.cursor() as cursor:
        _vendor(connection)[1](cursor)


def installed(connection=default_connection):
    """Whether every trigger is in place."""
    with connection.cursor() as cursor:
        return _vendor(connection)[2](cursor)


def rebuild(connection=default_connection):
    """Recompute the whole summary from the entries, in one transaction (on PostgreSQL the entries and
    assignments are locked against writes meanwhile, so that none is missed). Returns the rows written."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {ENTRIES}, {ASSIGNMENTS} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(_rebuild_sql(connection.vendor))
        return cursor.rowcount


def drop_before_migrate(app_config=None, using="default", **kwargs):
    """pre_migrate, SQLite only: the triggers out of the way of the migrations. SQLite remakes a table to
    alter it (create, copy, drop, rename), and a rename fails while a trigger names the dropped table;
    install_after_migrate puts them back and rebuilds the summary."""
    from django.db import connections

    connection = connections[using]
    if app_config is not None and app_config.label == "hours" and connection.vendor == "sqlite":
        uninstall(connection)


def install_after_migrate(app_config=None, using="default", **kwargs):
    """post_migrate: the triggers back in place after every migrate of the app (and after a test flush:
    a no-op then), and the summary rebuilt when they were not all there."""
    from django.db import connections

    if app_config is None or app_config.label != "hours":
        return
    connection = connections[using]
    if connection.vendor not in _VENDORS or TABLE not in connection.introspection.table_names():
        return
    if not installed(connection):
        install(connection)
        rebuild(connection)
