"""Writes of a HIT's profile (name, focus, problem, aims, host), each change kept in its history.

Two ways in: a director or programme manager edits it on the HIT's page (`hit_profile_update`), and
the accreditation decision copies the accredited application's answers in (`hit_profile_adopt`,
called by accreditation.services.applications, which checked its own rule). Either way one
HITProfileChange row records who, when, from where, and each changed field before and after
(docs/domain.md section 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.concurrency import check_version
from core.permissions import require
from core.workflow import recorded_actor
from teams import permissions
from teams.enums import ProfileChangeSource
from teams.models import HIT, HITProfileChange, Organisation, User

#: The fields of the profile, in the order the form and the history show them.
PROFILE_FIELDS = ("name", "focus", "problem", "aims", "host_organisation", "host_unit")
PROFILE_LABELS = {
    "name": "Name",
    "focus": "Focus",
    "problem": "The problem",
    "aims": "Aims",
    "host_organisation": "Host organisation",
    "host_unit": "Host unit or division",
}
#: What the accredited application supplies (the name and focus come from the expression of interest).
APPLICATION_FIELDS = ("problem", "aims", "host_organisation", "host_unit")


@dataclass(frozen=True)
class ProfileValues:
    """The profile as typed or as taken from an application; None leaves a field as it is."""

    name: str | None = None
    focus: str | None = None
    problem: str | None = None
    aims: str | None = None
    host_organisation: Organisation | None = None
    host_unit: str | None = None
    #: host_organisation=None means "leave it"; this clears it.
    clear_host_organisation: bool = False


@transaction.atomic
def hit_profile_update(
    *, actor: User, hit_id: int, values: ProfileValues, expected_version: str | None = None
) -> HIT:
    """Change a HIT's profile from its edit page.

    Side effects, in order: locks the HIT row; refuses with StaleEdit (nothing saved) when it is
    no longer at `expected_version` (core.concurrency); writes the changed fields (+ updated_at);
    appends one HITProfileChange (source "edit") listing them. Nothing changed: nothing written.
    Raises PermissionDenied (teams.permissions.can_edit_hit_profile) or ValidationError (e.g. a
    name another HIT has), with nothing saved.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    require(permissions.can_edit_hit_profile(actor, hit))
    check_version(hit, expected_version)
    _apply(actor=actor, hit=hit, values=values, source=ProfileChangeSource.EDIT, source_label="")
    return hit


@transaction.atomic
def hit_profile_adopt(*, actor: User, hit_id: int, values: ProfileValues, source_label: str) -> HIT:
    """Make an accredited application's answers the HIT's profile, so nothing is retyped.

    Only the APPLICATION_FIELDS are taken, and an empty answer never blanks what the HIT already
    holds. Side effects: locks the HIT row; writes the changed fields (+ updated_at); appends one
    HITProfileChange (source "application", `source_label` saying which application and
    revision). The caller checked its own permission (the decision).
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    taken = ProfileValues(
        problem=values.problem or None,
        aims=values.aims or None,
        host_organisation=values.host_organisation,
        host_unit=values.host_unit or None,
    )
    _apply(
        actor=actor, hit=hit, values=taken, source=ProfileChangeSource.APPLICATION, source_label=source_label
    )
    return hit


def _apply(
    *, actor: User, hit: HIT, values: ProfileValues, source: str, source_label: str
) -> HITProfileChange | None:
    before = {name: _as_text(hit, name) for name in PROFILE_FIELDS}
    changed: list[str] = []
    for name in PROFILE_FIELDS:
        new = getattr(values, name)
        if name == "host_organisation" and values.clear_host_organisation:
            new = None
        elif new is None:
            continue
        if name == "host_organisation":
            if hit.host_organisation_id != (new.pk if new is not None else None):
                hit.host_organisation = new
                changed.append(name)
        elif getattr(hit, name) != new:
            setattr(hit, name, new)
            changed.append(name)
    if not changed:
        return None
    hit.full_clean(exclude=["themes"])
    hit.save(update_fields=[*changed, "updated_at"])
    change = HITProfileChange(
        hit=hit,
        actor=recorded_actor(actor),
        source=source,
        source_label=source_label,
        changes=[
            {
                "field": name,
                "label": PROFILE_LABELS[name],
                "before": before[name],
                "after": _as_text(hit, name),
            }
            for name in changed
        ],
    )
    change.full_clean()
    change.save()
    return change


def _as_text(hit: HIT, name: str) -> str:
    if name == "host_organisation":
        return hit.host_organisation.name if hit.host_organisation is not None else ""
    value: str = getattr(hit, name)
    return value
