"""Writes of the memberships an accredited application proposes (docs/domain.md section 3.9).

At accreditation, accreditation.services.applications hands the application's director, sponsor,
management group and working-group leads to `membership_proposals_record`, which keeps one
ProposedMembership each, matched to the directory. The HIT's director (or a programme manager)
then confirms them in one step on the "Proposed memberships" page (`proposals_confirm`): the
ticked ones become memberships through teams.services.members (so each is a MembershipChange in
the audit log, "from the accredited application"), the others are dismissed (the audit log lists
the dismissal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.permissions import require
from core.workflow import StaleState, recorded_actor
from teams import permissions
from teams.domain.proposals import is_placeholder, name_keys, tidy, titled_variants, untitled
from teams.enums import MembershipRole, ProposalStatus
from teams.models import HIT, Membership, Organisation, Person, ProposedMembership, User, WorkingGroup
from teams.services import members as member_services

#: The comment of the MembershipChange a confirmation writes (the audit log shows it).
CONFIRMED_COMMENT = "From the accredited application: {label}."


@dataclass(frozen=True)
class ProposalDraft:
    """One membership an application names: `name` as written (or the directory `person_id` the
    application chose, for its director and sponsor), with the organisation as written, and for a
    working-group lead the group's name and the side."""

    role: str
    name: str
    organisation: str = ""
    person_id: int | None = None
    working_group: str = ""
    lead_side: str = ""


@transaction.atomic
def membership_proposals_record(
    *, hit_id: int, source_key: int, source_label: str, drafts: Iterable[ProposalDraft]
) -> list[ProposedMembership]:
    """Keep what an accredited application proposes as the HIT's memberships, for its director to
    confirm. The caller (the accreditation decision) checked its own permission.

    Each draft's name is matched to the directory (teams.domain.proposals: one entry with that full
    name, case ignored; none for a placeholder, no match or several) and its organisation to one
    organisation of that name or short name. Left out: a person who already holds that role in the
    HIT now (for a lead, of that group and side), and a draft that repeats one already pending for
    the HIT (so recording twice adds nothing). Side effect: the ProposedMembership rows, in the
    application's order. Returns them.
    """
    drafts = list(drafts)
    people = _people_by_name(draft.name for draft in drafts if draft.person_id is None)
    organisations = _organisations_by_name(draft.organisation for draft in drafts)
    held = _held(hit_id)
    pending = {
        _key(p.role, p.person_id, p.name_as_written, p.working_group_name, p.lead_side)
        for p in ProposedMembership.objects.filter(hit_id=hit_id, status=ProposalStatus.PROPOSED)
    }
    start = ProposedMembership.objects.filter(hit_id=hit_id).count()
    rows: list[ProposedMembership] = []
    for draft in drafts:
        placeholder = draft.person_id is None and is_placeholder(draft.name)
        person_id = draft.person_id
        if person_id is None and not placeholder:
            person_id = _single(people, name_keys(draft.name))
        group = tidy(draft.working_group) if draft.role == MembershipRole.WORKING_GROUP_LEAD else ""
        side = draft.lead_side if group else ""
        if person_id is not None and (draft.role, person_id, group.lower(), side) in held:
            continue
        key = _key(draft.role, person_id, tidy(draft.name), group, side)
        if key in pending:
            continue
        pending.add(key)
        row = ProposedMembership(
            hit_id=hit_id,
            source_key=source_key,
            source_label=source_label[:300],
            position=start + len(rows),
            role=draft.role,
            name_as_written=(tidy(draft.name) or "(no one named)")[:200],
            organisation_as_written=tidy(draft.organisation)[:200],
            person_id=person_id,
            organisation_id=_single(organisations, name_keys(draft.organisation)),
            is_placeholder=placeholder,
            working_group_name=group[:200],
            lead_side=side,
        )
        row.full_clean(exclude=["hit", "person", "organisation", "membership", "decided_by"])
        rows.append(row)
    return ProposedMembership.objects.bulk_create(rows)


def _key(role: str, person_id: int | None, name: str, group: str, side: str) -> tuple[object, ...]:
    return (role, person_id if person_id is not None else name.lower(), group.lower(), side)


def _people_by_name(names: Iterable[str]) -> dict[str, set[int]]:
    """The directory entries whose full name is one of `names` (lower case, with or without a
    leading title on either side), under their name and their untitled name (one query)."""
    keys = {key for name in names for key in name_keys(name)}
    found: dict[str, set[int]] = defaultdict(set)
    if not keys:
        return found
    wanted = {variant for key in keys for variant in titled_variants(untitled(key))}
    rows = Person.objects.annotate(key=Lower("full_name")).filter(key__in=wanted).values_list("pk", "key")
    for pk, key in rows:
        found[key].add(pk)
        found[untitled(key)].add(pk)
    return found


def _organisations_by_name(names: Iterable[str]) -> dict[str, set[int]]:
    keys = {key for name in names for key in name_keys(name)}
    found: dict[str, set[int]] = defaultdict(set)
    if not keys:
        return found
    rows = (
        Organisation.objects.annotate(key=Lower("name"), short=Lower("short_name"))
        .filter(Q(key__in=keys) | Q(short__in=keys), is_active=True)
        .values_list("pk", "key", "short")
    )
    for pk, key, short in rows:
        for found_key in {key, short} & keys:
            found[found_key].add(pk)
    return found


def _single(found: dict[str, set[int]], keys: set[str]) -> int | None:
    """The one entry any of `keys` finds; None when none or several do."""
    matches = set().union(*(found.get(key, set()) for key in keys)) if keys else set()
    return next(iter(matches)) if len(matches) == 1 else None


def _held(hit_id: int) -> set[tuple[str, int, str, str]]:
    """(role, person, group name in lower case, side) of every membership of the HIT that has not
    ended (one starting later counts: it is already there)."""
    today = timezone.localdate()
    return {
        (role, person_id, (group or "").lower(), side)
        for role, person_id, group, side in Membership.objects.filter(hit_id=hit_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("role", "person_id", "working_group__name", "lead_side")
    }


@dataclass(frozen=True)
class ProposalChoice:
    """What the page says of one pending proposal: include it or not, and as whom."""

    proposal_id: int
    include: bool
    person_id: int | None = None


@dataclass(frozen=True)
class ProposalsOutcome:
    confirmed: list[ProposedMembership]
    dismissed: list[ProposedMembership]


@transaction.atomic
def proposals_confirm(*, actor: User, hit_id: int, choices: Sequence[ProposalChoice]) -> ProposalsOutcome:
    """Confirm the ticked proposals of a HIT and dismiss the others, all in one step.

    `choices` must answer every proposal of the HIT still pending, and only those: when someone
    decided some meanwhile (or a new application added some), StaleState is raised and nothing is
    saved, so submitting the same page twice adds no one twice. A ticked proposal without a person
    is refused with a ValidationError keyed by the proposal's id (as is any refusal of
    teams.services.members for that row: a role the person already holds, a side already led),
    and nothing is saved.

    Side effects, in order: locks the HIT and its pending proposals; for each ticked one, in the
    application's order: the working group of that name (found by name, case ignored, or created
    through members.working_group_create), the membership (members.membership_add_person, whose
    MembershipChange says "From the accredited application: ..."; the person is invited or told as
    for any member added); the proposal marked confirmed with its membership; then each other one
    marked dismissed. Every row records the actor and the time. Raises PermissionDenied
    (permissions.can_confirm_proposed_memberships).
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    require(permissions.can_confirm_proposed_memberships(actor, hit))
    pending = {
        p.pk: p
        for p in ProposedMembership.objects.select_for_update()
        .filter(hit=hit, status=ProposalStatus.PROPOSED)
        .order_by("position", "pk")
    }
    by_id = {choice.proposal_id: choice for choice in choices}
    if set(by_id) != set(pending):
        raise StaleState(
            "These proposed memberships were confirmed or dismissed meanwhile (or new ones arrived): "
            "nothing was saved. The page now shows what is still to decide."
        )
    missing = {
        str(pk): "Choose who this is from the directory, or untick the row."
        for pk, choice in by_id.items()
        if choice.include and choice.person_id is None
    }
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    groups = {group.name.lower(): group for group in WorkingGroup.objects.filter(hit=hit)}
    confirmed: list[ProposedMembership] = []
    dismissed: list[ProposedMembership] = []
    for pk, proposal in pending.items():
        choice = by_id[pk]
        proposal.decided_by = recorded_actor(actor)
        proposal.decided_at = proposal.updated_at = now
        if not choice.include:
            proposal.status = ProposalStatus.DISMISSED
            dismissed.append(proposal)
            continue
        assert choice.person_id is not None
        proposal.person_id = choice.person_id
        proposal.membership = _confirm_one(actor=actor, hit=hit, proposal=proposal, groups=groups)
        proposal.status = ProposalStatus.CONFIRMED
        confirmed.append(proposal)
    ProposedMembership.objects.bulk_update(
        [*confirmed, *dismissed], ["status", "decided_by", "decided_at", "person", "membership", "updated_at"]
    )
    return ProposalsOutcome(confirmed=confirmed, dismissed=dismissed)


def _confirm_one(
    *, actor: User, hit: HIT, proposal: ProposedMembership, groups: dict[str, WorkingGroup]
) -> Membership:
    assert proposal.person_id is not None
    try:
        group_id = None
        if proposal.role == MembershipRole.WORKING_GROUP_LEAD:
            group = groups.get(proposal.working_group_name.lower())
            if group is None:
                group = member_services.working_group_create(
                    actor=actor, hit_id=hit.pk, name=proposal.working_group_name
                )
                groups[group.name.lower()] = group
            group_id = group.pk
        return member_services.membership_add_person(
            actor=actor,
            hit_id=hit.pk,
            person_id=proposal.person_id,
            role=proposal.role,
            organisation_id=proposal.organisation_id,
            working_group_id=group_id,
            lead_side=proposal.lead_side,
            comment=CONFIRMED_COMMENT.format(label=proposal.source_label),
        )
    except ValidationError as exc:
        raise ValidationError({str(proposal.pk): exc.messages}) from None
