"""The answer of every permission predicate, and turning a refusal into a 403 that says why.

Each app's `permissions.py` holds its predicates; each returns a Verdict, so a page can show the reason
on an action the user may not take, and a service can refuse with it (`require`).
"""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import PermissionDenied


class Verdict(NamedTuple):
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Verdict(True)


def require(verdict: Verdict) -> None:
    """Turn a refusal into PermissionDenied carrying its reason (a 403 page that says why)."""
    if not verdict:
        raise PermissionDenied(verdict.reason)
