"""Writing many new records fast, with their history: what QuerySet.bulk_create and simple-history's
bulk_create_with_history write, row for row, without their cost. Both compile every value of every row
through the ORM (for 50 000 entries and their 50 000 history rows: 1,8 million prepare_value calls and
100 000 model instances, most of the import's time). Here the values go column by column, each field's
distinct database values computed once (field.get_db_prep_save: the sheet repeats its months, hours and
stamps; a value the same for all, Same, once), and the rows are written:
- on SQLite, as bulk_create writes them, INSERT … VALUES (…), (…) RETURNING, by batches;
- on PostgreSQL, by COPY … FROM STDIN in text format, one statement a table (the primary keys drawn
  first from the table's sequence when they are needed); values of a type COPY's text is not sure for
  (JSON) by INSERT … SELECT * FROM UNNEST(one array a column) RETURNING, as bulk_create does there.
The new primary keys come back in order and are set on the instances.

insert(model, instances) and insert_with_history take instances; insert_columns(model, columns, count)
and insert_columns_with_history take the columns themselves (the import's new entries: no instance).
Only for what bulk_create does plainly: new instances (no primary key), no custom placeholder, no
database default expression; anything else goes to bulk_create."""

import datetime
import math
import sqlite3
import time
from decimal import Decimal
from itertools import chain, islice, repeat
from uuid import UUID

from django.conf import settings
from django.db import connections, router
from django.db.models import Field
from django.db.models.expressions import BaseExpression
from django.utils import timezone


class Same:
    """The same value in every record of a column (insert_columns): prepared once, never copied."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _prepared(field, column, connection):
    """The database values of a column (a list, or Same): each distinct value prepared once, the list
    mapped in C (no Python work per value)."""
    prep = field.get_db_prep_save
    if type(column) is Same:
        return Same(prep(column.value, connection))
    try:
        distinct = {value: prep(value, connection) for value in set(column)}
    except TypeError:  # an unhashable value
        return [prep(value, connection) for value in column]
    return list(map(distinct.__getitem__, column))


# --------------------------------------------------------------------------------------------------
# COPY on PostgreSQL


def _copy_text(value):
    """A database value as COPY's text format writes it, or MISSING for a type this does not know (then
    the records are inserted by INSERT … UNNEST, psycopg adapting the values). Subclasses are their
    base's (choices are str or int, psycopg's Int8 an int)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return str.translate(value, COPY_ESCAPES)
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else MISSING
    if isinstance(value, datetime.date):  # and datetime.datetime
        return value.isoformat()
    return MISSING


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
MISSING = object()
COPY_ROWS = 10_000  # rows sent to the server at once, in one COPY


def _copy_columns(prepared, count):
    """The columns as COPY text (lists of `count` strings, a repeated one for Same), each distinct value
    written once; None when a value is of a type _copy_text does not know."""
    texts = []
    for column in prepared:
        if type(column) is Same:
            text = _copy_text(column.value)
            if text is MISSING:
                return None
            texts.append(repeat(text, count))
            continue
        try:
            distinct = {value: _copy_text(value) for value in set(column)}
        except TypeError:  # an unhashable value
            return None
        if MISSING in distinct.values():
            return None
        texts.append(map(distinct.__getitem__, column))
    return texts


def _copy(connection, model, fields, texts, count, returning):
    """COPY the records (columns of text) into the model's table; with `returning`, their primary keys
    are drawn first from the table's sequence (COPY returns nothing) and written with them. The
    statement-level triggers fire once for the whole COPY, as for an INSERT."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns = [f.column for f in fields]
    ids = []
    with connection.cursor() as cursor:
        if returning:
            pk = model._meta.pk.column
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk, count],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            texts = [map(str, ids), *texts]
            columns.insert(0, pk)
        names = ", ".join(quote(c) for c in columns)
        lines = map("\t".join, zip(*texts, strict=True))
        sql = f"COPY {quote(table)} ({names}) FROM STDIN"
        started = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # Django's exceptions
            while block := list(islice(lines, COPY_ROWS)):
                copy.write("\n".join(block) + "\n")
        _logged(connection, f"{sql} -- {count} rows", started)
    return ids


def _logged(connection, sql, started):
    """A statement run without Django's cursor logged as Django logs those it runs (tests count them)."""
    if connection.queries_logged:
        duration = time.monotonic() - started
        connection.queries_log.append({"sql": sql, "time": f"{duration:.3f}"})


def _write(model, fields, columns, count, batch_size=None, returning=True):
    """INSERT `count` records given column-wise (one list of `count` Python values, or Same, a field);
    the new primary keys, in order (without `returning`: [])."""
    connection = connections[router.db_for_write(model)]
    if not count:
        return []
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = ", ".join(quote(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    qmarks = "(" + ", ".join(["?"] * len(fields)) + ")"
    size = max(min(connection.ops.bulk_batch_size(fields, range(count)), batch_size or count), 1)
    prepared = [_prepared(field, column, connection) for field, column in zip(fields, columns, strict=True)]
    if connection.vendor == "postgresql" and (texts := _copy_columns(prepared, count)) is not None:
        return _copy(connection, model, fields, texts, count, returning)
    ids = []
    unnest = connection.vendor == "postgresql"
    if unnest:  # one array a column, as bulk_create on PostgreSQL: psycopg parses a query's %s in Python
        casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({casts}) RETURNING {pk}"
    with connection.cursor() as cursor:
        for start in range(0, count, size):
            end = min(start + size, count)
            if unnest:
                arrays = [[c.value] * (end - start) if type(c) is Same else c[start:end] for c in prepared]
                cursor.execute(sql, arrays)
            else:
                cells = [repeat(c.value, end - start) if type(c) is Same else c[start:end] for c in prepared]
                params = list(chain.from_iterable(zip(*cells, strict=True)))
                insert_sql = f"INSERT INTO {table} ({names}) VALUES {{}} RETURNING {pk}"
                if connection.vendor == "sqlite":  # written with its ?, which Django's cursor would make
                    # of its %s by a regular expression (26 000 a statement: 0,1 s for 50 000 entries)
                    sql = insert_sql.format(", ".join([qmarks] * (end - start)))
                    started = time.monotonic()
                    with connection.wrap_database_errors:
                        sqlite3.Cursor.execute(cursor.cursor, sql, params)
                    _logged(connection, sql, started)
                else:
                    cursor.execute(insert_sql.format(", ".join([one_row] * (end - start))), params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert_rows(model, fields, rows, batch_size=None):
    """INSERT the rows (tuples of the fields' Python values) into the model's table; the new primary keys,
    in order."""
    if not rows:
        return []
    return _write(model, fields, [list(column) for column in zip(*rows, strict=True)], len(rows), batch_size)


def _plain(field):
    """A field whose value bulk_create takes as it is (pre_save changes nothing, no custom placeholder)."""
    overridden = type(field).pre_save is not Field.pre_save
    return not (overridden and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)))


def can_insert(model, objs):
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        return False
    fields = _fields(model)
    if any(hasattr(f, "get_placeholder") for f in fields):
        return False
    return all(obj.pk is None for obj in objs) and not any(
        isinstance(getattr(obj, f.attname), BaseExpression) for obj in objs[:1] for f in fields
    )


def _fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f is not model._meta.pk and not getattr(f, "generated", False)
    ]


def insert(model, objs, batch_size=None):
    """bulk_create(objs) for new instances: the same rows written, the instances given their primary key
    and marked saved. Foreign keys to instances saved since they were set are filled in, as bulk_create
    does."""
    if not objs:
        return objs
    if not can_insert(model, objs):
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    fields = _fields(model)
    relations = [f for f in fields if f.many_to_one or f.one_to_one]
    stamped = [f for f in fields if not _plain(f)]
    attnames = [f.attname for f in fields]
    # auto_now(_add): the moment of the first record for all (bulk_create takes a new one for each, some
    # microseconds apart; one moment is also one value to prepare instead of one a record)
    stamps = [(field, field.pre_save(objs[0], True)) for field in stamped]
    rows = []
    for obj in objs:
        for field in relations:
            related = obj._state.fields_cache.get(field.name)
            if related is not None and getattr(obj, field.attname) is None:
                if related.pk is None:
                    raise ValueError(
                        f"{model.__name__}.{field.name}: the related {type(related).__name__} is not saved."
                    )
                setattr(obj, field.attname, getattr(related, field.target_field.attname))
        for field, stamp in stamps:
            setattr(obj, field.attname, stamp)
        rows.append(tuple(getattr(obj, name) for name in attnames))
    ids = insert_rows(model, fields, rows, batch_size)
    alias = router.db_for_write(model)
    pk_name = model._meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = alias
    return objs


def _column_of(field, columns, count, blank):
    """The column of `field` for insert_columns: given, or the value a new instance would hold."""
    if field.attname in columns:
        return columns[field.attname]
    if not _plain(field):  # auto_now(_add): one moment for all, as insert() does
        return Same(field.pre_save(blank, True))
    if field.has_default() and callable(field.default):
        return [field.get_default() for _ in range(count)]  # (a fresh value each, as Model() gives)
    return Same(field.get_default())


def insert_columns(model, columns, count, batch_size=None):
    """Insert `count` new records of `model` given column-wise, without an instance: columns maps a field's
    attname to a list of `count` values, or to Same(value); the fields it does not name hold what a new
    instance holds (their default; auto_now(_add): the moment of the insert). Returns (the new primary
    keys in order, {attname: column} of every field written). The same rows as insert() of the
    instances, for records no one reads as instances afterwards (50 000 entries: no model instance)."""
    if not count:
        return [], {}
    fields = _fields(model)
    blank = model.__new__(model)  # what pre_save sets its moment on
    unknown = set(columns) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__}: no such fields {sorted(unknown)}")
    written = {f.attname: _column_of(f, columns, count, blank) for f in fields}
    for name, column in written.items():
        if type(column) is not Same and len(column) != count:
            raise ValueError(f"{model.__name__}.{name}: {len(column)} values for {count} records")
    ids = _write(model, fields, [written[f.attname] for f in fields], count, batch_size)
    return ids, written


def insert_columns_with_history(
    model, columns, count, batch_size=None, default_user=None, default_change_reason="", default_date=None
):
    """insert_columns(model, columns, count) and one « + » history row per record, as
    insert_with_history writes them (the same user, reason and date for all). Returns the new keys."""
    ids, written = insert_columns(model, columns, count, batch_size)
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return ids
    history_model = model.history.model
    user = default_user or history_model.get_default_history_user(model.__new__(model))
    fixed = {
        "history_date": default_date or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": default_change_reason or "",
        "history_type": "+",
    }
    written[model._meta.pk.attname] = ids
    tracked = {f.attname for f in history_model.tracked_fields}
    fields = _fields(history_model)
    history = []
    for field in fields:
        if field.attname in fixed:
            history.append(Same(fixed[field.attname]))
        elif field.attname in tracked and field.attname in written:
            history.append(written[field.attname])
        else:
            raise ValueError(f"{history_model.__name__}.{field.attname}: not a field insert_columns writes")
    _write(history_model, fields, history, count, batch_size, returning=False)
    return ids


def insert_with_history(
    objs, model, batch_size=None, default_user=None, default_change_reason="", default_date=None
):
    """simple_history.utils.bulk_create_with_history(objs, model, …) for new instances: the records and
    one « + » history row each, with the same user, reason and date."""
    insert(model, objs, batch_size)
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return objs
    history_model = model.history.model
    user = default_user or history_model.get_default_history_user(objs[0])
    fixed = {
        "history_date": default_date or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": default_change_reason or "",
        "history_type": "+",
    }
    tracked = {f.attname for f in history_model.tracked_fields}
    fields = _fields(history_model)
    source = []  # per field: ("fixed", value) or ("copy", attname)
    for field in fields:
        if field.attname in fixed:
            source.append((True, fixed[field.attname]))
        elif field.attname in tracked:
            source.append((False, field.attname))
        else:  # an extra field of the historical model: the historical instance's own default
            return _history_by_instances(
                objs, model, batch_size, default_user, default_change_reason, default_date
            )
    rows = [
        tuple(value if is_fixed else getattr(obj, value) for is_fixed, value in source)
        for obj in objs
        if getattr(obj, "_change_reason", None) is None and getattr(obj, "_history_user", None) is None
    ]
    if len(rows) != len(objs):  # per-instance reasons or users: simple-history's own way
        return _history_by_instances(
            objs, model, batch_size, default_user, default_change_reason, default_date
        )
    insert_rows(history_model, fields, rows, batch_size)
    return objs


def _history_by_instances(objs, model, batch_size, default_user, default_change_reason, default_date):
    model.history.bulk_history_create(
        objs,
        batch_size=batch_size,
        default_user=default_user,
        default_change_reason=default_change_reason,
        default_date=default_date,
    )
    return objs
