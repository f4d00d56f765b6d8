# HIT Portal production image: gunicorn for the web process; the same image runs the Celery worker and beat
# (see docker-compose.yml and docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HITPORTAL_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

RUN groupadd --system --gid 1000 hitportal \
    && useradd --system --uid 1000 --gid hitportal --home-dir /app --shell /usr/sbin/nologin hitportal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: exactly the runtime lock (scripts/lock.sh),
# every file checked against its hash. Wheels exist for all of them (psycopg-binary included), so the slim
# image needs no compiler.
COPY requirements/base.lock requirements/
RUN pip install --require-hashes --no-deps -r requirements/base.lock

# The code stays owned by root: the app user can read it but write only under /app/var.
COPY . .

# Static files are built into the image. Settings refuse to load without a strong key when DEBUG is
# off, so collectstatic gets a throwaway one that exists only in this build step.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-build-step-only-3f9a7c1e5b2d8f4a6c0e9b7d5f3a1c8e6b4d2f0a \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R hitportal:hitportal /app/var

USER hitportal

EXPOSE 8000

# WEB_CONCURRENCY sets gunicorn's worker count (gunicorn reads it itself); GUNICORN_CMD_ARGS adds options.
# Only the TLS-terminating proxy can reach port 8000, so its X-Forwarded-* headers are trusted; gunicorn's
# runtime control socket is not used in a container. The logger class redacts one-time tokens (survey,
# sponsor and password-reset links) from the access and error logs (core/logging.py).
CMD ["gunicorn", "hitportal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--logger-class", "core.logging.RedactingGunicornLogger", \
     "--forwarded-allow-ips", "*", "--no-control-socket"]
