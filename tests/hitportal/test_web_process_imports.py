"""A web process starts without the libraries only the worker or a download needs (numpy, scipy,
networkx, reportlab, openpyxl): each gunicorn worker's memory (docs/benchmarks.md, target under
250 MB) pays for whatever the settings, the apps and the URL configuration import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "scipy", "networkx", "reportlab", "openpyxl", "PIL")

PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request imports them
import hitportal.wsgi  # noqa: F401
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_web_process_does_not_load_the_workers_libraries() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "hitportal.settings"
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "django" in loaded and "engagement" in loaded and "reporting" in loaded
    assert sorted(loaded.intersection(HEAVY)) == []


def test_the_functions_that_compute_still_find_them() -> None:
    from engagement.domain import network, quality
    from reporting.domain import pack

    assert quality.cronbach_alpha.__module__ == "engagement.domain.quality"
    alpha = quality.reliability([[1, 2, 3], [2, 3, 4], [3, 4, 5], [1, 1, 2]], min_n=3).alpha
    assert alpha is not None and 0.9 < alpha <= 1
    g = network.graph([1, 2, 3], [network.Tie(1, 2, 1.0), network.Tie(2, 3, 1.0)])
    assert network.betweenness(g)[2] == 1.0
    assert callable(pack.build_pdf)


def test_the_spreadsheet_cleaning_matches_openpyxl() -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as OPENPYXL

    from reporting.services.exports import ILLEGAL_CHARACTERS_RE, safe_text

    assert ILLEGAL_CHARACTERS_RE.pattern == OPENPYXL.pattern
    assert safe_text("a\x00b\x1fc\td") == "abc\td"
