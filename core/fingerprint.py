"""The version of what a page shows, read from the tables it shows, for a cache keyed by it.

`tables_fingerprint` reads, in one query, the highest id and the latest value of the given timestamp
columns of each table (MAX of an indexed column is one index step; the small tables are read whole),
and hashes them. A new row, or a save that moves one of those columns on (an `updated_at`, a
`computed_at`, the time an event happened), changes it, so a page cached under it is never served
after what it shows changed. A deletion of a row other than the newest, or a write that moves none
of the columns, does not: the cache's timeout bounds that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from django.core.cache import cache
from django.db import connection, models
from django.http import HttpRequest
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

#: What a fingerprint reads: a model and the timestamp columns (field names) whose latest value counts.
Part = tuple[type[models.Model], Sequence[str]]


def tables_fingerprint(parts: Iterable[Part]) -> str:
    """A short hash of each table's highest id and the latest value of its named fields, one query."""
    quote = connection.ops.quote_name
    selects: list[str] = []
    for model, fields in parts:
        table = quote(model._meta.db_table)
        # Only the models' own table and column names, quoted, go into the SQL: nothing from a request.
        selects.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")  # noqa: S608
        for name in fields:
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field) and field.column, f"{name} is not a column"
            selects.append(f"(SELECT MAX({quote(field.column)}) FROM {table})")  # noqa: S608
    if not selects:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects))
        row = cursor.fetchone()
    return hashlib.sha256(repr(tuple(row or ())).encode()).hexdigest()[:32]


def cache_key(prefix: str, *parts: object) -> str:
    """A cache key under `prefix` for the given parts (a scope, a day, a query string, a fingerprint)."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f"{prefix}:{digest}"


def edited(model: type[models.Model], *fields: str) -> Part:
    """`model` read for `fields` and, when it has one, its `updated_at` (every save moves it on)."""
    names = {field.name for field in model._meta.concrete_fields}
    return model, (*fields, *(("updated_at",) if "updated_at" in names else ()))


def query_string(request: HttpRequest) -> str:
    """The request's query string in a fixed order, for a cache key (filters, sort and page)."""
    return urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))


def cached_html(key: str, draw: Callable[[], str], *, seconds: int) -> SafeString:
    """The HTML kept under `key`, or `draw()` kept there for `seconds` (the HTML is our own rendering)."""
    html: str | None = cache.get(key)
    if html is None:
        html = draw()
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - rendered by our templates, escaped there
