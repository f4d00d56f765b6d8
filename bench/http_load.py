#!/usr/bin/env python
"""Requests per second of every page each persona reaches, served by gunicorn and measured over HTTP with
wrk at national scale, side by side with a bare Django hello-world on the same machine.

1. The scale database (PostgreSQL; BENCH_HTTP_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/hitportal_http) is created if missing, migrated, and filled by
   `manage.py seed_scale --hits N` (which adds only what is missing, so a second run starts at once).
2. The scale personas sign in (a session each, stored like any sign-in) and each one's pages are found by
   crawling as that persona: from the home page, every link on the site a GET may follow (not sign-out,
   downloads, exports, the admin or the API), one URL per URL name, until no link leads to a page of a
   URL name not yet seen (every page the persona reaches: about 220 at the scale data), or up to
   --pages-per-persona each when given.
3. gunicorn serves the portal (production settings: DEBUG off, Redis cache, --workers sync workers) and
   the hello-world (bench/hello_wsgi.py) on two ports.
4. Each page is loaded by wrk (`-t2 -c8 -dNs --latency`, as docs/benchmarks.md records), alternating
   with a run on the hello-world (every --hello-every pages), and printed with its req/s, p50 and p99, the
   hello-world's req/s and the ratio, and its target: at least 100 req/s with p99 under 250 ms, and 300
   req/s for the main lists.
5. Then the resident memory of each gunicorn worker (target: under 250 MB) and the load average.

The exit status is 1 when a page misses its target or answers anything but 200. Never part of the test
suite: timings belong here, with the machine's load printed beside them.

Usage: .venv/bin/python bench/http_load.py [--hits 1000] [--duration 15] [--workers 2] [--only report]
       .venv/bin/python bench/http_load.py --duration 5 --hello-every 4   # every page, about 25 minutes
Needs wrk (Debian's package), PostgreSQL and Redis (REDIS_URL, default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import contextlib
import html.parser
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._pages_env import configure  # noqa: E402 - after the path is set

DATABASE_URL = os.environ.get("BENCH_HTTP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hitportal_http")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
os.environ.setdefault("REDIS_URL", REDIS_URL)
configure(DATABASE_URL)

#: The main lists, at 50 rows: their target is 300 requests a second.
MAIN_LISTS = frozenset(
    {
        "accreditation:round-board",
        "reporting:report-list",
        "teams:hit-list",
        "accreditation:condition-list",
        "engagement:ppi-caseload",
        "accreditation:eoi-list",
        "accreditation:assignment-list",
    }
)
PAGE_TARGET, LIST_TARGET, P99_TARGET_MS, RSS_TARGET_MB = 100, 300, 250, 250
#: Links a crawl does not follow: they sign out, download, write or leave the pages people read.
SKIPPED = re.compile(
    r"^/(?:admin|api|static|media|accounts/logout|logout)\b|export|download|\.pdf|\.csv|\.xlsx|format=|/pack",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Page:
    persona: str
    url: str
    url_name: str

    @property
    def target(self) -> int:
        return LIST_TARGET if self.url_name in MAIN_LISTS else PAGE_TARGET


@dataclass(frozen=True)
class Load:
    """What wrk measured on one URL."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--pages-per-persona", type=int, default=0, help="at most this many pages a persona (0: every page)"
    )
    parser.add_argument("--hello-every", type=int, default=1, help="a hello-world run before every Nth page")
    parser.add_argument("--only", default="", help="measure only pages whose URL name or path contains this")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")

    _database_ready(args.hits)
    import django

    django.setup()
    pages, cookies = _crawl(args.pages_per_persona)
    if args.only:
        pages = [p for p in pages if args.only in p.url_name or args.only in p.url]
    print(f"{len(pages)} pages of {len(cookies)} personas; load average before: {_load()}", flush=True)

    failed = False
    rows = []
    with (
        _served("hitportal.wsgi:application", args.workers) as portal,
        _served("bench.hello_wsgi:application", args.workers) as hello,
    ):
        hello_rps = 0.0
        for number, page in enumerate(pages):
            if number % max(args.hello_every, 1) == 0:
                hello_rps = _wrk(hello.url("/"), args, cookie="").rps
            status = _status(portal.url(page.url), cookies[page.persona])
            load = _wrk(portal.url(page.url), args, cookie=cookies[page.persona])
            ok = status == 200 and not load.errors and load.rps >= page.target and load.p99_ms < P99_TARGET_MS
            failed |= not ok
            rows.append((page, status, load, hello_rps, ok))
            print(_row(page, status, load, hello_rps, ok), flush=True)
        rss = portal.worker_rss_mb()
    print()
    print(f"gunicorn workers' resident memory after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")
    failed |= any(mb >= RSS_TARGET_MB for mb in rss)
    rates = [load.rps for _page, _status, load, _hello, _ok in rows]
    if rates:
        print(f"req/s over all pages: median {statistics.median(rates):.0f}, lowest {min(rates):.0f}")
    print(f"pages meeting their target: {sum(ok for *_rest, ok in rows)} of {len(rows)}")
    print(f"load average after: {_load()}")
    return 1 if failed else 0


# --- The data and the personas --------------------------------------------------------------------


def _database_ready(hits: int) -> None:
    """Create, migrate and fill the scale database (each step adds only what is missing)."""
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')  # name from our own setting
    env = _portal_env()
    for command in (["migrate", "--noinput", "-v0"], ["seed_scale", "--hits", str(hits)]):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], check=True, env=env, cwd=ROOT)  # noqa: S603


def _personas() -> dict[str, str]:
    """Label -> email of the scale data's logins: programme manager, board member, panel chair, and
    the director and a member of the HIT with the most stakeholder links."""
    from django.db.models import Count

    from demo.data_scale import (
        BOARD_EMAIL,
        CHAIR_EMAIL,
        MEMBER_WITH_LOGIN,
        PM_EMAIL,
        director_email,
        member_email,
    )
    from demo.scale import scale_hits

    big = scale_hits().annotate(n=Count("stakeholders")).order_by("-n", "pk").first()
    assert big is not None, "the scale data has no HITs"
    number = int(big.name.rsplit(" ", 1)[1])
    return {
        "programme manager": PM_EMAIL,
        "board member": BOARD_EMAIL,
        "panel chair": CHAIR_EMAIL,
        "HIT director": director_email(number),
        "HIT member": member_email(number, MEMBER_WITH_LOGIN),
    }


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def _crawl(limit: int) -> tuple[list[Page], dict[str, str]]:
    """Each persona's pages (breadth first from the home page, one URL per URL name) and the session
    cookie it signs in with."""
    from django.conf import settings
    from django.test import Client
    from django.urls import Resolver404, resolve

    from core import second_factor
    from teams.models import User

    pages: list[Page] = []
    cookies: dict[str, str] = {}
    for persona, email in _personas().items():
        user = User.objects.filter(email=email).first()
        if user is None:
            print(f"  {persona}: no login {email} in the scale data; left out")
            continue
        client = Client()
        client.force_login(user)
        # A sign-in that confirmed its second factor (programme managers and chairs must before any page).
        session = client.session
        second_factor.mark_verified(session, user.pk)
        session.save()
        cookies[persona] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        seen_names: set[str] = set()
        queue, visited = ["/"], {"/"}
        while queue and (limit <= 0 or len(seen_names) < limit):
            url = queue.pop(0)
            try:
                name = resolve(urllib.parse.urlsplit(url).path).view_name
            except Resolver404:
                continue
            if name in seen_names:
                continue
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen_names.add(name)
            pages.append(Page(persona, url, name))
            links = _Links()
            links.feed(response.content.decode())
            for href in links.hrefs:
                target = urllib.parse.urljoin(url, href.split("#", 1)[0])
                parts = urllib.parse.urlsplit(target)
                if parts.netloc or not parts.path.startswith("/") or SKIPPED.search(target):
                    continue
                if target not in visited:
                    visited.add(target)
                    queue.append(target)
    return pages, cookies


# --- Serving and loading --------------------------------------------------------------------------


def _portal_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        LOG_LEVEL="ERROR",
    )
    return env


@dataclass
class _Server:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(  # noqa: S603
            ["ps", "-o", "rss=", "--ppid", str(self.process.pid)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(line) / 1024 for line in out.split()]


@contextlib.contextmanager
def _served(app: str, workers: int) -> Iterator[_Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603
        [
            str(pathlib.Path(sys.executable).with_name("gunicorn")),
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_portal_env(),
    )
    server = _Server(port, process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(server.url("/"), timeout=2).close()  # noqa: S310 - our own server
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app} did not start") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, args: argparse.Namespace, *, cookie: str) -> Load:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603

    def latency(percent: int) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        return float(match[1]) * _UNITS[match[2]] if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return Load(
        rps=float(rps[1]) if rps else 0.0,
        p50_ms=latency(50),
        p99_ms=latency(99),
        errors=(int(errors[1]) if errors else 0) + (int(socket_errors[1]) if socket_errors else 0),
    )


def _row(page: Page, status: int, load: Load, hello_rps: float, ok: bool) -> str:
    ratio = load.rps / hello_rps if hello_rps else 0.0
    verdict = "ok" if ok else f"MISSES (target {page.target} req/s, p99 < {P99_TARGET_MS} ms)"
    if status != 200:
        verdict = f"ANSWERS {status}"
    return (
        f"{page.persona:<18} {page.url_name:<36} {load.rps:8.0f} req/s  p50 {load.p50_ms:7.1f} ms  "
        f"p99 {load.p99_ms:7.1f} ms  hello {hello_rps:6.0f}  ratio {ratio:5.3f}  {verdict}  {page.url}"
    )


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
