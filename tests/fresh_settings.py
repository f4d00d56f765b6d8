"""hitportal/settings.py evaluated afresh under a given environment, for tests of what the settings choose.

Django's own settings object is left alone: the module's code runs again in a namespace of its own, so
the test sees exactly what a process started with that environment would be configured with.
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "hitportal" / "settings.py"

# What ./scripts/test.sh sets for its PostgreSQL pass, or a developer may have exported: none of it may
# leak into the environment under test.
CLEARED = (
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "CACHE_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "HITPORTAL_EMBEDDED_WORKER",
    "DATABASE_URL",
)


def fresh_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings a process would get with `environ` over this one's environment, minus CLEARED
    (HITPORTAL_VAR_DIR should be in `environ`: the settings create folders under it)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in CLEARED:
            patch.delenv(name, raising=False)
        for name, value in environ.items():
            patch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))
