"""Versions of tables, and page parts rendered once per version of what they show.

A list page (the HIT list, the progress reports, a round's board...) renders the same rows again and again
between two edits. `cached_render` keeps the rendered part in the shared cache under a key made of:
- the part's name and the viewer's scope (the caller passes it: who the viewer is and the version of
  their roles, so one user's rows are never served to another, and a changed role misses at once);
- the query string, normalised (filters, sort, page) and the day (lists mark what is overdue);
- `fingerprint(models)`: the version of every table the part shows;
- `release()`: a digest of the templates and modules that render it, so a deployment never serves what
  the previous release rendered.

The fingerprint of a table is two things, read together:
- its highest primary key, from the database (one query for all the tables; the index answers), which
  moves with every new row, also those that send no signal (bulk_create, a data migration);
- a token per model in the shared cache, replaced by `bump`. Every model a cached part shows is
  `track`ed at start-up (each app's AppConfig.ready): its post_save and post_delete replace the token,
  so an edit or a deletion shows on the next request. A write that sends no signal (QuerySet.update)
  must call `bump` itself.

`bump` replaces the token at once (the rest of the transaction, and a test, sees it) and again when the
transaction commits, so a request that read the first new token before the commit, and rendered the
rows as they were, is not served after it. Tokens are random, never counters: a token the cache lost
(eviction, restart) is replaced by a new one, never by an old value that could name an old rendering.

While the shared cache is away (core.cache.FailoverRedisCache answers from each process's own), parts
are rendered and not kept: a token bumped in one process would not be seen by another. The bumps made
during the outage never reached Redis, so when it answers again the process that noticed the outage
replaces every token (core.cache.on_recovery). The cache's timeout bounds anything else.

A part rendered with `{% csrf_token %}` or `{% one_time_key %}` (core/templatetags/once.py) keeps a
placeholder in the cache; each response puts the viewer's own CSRF token, and a new one-time key, in its
place. Messages, the navigation and anything else of the page around the part are rendered per request.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.http import urlencode

from core.cache import on_recovery, shared_cache_answers

#: Part of every key: raise it when what is cached changes shape.
SCHEMA = 1
TOKEN_PREFIX = "core:table-version"  # noqa: S105 - a cache key prefix, not a secret
PART_PREFIX = "core:rendered"
#: Put in the context as `csrf_token` while rendering a cached part; replaced by the viewer's token.
CSRF_PLACEHOLDER = "csrf0placeholder0b7f2e91d4c6a8"
#: Written by {% one_time_key %} in a cached part; each occurrence is replaced by a new key.
FORM_KEY_PLACEHOLDER = "formkey0placeholder03c5a7e2d91f"

_tracked: dict[str, type[models.Model]] = {}
#: Per model label: saves of only these fields change nothing a list shows (a sign-in's last_login).
_ignored_fields: dict[str, frozenset[str]] = {}


def _label(model: type[models.Model]) -> str:
    return str(model._meta.label_lower)


def _token_key(label: str) -> str:
    return f"{TOKEN_PREFIX}:{SCHEMA}:{label}"


def track(*tracked: type[models.Model], ignore_update_fields: Iterable[str] = ()) -> None:
    """Bump each model's token whenever one of its rows is saved or deleted (idempotent). A save with
    update_fields only among `ignore_update_fields` bumps nothing (the user row's last_login, saved at
    every sign-in, is on no list)."""
    for model in tracked:
        label = _label(model)
        _tracked[label] = model
        _ignored_fields[label] = _ignored_fields.get(label, frozenset()) | frozenset(ignore_update_fields)
        post_save.connect(_changed, sender=model, dispatch_uid=f"core.versions.saved:{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"core.versions.deleted:{label}")


def tracked_models() -> list[type[models.Model]]:
    return list(_tracked.values())


def _changed(sender: type[models.Model], **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= _ignored_fields.get(_label(sender), frozenset()):
        return
    bump(sender)


class PendingBumps:
    """The tokens to replace again when the transaction commits: one callback per transaction, however
    many rows it saves (found again among the connection's on-commit callbacks)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def __call__(self) -> None:
        _replace(self.keys)


def _replace(keys: Iterable[str]) -> None:
    cache.set_many({key: uuid.uuid4().hex for key in keys}, settings.TABLE_VERSION_CACHE_SECONDS)


def bump(*changed: type[models.Model]) -> None:
    """New tokens for these models: every part showing them renders again. Call it after a write that
    sends no signal (QuerySet.update, bulk_create of existing ids, raw SQL)."""
    keys = {_token_key(_label(model)) for model in changed}
    if not keys:
        return
    _replace(keys)
    if not connection.in_atomic_block:
        return
    # Each entry is (savepoint ids, callback, robust); a savepoint rolled back drops its callbacks.
    callbacks = [entry[1] for entry in connection.run_on_commit]
    pending = next((func for func in callbacks if isinstance(func, PendingBumps)), None)
    if pending is None:
        pending = PendingBumps()
        transaction.on_commit(pending)
    pending.keys |= keys


def _forget_all_tokens() -> None:
    cache.delete_many([_token_key(label) for label in _tracked])


on_recovery(_forget_all_tokens)


def fingerprint(sources: Iterable[type[models.Model]]) -> str:
    """The version of these tables: one query (their highest ids) and one cache read (their tokens)."""
    ordered = sorted(set(sources), key=_label)
    if not ordered:
        return ""
    quote = connection.ops.quote_name
    # Only the models' own table and column names, quoted, go into the SQL: nothing from a request.
    columns = [
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model in ordered
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        highest = cursor.fetchone() or ()
    keys = [_token_key(_label(model)) for model in ordered]
    tokens = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in tokens}
    if missing:
        # Another process may be setting the same token: add, then read what won.
        for key, token in missing.items():
            cache.add(key, token, settings.TABLE_VERSION_CACHE_SECONDS)
        tokens |= cache.get_many(list(missing))
    parts = [f"{_label(m)}={h}:{tokens.get(k, '')}" for m, h, k in zip(ordered, highest, keys, strict=True)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def normalised_query(query: QueryDict, *, ignore: Iterable[str] = ()) -> str:
    """The query string in a stable order, without `ignore`d names."""
    left_out = set(ignore)
    pairs = sorted(
        (name, value) for name, values in query.lists() if name not in left_out for value in values
    )
    return urlencode(pairs)


@functools.cache
def release() -> str:
    """A digest of the code that renders: a new release never serves a part rendered by the old one.
    The templates folder and the Python packages beside it (apps and the project, not their migrations),
    read once per process; LIST_CACHE_RELEASE, when set, is used instead."""
    if settings.LIST_CACHE_RELEASE:
        return str(settings.LIST_CACHE_RELEASE)
    base = Path(settings.BASE_DIR)
    packages = [d for d in sorted(base.iterdir()) if (d / "__init__.py").is_file() and d.name != "tests"]
    files = [*sorted((base / "templates").rglob("*.html"))]
    for package in packages:
        files += [f for f in sorted(package.rglob("*.py")) if "migrations" not in f.parts]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def part_key(
    *, name: str, scope: str, sources: Iterable[type[models.Model]], vary: Iterable[str] = ()
) -> str:
    today = timezone.localdate().isoformat()
    text = "|".join([name, release(), scope, today, *vary, fingerprint(sources)])
    return f"{PART_PREFIX}:{SCHEMA}:{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def _only_known(query: QueryDict, known: set[str]) -> bool:
    return all(name in known or name.split("__", 1)[0] in known for name in query)


def cached_part(
    *,
    name: str,
    scope: str,
    sources: Iterable[type[models.Model]],
    render: Callable[[], str],
    vary: Iterable[str] = (),
    keep: bool = True,
) -> str:
    """The HTML `render` makes, kept under `part_key` while the shared cache answers, as is: no
    placeholder is filled. For a part drawn inside another cached part (which fills them); `keep=False`
    renders it and keeps nothing."""
    sources = list(sources)
    for model in sources:
        if _label(model) not in _tracked:
            raise ValueError(f"{_label(model)} is shown by the cached part {name} but not tracked")
    body: object = None
    key = ""
    if keep and shared_cache_answers():
        key = part_key(name=name, scope=scope, sources=sources, vary=vary)
        body = cache.get(key)
    if not isinstance(body, str):
        body = render()
        # Kept only if the shared cache answered throughout (its tokens are what every process reads).
        if key and shared_cache_answers():
            cache.set(key, body, settings.LIST_CACHE_SECONDS)
    return body


def cached_render(
    request: HttpRequest,
    *,
    name: str,
    scope: str,
    sources: Iterable[type[models.Model]],
    render: Callable[[dict[str, Any]], str],
    vary: Iterable[str] = (),
    params: Iterable[str] | None = None,
) -> str:
    """The part `render` makes, from the cache when nothing it shows changed (see the module docstring).

    `render` gets the context to add to its own (the CSRF placeholder) and returns the HTML. `vary` adds
    what else the part depends on; the normalised query string always counts. With `params` (the names the
    list reads: its filters, `page`...; `name__q` of a type-ahead counts as `name`), a request naming
    anything else is rendered and not kept, so made-up query strings cannot fill the cache."""
    extra = {"csrf_token": CSRF_PLACEHOLDER, "form_key_placeholder": FORM_KEY_PLACEHOLDER}
    body = cached_part(
        name=name,
        scope=scope,
        sources=sources,
        render=lambda: render(extra),
        vary=[normalised_query(request.GET), *vary],
        keep=params is None or _only_known(request.GET, set(params)),
    )
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    if FORM_KEY_PLACEHOLDER in body:
        body = re.sub(FORM_KEY_PLACEHOLDER, lambda _match: str(uuid.uuid4()), body)
    return body
