"""The names of the scale dataset (demo/scale.py): everything it builds is called "Scale ...", and
its logins are scale-...@example.org, so it never mixes with the demo data."""

from __future__ import annotations

PREFIX = "Scale HIT"
EMAIL_DOMAIN = "example.org"
PM_EMAIL = f"scale-pm@{EMAIL_DOMAIN}"
BOARD_EMAIL = f"scale-board@{EMAIL_DOMAIN}"
CHAIR_EMAIL = f"scale-chair@{EMAIL_DOMAIN}"
ROUND_NAME = "Scale round"
# The first scale HIT gets this many extra stakeholder links (bench/scores.py relies on it too).
BIG_HIT_LINKS = 400
REPORT_INTERVAL_MONTHS = 6
# Each HIT's members are numbered from 1 (1 sits on the management group); this plain member has a login.
MEMBER_WITH_LOGIN = 2


def director_email(n: int) -> str:
    return f"scale-director-{n:04d}@{EMAIL_DOMAIN}"


def member_email(n: int, m: int) -> str:
    return f"scale-member-{n:04d}-{m}@{EMAIL_DOMAIN}"
