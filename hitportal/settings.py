"""Settings for HIT Portal, read from the environment.

Nothing configured gives the embedded default: an SQLite file under var/, Celery tasks run eagerly
in-process, email printed to the console; ./scripts/run.sh adds a real worker with beat on a filesystem
queue under var/ (HITPORTAL_EMBEDDED_WORKER). Production sets DATABASE_URL, CELERY_BROKER_URL (or
REDIS_URL), SECRET_KEY, ALLOWED_HOSTS and EMAIL_*; see the README's configuration table.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from core.env import check_secret_key, database_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HITPORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on-0123456789abcdef"  # noqa: S105
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or _DEV_SECRET_KEY
else:
    SECRET_KEY = check_secret_key(env_str("SECRET_KEY"))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "core",
    "hitportal",
    "teams",
    "engagement",
    "accreditation",
    "reporting",
    "demo",
    # The second factor (hitportal/security): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Programme managers, panel chairs and staff confirm a second factor before any page (hitportal/security).
    "hitportal.security.middleware.SecondFactorRequiredMiddleware",
    "hitportal.security.middleware.SessionSeenMiddleware",  # the list of one's sessions: last seen
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hitportal.urls"
WSGI_APPLICATION = "hitportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hitportal.context_processors.navigation",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": database_config(env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hitportal.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: uploads go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Plain widgets written out in Python, the rest through Django's templates (core/forms.py).
FORM_RENDERER = "core.forms.WidgetRenderer"

# --- API ---------------------------------------------------------------------------------------------
# Read-only JSON for HITs, scores and dashboard aggregates; token or session authentication, and
# the same permission rules as the pages (hitportal.api). A token dies with the password it was
# issued under (hitportal/api/authentication.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hitportal.api.authentication.PasswordBoundTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "hitportal.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_RATE", "1000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HIT Portal API",
    "DESCRIPTION": "Read-only access to HITs, their stored scores and the portfolio aggregates.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Email -----------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds before an SMTP connection gives up. The web process itself sends when the task queue is
# down (core.mail.send_in_process), and must not hang on a mail server that does not answer.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HIT Portal <no-reply@hitportal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ----------------------------------------------------------------------------------------
# Three ways to run tasks:
# - a broker named (CELERY_BROKER_URL or REDIS_URL): production's Redis, with `celery worker` and `celery beat`;
# - the embedded default of ./scripts/run.sh (HITPORTAL_EMBEDDED_WORKER=true and no broker named): a real
#   worker with beat beside runserver, on kombu's filesystem transport, so no server is needed: each message
#   is a file under VAR_DIR/celery/queue until the worker takes it. No result backend: nobody waits for one;
# - neither: tasks run eagerly in the process that sends them (the test suite, manage.py commands, a
#   runserver started by hand), where no worker would ever take them off a queue.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
HITPORTAL_EMBEDDED_WORKER = not CELERY_BROKER_URL and env_bool("HITPORTAL_EMBEDDED_WORKER", False)
if HITPORTAL_EMBEDDED_WORKER:
    CELERY_BROKER_URL = "filesystem://localhost//"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_RESULT_EXPIRES = 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only once it has finished, so a worker that dies mid-task leaves it on the
# queue for another worker; every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis has no acknowledgements of its own: a task held by a worker that dies outright (SIGKILL, out of
# memory, a lost host) goes back on the queue once it has been unacknowledged this long. It must exceed
# the longest countdown plus run time, or a slow task would be run a second time by another worker while
# the first still runs it. tests/integration/test_faults.py lowers it to watch a redelivery.
#
# A web request enqueues after its commit (core.tasks.enqueue_after_commit) and must not hang while Redis
# is down: connecting gives up after 1 s (a refused connection fails at once), a silent connection after
# 5 s, and a publish is retried twice within half a second before the refusal is logged.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
if HITPORTAL_EMBEDDED_WORKER:
    # One folder is both the in- and the outbox: the web process writes where the worker reads. Exchange
    # bindings (the worker's remote control) live in control/. Beat keeps its last run times in
    # beat-schedule, so a nightly task missed while the laptop was off runs once at the next start.
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "control_folder": str(_celery_dir / "control"),
        "polling_interval": 1.0,
    }
    CELERY_BEAT_SCHEDULE_FILENAME = str(_celery_dir / "beat-schedule")
    # What tasks print goes to the terminal as it is, not through the log's redaction: the console email
    # backend prints whole emails there, as run.sh did when tasks ran in the web process (docs/security.md).
    CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
# A condition's owner is reminded once, this many days before its due date (daily-condition-reminders).
CONDITION_REMINDER_DAYS = env_int("CONDITION_REMINDER_DAYS", 14)
CELERY_BEAT_SCHEDULE = {
    "nightly-portfolio-snapshot": {
        "task": "teams.snapshot_portfolio",
        "schedule": crontab(hour=2, minute=0),
    },
    "nightly-engagement-recompute": {
        "task": "engagement.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # The item bank's reliability, pooled over the released waves of the last 24 months (also queued
    # after each release): nightly, as waves leave the window.
    "nightly-item-bank-quality": {
        "task": "engagement.compute_item_bank_quality",
        "schedule": crontab(hour=2, minute=45),
    },
    # The partnership network (engagement.services.network): rounds close by their date; every
    # network's metrics are recomputed nightly after the engagement recompute.
    "close-due-network-rounds": {
        "task": "engagement.close_due_network_rounds",
        "schedule": crontab(minute=20),
    },
    "nightly-network-recompute": {
        "task": "engagement.recompute_networks",
        "schedule": crontab(hour=2, minute=40),
    },
    # Readiness results are released soon after a wave's closing day ends (engagement.services).
    "readiness-release-closed-waves": {
        "task": "engagement.release_closed_waves",
        "schedule": crontab(minute="*/15"),
    },
    "daily-renewal-reminders": {
        "task": "accreditation.send_renewal_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "daily-condition-reminders": {
        "task": "accreditation.send_condition_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
    "daily-report-reminders": {
        "task": "reporting.send_report_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every HIT's early-warning flags, after the engagement recompute (their coverage gaps) and before
    # the working day: the date-driven flags (silence, pending funding, open conflicts) move overnight.
    "nightly-flags-recompute": {
        "task": "reporting.recompute_all_flags",
        "schedule": crontab(hour=3, minute=30),
    },
    # The board dashboard's funnel plot and monthly XmR charts, after the coverage and readiness recomputes.
    "nightly-portfolio-statistics": {
        "task": "reporting.recompute_portfolio_statistics",
        "schedule": crontab(hour=3, minute=40),
    },
    # The round board's reviewer calibration (also queued after each change to a round's reviews).
    "nightly-reviewer-calibration": {
        "task": "accreditation.recompute_all_calibrations",
        "schedule": crontab(hour=3, minute=50),
    },
    "nightly-export-expiry": {
        "task": "reporting.expire_exports",
        "schedule": crontab(hour=3, minute=15),
    },
    # Score requests whose task was lost (a broker outage) are sent again (SCORE_REQUEST_RESEND_AFTER_SECONDS).
    "resend-score-requests": {
        "task": "engagement.resend_score_requests",
        "schedule": crontab(minute="*/2"),
    },
    "nightly-form-key-expiry": {
        "task": "core.expire_form_submissions",
        "schedule": crontab(hour=3, minute=45),
    },
    # Expired sessions (Django's clearsessions) and the signed-in list's rows of sessions that ended
    # without a sign-out (hitportal.security.sessions).
    "nightly-stale-session-cleanup": {
        "task": "hitportal.clear_stale_sessions",
        "schedule": crontab(hour=4, minute=0),
    },
}

# --- Cache -----------------------------------------------------------------------------------------
# Throttling counters live here. With Redis, core.cache.FailoverRedisCache answers from a per-process
# cache while Redis is down (and logs that throttling then counts per process), so sign-in, password
# reset and the API keep working; the short timeouts make a dead Redis fail fast.
_redis_cache_url = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": _redis_cache_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if _redis_cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions stay in the database, never in the cache: a Redis outage must not sign everyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security --------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ---------------------------------------------------------------------------------------
# No log line may carry a one-time token (a survey, sponsor or password-reset link): every handler
# passes its records through core.logging's redaction, and so do the two loggers that quote request
# paths (runserver's access log, and "Not Found: /path"). Gunicorn's own logs are redacted by its
# logger class (Dockerfile), Celery's by hitportal/celery.py. A new handler needs the filter too
# (tests/core/test_logging.py checks); never add Django's AdminEmailHandler, which mails the request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.logging.RedactTokensFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "loggers": {
        # Replaces Django's default handlers for "django" (a second console handler while DEBUG is on,
        # and mail_admins): its records reach the root's filtered console handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["redact_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Portal ----------------------------------------------------------------------------------------
# How long a burst of edits to one HIT is collected before the worker recomputes its scores.
ENGAGEMENT_DEBOUNCE_SECONDS = env_int("ENGAGEMENT_DEBOUNCE_SECONDS", 10)
# A change that feeds a HIT's early-warning flags queues their recompute this many seconds after it commits
# (the changes of one transaction already share one task). 0, the default, queues it at once: a task
# held by the worker for its countdown when Redis goes away makes the Redis transport fail to restore it
# and stop the worker (tests/integration/test_broker_outage.py), so no countdown is the safe default.
FLAGS_DEBOUNCE_SECONDS = env_int("FLAGS_DEBOUNCE_SECONDS", 0)
# How long a rendered board dashboard is kept; any recompute or change it reads starts a new version anyway.
BOARD_DASHBOARD_CACHE_SECONDS = env_int("BOARD_DASHBOARD_CACHE_SECONDS", 600)
# The main lists' rendered tables (core.versions.cached_render): any change to what they show, or to the
# viewer's roles, starts a new version anyway; the timeout bounds a write that bypassed the versions.
LIST_CACHE_SECONDS = env_int("LIST_CACHE_SECONDS", 300)
# Part of their key: the release. Empty (the default): a digest of the templates and modules, read once per process.
LIST_CACHE_RELEASE = env_str("LIST_CACHE_RELEASE", "")
# How long a table's version token is kept in the cache (a lost token only costs one fresh rendering).
TABLE_VERSION_CACHE_SECONDS = env_int("TABLE_VERSION_CACHE_SECONDS", 24 * 60 * 60)
# A score request still pending this long has lost its task (e.g. Redis was down when it was sent); the
# beat task engagement.resend_score_requests sends it again. Well above the debounce and a busy queue.
SCORE_REQUEST_RESEND_AFTER_SECONDS = env_int("SCORE_REQUEST_RESEND_AFTER_SECONDS", 300)
HITPORTAL_SITE_NAME = env_str("HITPORTAL_SITE_NAME", "HIT Portal")
# Person and organisation choices (teams.forms.lookup): a plain list up to this many entries, past it a search
# box beside a list of the current choice and the first DIRECTORY_LOOKUP_LIMIT matches.
DIRECTORY_SELECT_FULL_MAX = env_int("DIRECTORY_SELECT_FULL_MAX", 300)
DIRECTORY_LOOKUP_LIMIT = 50
# Directory searches per user a minute (the htmx lookup and names typed into forms together).
DIRECTORY_LOOKUPS_PER_MINUTE = env_int("DIRECTORY_LOOKUPS_PER_MINUTE", 60)
# Background exports (files of personal data) are deleted this many days after they were asked for.
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# The public address, for links in emails (they are read outside the site).
HITPORTAL_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reverse proxies in front of the web process that append to X-Forwarded-For (1 behind the usual TLS
# proxy); sign-in throttling (core/throttle.py) counts failures per client address.
HITPORTAL_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Second factor (hitportal/security, docs/security.md section 6) ----------------------------------
# A sensitive action (erasing a person, granting a role) asks for the second factor again when the last
# confirmation is older than this.
SECOND_FACTOR_REAUTH_SECONDS = env_int("SECOND_FACTOR_REAUTH_SECONDS", 10 * 60)
# The name an authenticator app shows beside the codes.
OTP_TOTP_ISSUER = HITPORTAL_SITE_NAME
# DEMO ONLY: the demo's logins (addresses at example.org, a domain reserved for examples) are let in
# without a second factor, so ./scripts/run.sh works without an authenticator app. Refused unless DEBUG
# is on: a production server never has it.
SECOND_FACTOR_DEMO_EXEMPT = env_bool("DEMO_WITHOUT_SECOND_FACTOR", False)
if SECOND_FACTOR_DEMO_EXEMPT and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DEMO_WITHOUT_SECOND_FACTOR is for the demo only: it needs DEBUG=true.")
SECOND_FACTOR_DEMO_DOMAIN = "example.org"

# --- Single sign-on with OpenID Connect (hitportal/security/sso.py; docs/operations.md) ----------------
# OIDC_PROVIDERS names one or more providers (e.g. "entra"); each reads OIDC_<NAME>_ISSUER, _CLIENT_ID,
# _CLIENT_SECRET, _ALLOWED_DOMAINS (comma-separated; only verified addresses at these domains sign in),
# and optionally _NAME (the button), _CREATE_ACCOUNTS (a first sign-in with no login makes one, with no
# role), _TRUST_MFA (the provider's "mfa" in amr counts as the second factor) and _SCOPES.
HITPORTAL_OIDC_PROVIDERS: dict[str, dict[str, object]] = {}
for _provider in env_list("OIDC_PROVIDERS", []):
    import re as _re

    from django.core.exceptions import ImproperlyConfigured as _Improperly

    if not _re.fullmatch(r"[a-z0-9]+", _provider):
        raise _Improperly(f"OIDC_PROVIDERS: {_provider!r} must be lower-case letters and digits.")
    _prefix = f"OIDC_{_provider.upper()}_"
    _missing = [name for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not env_str(_prefix + name)]
    if _missing:
        raise _Improperly(f"Single sign-on {_provider!r} needs {', '.join(_prefix + m for m in _missing)}.")
    HITPORTAL_OIDC_PROVIDERS[_provider] = {
        "name": env_str(_prefix + "NAME") or _provider,
        "issuer": env_str(_prefix + "ISSUER").rstrip("/"),
        "client_id": env_str(_prefix + "CLIENT_ID"),
        "client_secret": env_str(_prefix + "CLIENT_SECRET"),
        "allowed_domains": [d.strip().lower().lstrip("@") for d in env_list(_prefix + "ALLOWED_DOMAINS", [])],
        "create_accounts": env_bool(_prefix + "CREATE_ACCOUNTS", False),
        "trust_mfa": env_bool(_prefix + "TRUST_MFA", False),
        "scopes": env_str(_prefix + "SCOPES") or "openid email profile",
    }
