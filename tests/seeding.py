"""The seed, loaded into a test database fast.

`manage.py load_seed` resolves every natural key with a query and saves
record by record: about 6 s, and a hundred tests load it. `load_seed()`
here runs the real command the first time in a process, reads back the rows
it wrote (every table, history and folded names included) and, on later
calls, writes those same rows again with a few multi-row INSERTs. The
database ends up holding exactly what the command wrote, under the same ids.

It takes the shortcut only when every table the seed writes to is empty
(no record a test made first could clash with the seed's ids); otherwise it
runs the command. tests/test_seed_loading.py runs the command itself.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from core.cache import bump_data_version

_written = {}  # database vendor -> [(model, table, columns, rows)] the command wrote


def _tables():
    """Every concrete table of the project's models (many-to-many included),
    with its model and columns."""
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield model, meta.db_table, [field.column for field in meta.local_concrete_fields]


def _count(cursor, table):
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
    return cursor.fetchone()[0]


def _counts():
    with connection.cursor() as cursor:
        return {table: _count(cursor, table) for _model, table, _columns in _tables()}


def _snapshot(before):
    """The rows of every table that was empty in `before` (row counts) and
    is not now; None when a table that held rows before has more (the
    command may also have updated rows there by natural key: the new rows
    alone would not be the seed)."""
    written = []
    with connection.cursor() as cursor:
        for model, table, columns in _tables():
            if _count(cursor, table) == before[table]:
                continue
            if before[table]:
                return None
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            written.append((model, table, columns, cursor.fetchall()))
    return written


def _all_empty(snapshot):
    with connection.cursor() as cursor:
        for _model, table, *_rest in snapshot:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return False
    return True


def _write(snapshot):
    max_params = connection.features.max_query_params or 10_000
    # One transaction, so that the foreign keys (deferred) are checked once
    # every row is there, also where the test runs in autocommit (live server).
    with transaction.atomic(), connection.cursor() as cursor:
        for _model, table, columns, rows in snapshot:
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            batch = max(1, min(500, max_params // len(columns)))
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES "
                    + ", ".join([placeholder] * len(chunk)),
                    [value for row in chunk for value in row],
                )
        # PostgreSQL's sequences do not move for ids given explicitly.
        for statement in connection.ops.sequence_reset_sql(no_style(), [model for model, *_ in snapshot]):
            cursor.execute(statement)


def load_seed():
    """The seed in the current database, as `manage.py load_seed` leaves it."""
    snapshot = _written.get(connection.vendor)
    if snapshot is not None and _all_empty(snapshot):
        _write(snapshot)
        bump_data_version()
        return
    before = _counts() if snapshot is None else None
    call_command("load_seed", verbosity=0)
    if snapshot is None and (taken := _snapshot(before)) is not None:
        _written[connection.vendor] = taken
