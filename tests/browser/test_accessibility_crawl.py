"""Every page each demo login can reach by following links, in a real browser: axe-core finds no
serious or critical violation, the console stays clean, and nothing pushes the page sideways on a
320-pixel phone screen or, with the programme manager's long menu, on a 1280-pixel laptop (WCAG
1.4.10 reflow; a wide table scrolls inside its own box instead).

axe runs once per URL pattern (the first login to reach it); the reflow check runs on every page a
login reaches, one page per URL pattern and login. Pages no link leads to in the demo (a draft
application's sections, a draft progress report, the anonymous survey) are added by hand.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from demo.loader import load_demo
from tests.browser.test_accessibility import _demo_login, _draft_application, _open_wave_token
from tests.factories import reporting as rf

# (login, viewport width): every role of the demo, on a phone; the longest menu also on a laptop.
VISITS = [
    ("pm@example.org", 1280),
    ("pm@example.org", 320),
    ("board@example.org", 320),
    ("ppi@example.org", 320),
    ("chair@example.org", 320),
    ("reviewer@example.org", 320),
    ("lay@example.org", 320),
    ("applicant@example.org", 320),
    ("director@example.org", 320),
    ("member@example.org", 320),
    ("emma.thornton@example.org", 320),
    ("daniel.obi@example.org", 320),
]
# Links that download a file, leave the portal's pages or sign out.
NOT_PAGES = re.compile(
    r"\.(pdf|csv|xlsx)$|/download/|/export/?$|/exports/new|^/admin/|^/api/|^/static/|^/media/|/logout/"
)
# The width by which the page is wider than the window, and what sticks out (outside scrolling boxes).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = document.documentElement.scrollWidth - width;
  const culprits = [];
  if (over > 0) {
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-responsive') && !el.classList.contains('table-responsive')) continue;
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && el.parentElement.getBoundingClientRect().right <= width + 1) {
        culprits.push(`${el.tagName.toLowerCase()}.${el.className}`);
      }
    }
  }
  return {over, culprits: culprits.slice(0, 5)};
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href^=\"/\"]'), a => a.getAttribute('href'))"


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}"


def test_every_reachable_page_is_accessible_and_reflows(open_session):
    load_demo()
    application, editor = _draft_application()
    report = rf.ProgressReportFactory(hit=application.hit)
    extra = {
        editor: [
            *(
                f"/accreditation/applications/{application.pk}/sections/{key}/"
                for key in ("aims", "governance")
            ),
            f"/accreditation/applications/{application.pk}/stakeholders/",
            f"/reporting/reports/{report.pk}/",
            f"/reporting/reports/{report.pk}/edit/",
        ],
        None: ["/accounts/login/", "/accounts/password/reset/", f"/engagement/survey/{_open_wave_token()}/"],
    }

    axe_done: set[str] = set()
    problems: dict[str, object] = {}
    reached: dict[str, set[str]] = {}

    def visit(session, login: str, start: list[str], width: int) -> None:
        queue, seen, routes = list(start), set(), set()
        while queue:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in seen or NOT_PAGES.search(path):
                continue
            seen.add(url)
            route = _route(path)
            if route is None or route in routes:
                continue
            routes.add(route)
            response = session.page.goto(url)
            if response is None or response.status != 200:
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            reached.setdefault(login, set()).add(route)
            flow = session.page.evaluate(OVERFLOW)
            if flow["over"] > 0:
                problems[f"{login} at {width}px {url}: {flow['over']}px too wide"] = flow["culprits"]
            if route not in axe_done:
                axe_done.add(route)
                violations = session.axe_violations()
                if violations:
                    problems[f"{login} {url} axe"] = [
                        {
                            "id": v["id"],
                            "impact": v["impact"],
                            "nodes": [n["html"][:160] for n in v["nodes"][:3]],
                        }
                        for v in violations
                    ]
            queue.extend(href for href in session.page.evaluate(LINKS) if href not in seen)
        if session.errors:
            problems[f"{login} console"] = session.errors[:5]

    for email, width in VISITS:
        session = open_session(viewport={"width": width, "height": 800})
        _demo_login(session, email)
        visit(session, f"{email}@{width}", ["/"], width)
        session.close()
    for user, paths in extra.items():
        session = open_session(user, viewport={"width": 320, "height": 800})
        visit(session, getattr(user, "email", "anonymous"), paths, 320)
        session.close()

    assert not problems, json.dumps(problems, indent=2)
    # The crawl really went round: a broken sign-in or menu would leave it at the home page.
    assert len(axe_done) >= 90, sorted(axe_done)
    for route in (
        "reporting:board-dashboard",
        "reporting:report-detail",
        "accreditation:review-edit",
        "accreditation:application-section",
        "engagement:survey-respond",
        "engagement:wave-results",
        "teams:person-list",
    ):
        assert route in axe_done, route
    assert len(reached["reviewer@example.org@320"]) >= 5
