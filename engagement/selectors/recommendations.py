"""Recommended actions for weak readiness dimensions (docs/domain.md R6.13 and F17).

The mapping lives in the data: each seeded ActionStatement lists, in its `elements` JSON, the
maturity elements (and capacity) it helps. This module only reads it, so a programme manager who
corrects a statement's elements changes the recommendations without a deploy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engagement.enums import Dimension
from engagement.models import ActionStatement


@dataclass(frozen=True)
class Recommendation:
    dimension: str
    label: str
    statements: list[ActionStatement]


def _code_key(statement: ActionStatement) -> list[tuple[int, int | str]]:
    """A1.2 before A1.10: the numeric parts compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", statement.code)]


def for_dimensions(dimensions: Iterable[str]) -> list[Recommendation]:
    """The research's "if ... then ... because" statements for each dimension, in dimension order.

    One query whatever the number of dimensions: there are a few dozen statements, and JSON
    containment is not portable to SQLite, so they are matched here.
    """
    wanted = [d for d in Dimension.values if d in set(dimensions)]
    if not wanted:
        return []
    statements = sorted(ActionStatement.objects.all(), key=_code_key)
    return [
        Recommendation(
            dimension=dimension,
            label=Dimension(dimension).label,
            statements=[s for s in statements if dimension in (s.elements or [])],
        )
        for dimension in wanted
    ]
