"""Trigram indexes on `search_text`, for PostgreSQL only.

Search folds the query and looks for `search_text LIKE '%word%'`; without an
index that is a sequential scan (96 ms over 100,000 bodies, 0.9 ms with it:
BENCHMARKS.md). SQLite keeps its scan. Where the server refuses the pg_trgm
extension, the migration says so and the portal still works, only slower.
"""

import warnings

from django.db import DatabaseError, transaction


def trigram_indexes(*tables):
    """A RunPython pair creating/dropping `<table>_search_trgm` indexes."""

    def forward(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=connection.alias):
                with connection.cursor() as cursor:
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    for table in tables:
                        cursor.execute(
                            f'CREATE INDEX IF NOT EXISTS "{table}_search_trgm" '
                            f'ON "{table}" USING gin ("search_text" gin_trgm_ops)'
                        )
        except DatabaseError as exc:
            warnings.warn(f"search indexes not created (pg_trgm unavailable: {exc}); search will scan", stacklevel=2)

    def backward(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'DROP INDEX IF EXISTS "{table}_search_trgm"')

    return forward, backward
