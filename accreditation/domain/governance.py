"""Reading the governance section's free-text lists into people, for the memberships an accredited
application proposes (docs/domain.md section 3.9).

- Management group, one per line: a name and the organisation it represents, as "Name, Organisation",
  "Name; Organisation", "Name - Organisation", "Name: Organisation" or "Name (Organisation)"; a line
  with none of these is a name alone.
- Working groups, one per line: "name; academic lead; service lead" (GovernanceForm checks it); a
  lead may also carry an organisation in brackets, "Name (Organisation)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BRACKETED = re.compile(r"^(?P<name>.*?)\s*\((?P<organisation>[^()]*)\)\s*$")
# A hyphen, an en dash or an em dash between spaces also separates.
SEPARATOR = re.compile(r"\s*(?:;|,|:|\s[-\u2013\u2014]\s)\s*")


@dataclass(frozen=True)
class NamedPerson:
    name: str
    organisation: str = ""


@dataclass(frozen=True)
class WorkingGroupLine:
    name: str
    academic: NamedPerson
    service: NamedPerson


BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


def _lines(text: str) -> list[str]:
    """The non-empty lines of `text`, without list bullets or numbering."""
    return [BULLET.sub("", line.strip()) for line in (text or "").splitlines() if line.strip()]


def named_person(text: str) -> NamedPerson:
    """A name with the organisation written after it, if any."""
    text = " ".join(text.split())
    # A separator first: an organisation's own name may end in brackets ("Trust (illustrative)").
    name, *rest = SEPARATOR.split(text, maxsplit=1)
    if rest:
        return NamedPerson(name.strip(), rest[0].strip())
    if match := BRACKETED.match(text):
        return NamedPerson(match["name"].strip(), match["organisation"].strip())
    return NamedPerson(text)


def management_group(text: str) -> list[NamedPerson]:
    """The management group's members, one per line."""
    return [person for person in map(named_person, _lines(text)) if person.name]


def working_groups(text: str) -> list[WorkingGroupLine]:
    """The working groups with their academic and service leads; a line that is not
    "name; academic lead; service lead" is left out."""
    groups = []
    for line in _lines(text):
        parts = [part.strip() for part in line.split(";")]
        if len(parts) == 3 and parts[0]:
            academic, service = (_lead(part) for part in parts[1:])
            groups.append(WorkingGroupLine(parts[0], academic, service))
    return groups


def _lead(text: str) -> NamedPerson:
    text = " ".join(text.split())
    if match := BRACKETED.match(text):
        return NamedPerson(match["name"].strip(), match["organisation"].strip())
    return NamedPerson(text)
