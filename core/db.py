"""Bulk writes for the worker's set-based recomputes.

`bulk_create` prepares every value of every row through the model fields, which dominates the
time of a full recompute (a hundred thousand result rows and more). `fast_insert` sends plain
values with the fastest path the driver has: COPY on PostgreSQL, executemany elsewhere. Callers
pass values already in database form (numbers, strings, booleans, aware datetimes, None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Model


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return column


def fast_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert rows of plain values into the model's table. Returns the number of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    rows = list(rows)
    if not rows:
        return 0
    # Table and column names come from the model's metadata, never from input.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg 3 formats and escapes each row in its C extension (COPY's text format: None is
            # NULL) and sends them in large buffered chunks, so no row is ever built as a string here.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608 - names from model metadata
            cursor.executemany(sql, cast(Any, rows))
    return len(rows)
