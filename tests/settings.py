"""Settings for the test suite: the production settings module, with test-only defaults.

DATABASE_URL and CELERY_BROKER_URL pass through, so ./scripts/test.sh can run the same suite on
SQLite and on PostgreSQL with Redis.
"""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0-not-for-production"
)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")

from hitportal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The integration tests watch a real worker pick up a debounced recompute; keep the wait short.
ENGAGEMENT_DEBOUNCE_SECONDS = 1
