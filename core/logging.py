"""Keeping one-time tokens out of every log line.

Some of the portal's addresses are credentials: a readiness survey link (whoever holds it answers, and
the token's digest joins the invitation to its response), an executive sponsor's confirmation link and a
password reset link. An access log that kept them would undo the survey's anonymity and hand out the
other two to anyone who reads the logs. So every log line the portal writes passes through `redact`:

- `RedactTokensFilter`, on every handler of settings.LOGGING and on the loggers `django.server`
  (runserver's access log) and `django.request` ("Not Found: /path"), and on the handlers Celery installs
  (hitportal/celery.py);
- `RedactingGunicornLogger`, gunicorn's logger class (Dockerfile: ``--logger-class``), which redacts the
  access log's atoms (request line, path, query, referer, headers) and the error log's messages (and
  leaves out the healthcheck's successful probes: QUIET_WHEN_OK).

`redact` keeps the rest of the line, so a log still says which page was asked for and how it answered:
``GET /engagement/survey/[redacted]/?section=2 HTTP/1.1``. The reverse proxy in front of the portal keeps
its own access log, which this cannot reach: docs/operations.md says what to configure there.

This module is imported by gunicorn's master process before Django is set up, so it imports nothing that
needs settings.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging

REDACTED = "[redacted]"

#: Every URL shape that carries a secret: the path prefix (as mounted in hitportal/urls.py), then how
#: many secret path segments follow it. Anything after them (a sub-path, a query) is kept.
#: tests/core/test_logging.py walks the URL resolver: a new URL with a token-like parameter fails
#: there until it is added here (or listed there as not secret).
SECRET_URLS: tuple[tuple[str, int], ...] = (
    ("engagement/survey", 1),  # engagement:survey-respond and anything below it
    ("engagement/network-survey", 1),  # engagement:network-respond
    ("accreditation/sponsor", 1),  # accreditation:sponsor-confirm (a signed value)
    ("accounts/password/reset", 2),  # password_reset_confirm: uidb64, then the token
    ("accounts/signup/verify", 2),  # signup_verify: uidb64, then the token
)

# A slash, or a slash percent-encoded (a path inside a query string: ?next=%2Faccreditation%2Fsponsor...).
# Runs of slashes count as one, as a browser may send them.
_SEPARATOR = r"(?:/|%2[fF])+"
# One path segment: up to the next separator, query, fragment, space or quote (log lines quote paths).
_SEGMENT = r"(?:(?!%2[fF])[^/?#\s\"'])+"


#: Paths whose successful answers gunicorn does not log: the healthcheck's probe of the health page
#: (hitportal/urls.py; tests/core/test_logging.py checks they agree) comes every 30 s, and a line saying
#: all is well each time would bury the others. A probe that finds something down is logged as usual.
QUIET_WHEN_OK: frozenset[str] = frozenset({"/health/"})


def _build_pattern() -> re.Pattern[str]:
    alternatives = []
    for index, (prefix, secrets) in enumerate(SECRET_URLS):
        words = _SEPARATOR.join(re.escape(word) for word in prefix.split("/"))
        # The prefix starts a path segment: after a slash (plain or encoded), never mid-word.
        alternatives.append(
            rf"(?P<prefix{index}>(?:(?<=/)|(?<=%2[fF])){words})"
            rf"(?P<secrets{index}>(?:{_SEPARATOR}{_SEGMENT}){{{secrets}}})"
        )
    return re.compile("|".join(alternatives), re.IGNORECASE)


_PATTERN = _build_pattern()
_SEPARATOR_SPLIT = re.compile(f"({_SEPARATOR})")


def _replace(match: re.Match[str]) -> str:
    for index in range(len(SECRET_URLS)):
        secrets = match.group(f"secrets{index}")
        if secrets is not None:
            parts = _SEPARATOR_SPLIT.split(secrets)
            redacted = "".join(
                part if not part or _SEPARATOR_SPLIT.fullmatch(part) else REDACTED for part in parts
            )
            return match.group(f"prefix{index}") + redacted
    return match.group(0)  # pragma: no cover - one alternative always matched


#: The single sign-on callback (hitportal.security.sso) carries the provider's one-time authorization code
#: and the state in its query: the whole query is replaced (the provider's name in the path is kept).
_SSO_CALLBACK_QUERY = re.compile(
    rf"(?P<path>(?:(?<=/)|(?<=%2[fF]))accounts{_SEPARATOR}sso{_SEPARATOR}{_SEGMENT}{_SEPARATOR}callback{_SEPARATOR}?)"
    r"(?P<query>(?:\?|%3[fF])[^\s\"']*)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` (a path, a URL, a request line, a whole log message) with every one-time token replaced."""
    if not text:
        return text
    text = _SSO_CALLBACK_QUERY.sub(lambda m: f"{m.group('path')}?{REDACTED}", text)
    return _PATTERN.sub(_replace, text)


class RedactTokensFilter(logging.Filter):
    """A logging filter that rewrites a record's message, traceback and stack without tokens.

    It never drops a record. Records are changed in place, so a record that also reaches another
    handler (propagating to the root logger) is already clean there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging would print msg and args raw in its error report
        message = f"{record.msg} {record.args!r}"
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        # An exception's message may quote a path: format the traceback now, so it can be cleaned.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingGunicornLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn publishes no types
    """gunicorn's logger, with tokens redacted from the access log and the error log.

    Every text atom of the access log is cleaned, not only the request line (%(r)s), path (%(U)s),
    query (%(q)s) and referer (%(f)s): a custom --access-logformat may quote any header
    (%({referer}i)s, %({location}o)s for a redirect) or environ entry.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # The error log quotes request lines it could not parse; setup runs again on reload.
        if not any(isinstance(existing, RedactTokensFilter) for existing in self.error_log.filters):
            self.error_log.addFilter(RedactTokensFilter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get("PATH_INFO") in QUIET_WHEN_OK and str(resp.status).split(" ", 1)[0] == "200":
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
