"""The environment the page benchmarks run Django in: the production settings (DEBUG off, cached
templates) with HTTPS redirects off and the test client's host allowed, as in the test suite.
Imported by bench/pages.py and bench/directory.py before Django is set up."""

from __future__ import annotations

import os
import secrets
import warnings


def configure(database_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitportal.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DATABASE_URL"] = database_url
    # The benchmarks serve no static files; WhiteNoise's note about the missing collectstatic folder is noise.
    warnings.filterwarnings("ignore", message="No directory at")
