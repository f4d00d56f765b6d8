"""One-time tokens never reach a log (core.logging): the redaction rule, that it covers every URL of the
portal carrying a secret, and that every log route the portal writes through applies it.

The real servers (gunicorn as the Dockerfile runs it, and runserver) are in test_logging_servers.py.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.signals import after_setup_logger, after_setup_task_logger
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from gunicorn.config import Config

from core.logging import QUIET_WHEN_OK, REDACTED, RedactingGunicornLogger, RedactTokensFilter, redact

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq3kP0x7_secret-survey-token-aB9cD8eF7gH6iJ5kL4m"


# --- The rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/engagement/survey/{TOKEN}/", "/engagement/survey/[redacted]/"),
        (
            f"/engagement/survey/{TOKEN}/?section=2&saved=1",
            "/engagement/survey/[redacted]/?section=2&saved=1",
        ),
        (f"/engagement/survey/{TOKEN}", "/engagement/survey/[redacted]"),  # before APPEND_SLASH
        (f"/engagement/survey/{TOKEN}/thanks/", "/engagement/survey/[redacted]/thanks/"),
        (
            f'"GET /engagement/survey/{TOKEN}/ HTTP/1.1" 200',
            '"GET /engagement/survey/[redacted]/ HTTP/1.1" 200',
        ),
        (
            f"https://hits.example.org/engagement/survey/{TOKEN}/",
            "https://hits.example.org/engagement/survey/[redacted]/",
        ),
        (f"/engagement//survey/{TOKEN}/", "/engagement//survey/[redacted]/"),
        (f"/Engagement/Survey/{TOKEN}/", "/Engagement/Survey/[redacted]/"),
        (
            "Bad Request: /accreditation/sponsor/.eJyrVkpUslIyNDBQ:1tQx2b:Xk3-8vZc/",
            "Bad Request: /accreditation/sponsor/[redacted]/",
        ),
        (
            "/accounts/password/reset/MTI/cz8d5k-0a1b2c3d4e5f/",
            "/accounts/password/reset/[redacted]/[redacted]/",
        ),
        (
            "/accounts/signup/verify/MTI/cz8d5k-0a1b2c3d4e5f/",
            "/accounts/signup/verify/[redacted]/[redacted]/",
        ),
        (
            "/accounts/login/?next=%2Faccreditation%2Fsponsor%2F.eJy%3A1tQ%3AXk%2F",
            "/accounts/login/?next=%2Faccreditation%2Fsponsor%2F[redacted]%2F",
        ),
    ],
)
def test_redact_replaces_the_token_and_keeps_the_rest(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "/engagement/survey/",
        "/engagement/hits/3/surveys/7/results/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/done/",
        "/accounts/signup/",
        "/accounts/signup/sent/",
        "/accreditation/applications/5/sponsor/request/",
        "/static/myengagement/survey/logo.svg",
        "",
    ],
)
def test_redact_leaves_addresses_without_a_secret_alone(text):
    assert redact(text) == text


# --- Every URL with a secret is covered ----------------------------------------------------------------

# Every URL parameter that is not a whole number is a secret that core.logging redacts, unless it is
# listed here with the reason it is not one. A new `<str:...>` parameter fails the test below until
# it is either added to core.logging.SECRET_URLS or listed here.
NOT_SECRET = {
    ("teams:directory-lookup", "directory"): "the directory's name: people or organisations",
    ("accreditation:application-section", "key"): "a section's name, e.g. governance",
    ("teams:vocabulary-list", "vocabulary"): "a vocabulary's name, e.g. theme",
    ("teams:vocabulary-term-create", "vocabulary"): "a vocabulary's name, e.g. theme",
    ("teams:vocabulary-term-edit", "vocabulary"): "a vocabulary's name, e.g. theme",
    ("sso-login", "provider_id"): "a single sign-on provider's configured name, e.g. entra",
    ("sso-callback", "provider_id"): "a single sign-on provider's configured name (the query is redacted)",
}
SAMPLES = {"slug": "sample-value-{n}", "str": "Sample.Value:{n}", "path": "sample/value/{n}"}


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry.pattern


def _example(route: str) -> tuple[str, dict[str, str]]:
    """A path for `route` with a distinct sample value in each parameter, and those values by name."""
    samples: dict[str, str] = {}

    def sample(match: re.Match[str]) -> str:
        converter, parameter = match.group(1) or "str", match.group(2)
        if converter == "int":
            return "7"
        samples[parameter] = SAMPLES[converter].format(n=len(samples))
        return samples[parameter]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sample, route), samples


def _parameterised_routes() -> list[tuple[str, str, dict[str, str]]]:
    """(url name, example path, {parameter: sample value}) for every URL outside the admin site."""
    found = []
    for route, name, pattern in _routes(get_resolver()):
        if route.startswith("admin/"):
            continue  # the admin site's own addresses: object ids of staff-only pages
        assert isinstance(pattern, RoutePattern), f"{name}: teach this test about regex URL patterns"
        path, samples = _example(route)
        if samples:
            found.append((name, path, samples))
    return found


def test_every_url_parameter_is_redacted_or_known_not_secret():
    routes = _parameterised_routes()

    for name, path, samples in routes:
        assert resolve(path).view_name == name  # the example really is that page's address
        redacted = redact(path)
        for parameter, value in samples.items():
            if (name, parameter) in NOT_SECRET:
                assert value in redacted, f"{name}: {parameter} is not secret, yet it was redacted"
            else:
                assert value not in redacted, (
                    f"{name} carries {parameter!r} in its address and logs would keep it: add its shape "
                    "to core.logging.SECRET_URLS, or list it in NOT_SECRET with the reason it is not secret"
                )
                assert REDACTED in redacted
    assert {name for name, _path, _samples in routes} >= {
        "engagement:survey-respond",
        "accreditation:sponsor-confirm",
        "password_reset_confirm",
        "signup_verify",
    }


# --- The logging filter ------------------------------------------------------------------------------------


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_filter_rewrites_the_message_with_its_arguments():
    record = _record("Not Found: %s", f"/engagement/survey/{TOKEN}/")

    kept = RedactTokensFilter().filter(record)

    assert kept is True
    assert record.getMessage() == "Not Found: /engagement/survey/[redacted]/"


def test_filter_leaves_a_record_without_a_token_as_it_was():
    record = _record("Export job %s failed", 12)

    RedactTokensFilter().filter(record)

    assert (record.msg, record.args) == ("Export job %s failed", (12,))


def test_filter_redacts_a_traceback_that_quotes_a_token():
    try:
        raise ValueError(f"cannot open /engagement/survey/{TOKEN}/")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Failed", (), sys.exc_info())

    RedactTokensFilter().filter(record)
    output = logging.Formatter().format(record)

    assert TOKEN not in output
    assert "ValueError: cannot open /engagement/survey/[redacted]/" in output


def test_every_handler_and_the_request_loggers_carry_the_filter():
    config = settings.LOGGING

    assert config["filters"]["redact_tokens"] == {"()": "core.logging.RedactTokensFilter"}
    assert {name: handler.get("filters") for name, handler in config["handlers"].items()} == {
        name: ["redact_tokens"] for name in config["handlers"]
    }
    assert config["loggers"]["django.request"]["filters"] == ["redact_tokens"]
    assert config["loggers"]["django.server"]["filters"] == ["redact_tokens"]
    # No handler of Django's defaults (mail_admins mails the whole request) is left on "django".
    assert logging.getLogger("django").handlers == []


def test_not_found_on_a_survey_link_is_logged_without_its_token(db, client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = client.get(f"/engagement/survey/{TOKEN}/?section=2")

    assert response.status_code == 404
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("django.request", "Not Found: /engagement/survey/[redacted]/")
    ]


@pytest.mark.parametrize("signal", [after_setup_logger, after_setup_task_logger])
def test_celery_worker_log_handlers_redact_tokens(signal):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(f"tests.celery.{signal.name}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        signal.send(
            sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
        )
        logger.warning("Sending https://hits.example.org/engagement/survey/%s/ failed", TOKEN)
    finally:
        logger.removeHandler(handler)

    assert stream.getvalue() == "Sending https://hits.example.org/engagement/survey/[redacted]/ failed\n"


# --- gunicorn ---------------------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger():
    logger = RedactingGunicornLogger(Config())
    yield logger
    for log in (logger.error_log, logger.access_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
        for existing in list(log.filters):
            log.removeFilter(existing)


def test_gunicorn_atoms_are_redacted(gunicorn_logger):
    survey = f"/engagement/survey/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{survey}?section=2",
        "PATH_INFO": survey,
        "QUERY_STRING": f"next=%2Faccreditation%2Fsponsor%2F{TOKEN}%2F",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://hits.example.org{survey}",
        "REMOTE_ADDR": "10.0.0.1",
    }
    request = SimpleNamespace(headers=[("REFERER", f"https://hits.example.org{survey}")])
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", f"{survey}?section=3")])

    atoms = gunicorn_logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=5))

    assert {key: atoms[key] for key in ("r", "U", "q", "f", "{referer}i", "{location}o", "h", "s")} == {
        "r": "GET /engagement/survey/[redacted]/?section=2 HTTP/1.1",
        "U": "/engagement/survey/[redacted]/",
        "q": "next=%2Faccreditation%2Fsponsor%2F[redacted]%2F",
        "f": "https://hits.example.org/engagement/survey/[redacted]/",
        "{referer}i": "https://hits.example.org/engagement/survey/[redacted]/",
        "{location}o": "/engagement/survey/[redacted]/?section=3",
        "h": "10.0.0.1",
        "s": "302",
    }


def test_gunicorn_error_log_is_redacted(gunicorn_logger):
    stream = io.StringIO()
    gunicorn_logger.error_log.addHandler(logging.StreamHandler(stream))

    gunicorn_logger.error("Invalid request line: 'GET /engagement/survey/%s/ HTTP/1.1 x'", TOKEN)

    assert stream.getvalue() == "Invalid request line: 'GET /engagement/survey/[redacted]/ HTTP/1.1 x'\n"


@pytest.fixture
def gunicorn_access_log():
    """A gunicorn logger writing its access log (as the Dockerfile's --access-logfile - does) to a string."""
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingGunicornLogger(config)
    stream = io.StringIO()
    for handler in list(logger.access_log.handlers):
        logger.access_log.removeHandler(handler)
    logger.access_log.addHandler(logging.StreamHandler(stream))
    yield logger, stream
    for log in (logger.error_log, logger.access_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
        for existing in list(log.filters):
            log.removeFilter(existing)


def _access(logger, path: str, status: str) -> None:
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status=status, sent=0, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, SimpleNamespace(seconds=0, microseconds=5))


def test_gunicorn_leaves_out_only_the_healthy_answers_of_the_health_page(gunicorn_access_log):
    logger, stream = gunicorn_access_log

    _access(logger, "/health/", "200 OK")
    _access(logger, "/health/", "503 Service Unavailable")
    _access(logger, "/", "200 OK")

    assert [
        re.search(r'"GET (\S+) HTTP/1.1" (\d+)', line).groups() for line in stream.getvalue().splitlines()
    ] == [
        ("/health/", "503"),
        ("/", "200"),
    ]


def test_the_quiet_paths_are_the_health_page():
    assert {reverse("health")} == QUIET_WHEN_OK


def test_docker_compose_does_not_run_gunicorn_without_the_logger_class():
    compose = (REPO_ROOT / "docker-compose.yml").read_text()

    # The web service runs the image's CMD (Dockerfile); a command of its own must keep the class.
    commands = re.findall(r"^\s+command:.*$", compose, re.M)
    assert [line for line in commands if "gunicorn" in line and "RedactingGunicornLogger" not in line] == []


def test_the_single_sign_on_callbacks_query_is_redacted():
    from core.logging import redact

    line = '"GET /accounts/sso/entra/callback/?code=0.AXyz-secret&state=abc123 HTTP/1.1" 302'

    assert redact(line) == '"GET /accounts/sso/entra/callback/?[redacted] HTTP/1.1" 302'
    assert redact("/accounts/sso/entra/login/?next=/teams/") == "/accounts/sso/entra/login/?next=/teams/"
