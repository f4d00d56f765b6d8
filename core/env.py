"""Typed readers for configuration from the environment.

Every reader fails loudly with ImproperlyConfigured naming the variable, so a bad value stops
start-up with a clear message instead of surfacing later as a traceback deep inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default).strip()


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {environ[name]!r}.")


def env_int(name: str, default: int, *, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str, *, name: str = "DATABASE_URL") -> dict[str, Any]:
    """Parse a database URL, accepting only the engines the portal supports."""
    import dj_database_url

    supported = ("postgres://", "postgresql://", "sqlite://")
    if not url.startswith(supported):
        raise ImproperlyConfigured(
            f"{name} must start with postgres://, postgresql:// or sqlite://, not {url.split('://')[0]!r}."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} does not name a database.")
    if config["ENGINE"].endswith("postgresql") and not config.get("HOST"):
        config["HOST"] = "127.0.0.1"
    if config["ENGINE"].endswith("sqlite3"):
        config.pop("CONN_HEALTH_CHECKS", None)
        config["CONN_MAX_AGE"] = 0
        # ./scripts/run.sh's worker writes beside the web process. Write-ahead logging lets readers go on
        # while one writes; a transaction takes the write lock when it begins (a reader that later
        # writes would otherwise fail at once with "database is locked" instead of waiting); and a
        # writer waits up to 20 s for the lock before failing.
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "init_command": "PRAGMA journal_mode=WAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return dict(config)


WEAK_SECRET_PREFIXES = ("django-insecure", "changeme", "change-me", "secret", "dev-")


def check_secret_key(value: str, *, name: str = "SECRET_KEY") -> str:
    """Refuse a missing or weak secret key (used when DEBUG is off).

    Mirrors the rule of Django's security.W009 check (50+ characters, 5+ distinct characters, not
    the insecure default) so that `check --deploy` cannot warn about a key we accepted.
    """
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. With DEBUG off the portal needs a secret key: set {name} to a random "
            'string of at least 50 characters (python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    if len(value) < 50 or len(set(value)) < 5 or value.lower().startswith(WEAK_SECRET_PREFIXES):
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least 50 random characters with at least 5 different ones, "
            "not a placeholder."
        )
    return value
