"""How a name written in an application is read when it proposes a membership (docs/domain.md 3.9).

- A **placeholder** ("To be agreed", "TBC", "vacant", "to be appointed", "none yet"...) names no one:
  its row is kept, unmatched and unticked, so the director sees the gap and may pick someone.
- A name **matches** a directory entry when, with spaces collapsed and case ignored, it equals the
  entry's full name, with or without a leading title ("Dr", "Prof", "Professor", "Mr", "Mrs",
  "Ms", "Miss", "Mx") on either side; it matches only when exactly one entry does.

Pure functions: the queries are teams.services.proposals'.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(
    r"^(?:"
    r"t\.?b\.?[acd]\.?|n/?a|none(?: yet)?|vacan(?:t|cy)|unknown|\?+|-+|"
    r"to be (?:agreed|confirmed|appointed|decided|determined|named|recruited)|"
    r"(?:post |role )?(?:currently )?vacant|not (?:yet )?(?:appointed|agreed|known|named)|"
    r"awaiting (?:appointment|confirmation)|(?:being |to be )?recruited"
    r")\.?$",
    re.IGNORECASE,
)
TITLE_WORDS = ("dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx")
TITLES = re.compile(rf"^(?:{'|'.join(TITLE_WORDS)})\.?\s+", re.IGNORECASE)


def tidy(text: str) -> str:
    """`text` with its spaces collapsed and surrounding punctuation of a list item taken off."""
    text = " ".join(text.split())
    return re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", text).strip(" ,;:")


def is_placeholder(name: str) -> bool:
    """Whether `name` holds the place of someone not named yet (an empty name does too)."""
    text = tidy(name).strip("()[]")
    return not text or bool(PLACEHOLDER.match(text))


def name_keys(name: str) -> set[str]:
    """The forms of `name` that a directory entry's full name is compared with (lower case, with
    and without a leading title)."""
    text = tidy(name).lower()
    if not text:
        return set()
    return {text, untitled(text)}


def untitled(key: str) -> str:
    """A lower-case name without its leading title."""
    return TITLES.sub("", key)


def titled_variants(key: str) -> set[str]:
    """`key` (lower case, untitled) as a directory entry may hold it: bare, or after a title."""
    return {key} | {f"{title}{dot} {key}" for title in TITLE_WORDS for dot in ("", ".")}
