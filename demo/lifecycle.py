"""A HIT's life after accreditation in the demo data (demo.loader): what closing HITs leave
behind, related HITs, meetings, the executive sponsor log, life-cycle stage assessments and the
nightly portfolio snapshots behind the board's trend charts.

Everything is illustrative. Each record goes through the service a person would use (as the
programme manager, or the Dementia HIT's director), then its date is moved back where it happened
in the past, as the HIT status histories are. The portfolio snapshots of past quarters are what the
nightly job would have stored then, counted from the status histories.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from reporting.models import StageAssessment
from reporting.services import stage_assessment_record
from teams.enums import HITStatus, MembershipRole
from teams.models import (
    HIT,
    ClosureRecord,
    HITLink,
    HITLinkKind,
    HITStatusChange,
    Meeting,
    Membership,
    PortfolioSnapshot,
    SponsorInteraction,
    SponsorInteractionKind,
    User,
)
from teams.services import portfolio_snapshot_take
from teams.services_lifecycle import hit_link_create, meeting_create, sponsor_interaction_create

# What a closing or closed HIT leaves behind: (what continues, partners leaving). Used by the status
# walk (demo.loader) for the "begin_closure" and "close" steps.
CLOSURES: dict[str, tuple[str, str]] = {
    "musculoskeletal": (
        "The community MSK triage pathway, now commissioned by the ICB as a standard service; the "
        "physiotherapy service keeps the triage audit going.",
        "",
    ),
    "falls-prevention": (
        "Strength and balance classes and the fire service's falls risk checks, now run by the "
        "Frailty HIT's prevention working group.",
        "The fire service leaves the HIT's management group and joins the Frailty HIT's.",
    ),
    "end-of-life-care": (
        "The shared advance care plan, owned by the hospice and maintained in the shared care record.",
        "The hospice and the community trust end their HIT roles; both keep the plan in use.",
    ),
}

LINKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "dementia",
        "frailty",
        HITLinkKind.COORDINATION,
        "Delirium in hospital: the two hospital care groups share one audit and meet twice a year.",
    ),
    (
        "avoidable-admissions",
        "frailty",
        HITLinkKind.OVERLAP,
        "Both run a rapid response at home for frail older people; one joint steering meeting a quarter.",
    ),
    (
        "pain-management",
        "musculoskeletal",
        HITLinkKind.JOINT_ACTIVITY,
        "Joint community triage for back pain, handed to the MSK pathway as that HIT closes.",
    ),
    (
        "young-peoples-mental-health",
        "eating-disorders",
        HITLinkKind.COORDINATION,
        "Early help for young people with eating difficulties: shared referral routes.",
    ),
)

# The Dementia HIT's meetings: (group: a working group's name or another group, days ago, notes).
DEMENTIA_MEETINGS: tuple[tuple[str, int, str], ...] = (
    ("Management group", 340, "Agreed the priorities for the year and the pilot's evaluation plan."),
    ("Management group", 250, "Reviewed the first pilot figures; asked for a roll-out business case."),
    ("Management group", 160, "Signed off the data-sharing agreement; carers' co-ordinator post agreed."),
    ("Management group", 70, "Roll-out business case drafted with the commissioner; renewal planning."),
    ("Timely diagnosis", 300, "Referral criteria re-sent to practices outside the pilot localities."),
    ("Timely diagnosis", 120, "Waits back under seven weeks; agreed to publish the evaluation."),
    ("Living well at home", 210, "Carers and nurses drafted the support plan template together."),
    ("Hospital care", 180, "4AT delirium screening results from the two pilot wards."),
    ("Steering group", 45, "The executive sponsor chaired; the trust board will see the roll-out case."),
)

# Executive sponsor contacts: HIT -> (days ago, kind, note). The latest contact sets the HIT's sponsor
# liveness: green up to 90 days, amber to 180, red beyond.
SPONSOR_CONTACTS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "dementia": (
        (230, SponsorInteractionKind.MEETING, "Briefed on the pilot's first results."),
        (120, SponsorInteractionKind.CALL, "Agreed to broker joint funding for the support worker."),
        (
            45,
            SponsorInteractionKind.MEETING,
            "Chaired the steering group; will take the roll-out to the board.",
        ),
    ),
    "avoidable-admissions": ((30, SponsorInteractionKind.MEETING, "Quarterly review of admissions data."),),
    "pain-management": ((130, SponsorInteractionKind.EMAIL, "Update on opioid prescribing figures."),),
    "stroke": ((250, SponsorInteractionKind.EVENT, "Spoke at the launch of the six-month review clinic."),),
    "child-injury-prevention": (
        (60, SponsorInteractionKind.CALL, "Discussed the council's play-safety grant."),
    ),
}

# Life-cycle stage assessments: HIT -> (days ago, behaviours ticked per stage (counts), note). The
# stage confirmed is the HIT's own (demo.loader HITS), whatever the suggestion.
STAGE_ASSESSMENTS: dict[str, tuple[int, dict[str, int], str]] = {
    "dementia": (
        60,
        {"contemplating": 6, "connecting": 4, "planning": 4, "implementation": 4, "maintenance": 1},
        "Assessed at the management group; delivery is well under way, long-term outcomes not yet.",
    ),
    "avoidable-admissions": (
        90,
        {"contemplating": 6, "connecting": 4, "planning": 4, "implementation": 5, "maintenance": 3},
        "Attention has moved to sustaining the rapid response service.",
    ),
    "maternity": (
        20,
        {"contemplating": 5, "connecting": 3, "planning": 2},
        "Management group just formed; targets not yet agreed.",
    ),
}

SNAPSHOT_QUARTERS = 8  # past quarter ends with a portfolio snapshot, for the board's trend charts


def load_lifecycle(
    *,
    hits: dict[str, HIT],
    users: dict[str, User],
    stages: dict[str, str],
    today: datetime.date,
    say: Callable,
) -> None:
    """Each part once: a part already present (any row of its kind) is left alone."""
    pm, director = users["pm"], users["director"]
    now = timezone.now()

    def back(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    def moment(days: int) -> datetime.datetime:
        return min(now, timezone.make_aware(datetime.datetime.combine(back(days), datetime.time(10, 0))))

    if not HITLink.objects.exists():
        for left, right, kind, note in LINKS:
            if left in hits and right in hits:
                hit_link_create(
                    actor=pm, hit_id=hits[left].pk, to_hit_id=hits[right].pk, kind=kind, note=note
                )

    dementia = hits.get("dementia")
    if dementia is not None and not Meeting.objects.filter(hit=dementia).exists():
        groups = {wg.name: wg for wg in dementia.working_groups.all()}
        for group, days, notes in DEMENTIA_MEETINGS:
            meeting_create(
                actor=director,
                hit_id=dementia.pk,
                held_on=back(days),
                notes=notes,
                working_group=groups.get(group),
                group_name="" if group in groups else group,
            )
        for meeting in Meeting.objects.filter(hit=dementia):
            Meeting.objects.filter(pk=meeting.pk).update(created_at=moment((today - meeting.held_on).days))

    if not SponsorInteraction.objects.exists():
        sponsors = dict(
            Membership.objects.filter(
                hit__in=[hits[slug] for slug in SPONSOR_CONTACTS if slug in hits],
                role=MembershipRole.EXECUTIVE_SPONSOR,
            ).values_list("hit__slug", "person_id")
        )
        for slug, contacts in SPONSOR_CONTACTS.items():
            if slug not in sponsors:
                continue
            for days, kind, note in contacts:
                sponsor_interaction_create(
                    actor=pm,
                    hit_id=hits[slug].pk,
                    sponsor_id=sponsors[slug],
                    happened_on=back(days),
                    kind=kind,
                    note=note,
                )

    if not StageAssessment.objects.exists():
        from reporting import lifecycle

        for slug, (days, counts, note) in STAGE_ASSESSMENTS.items():
            if slug not in hits:
                continue
            ticked = [
                b.code for stage, count in counts.items() for b in lifecycle.behaviours_of(stage)[:count]
            ]
            actor = director if slug == "dementia" else pm
            assessment = stage_assessment_record(
                actor=actor, hit_id=hits[slug].pk, behaviours=ticked, confirmed_stage=stages[slug], note=note
            )
            when = moment(days)
            StageAssessment.objects.filter(pk=assessment.pk).update(created_at=when, updated_at=when)

    if not PortfolioSnapshot.objects.exists():
        taken = _portfolio_history(today=today)
        portfolio_snapshot_take(day=today)
        say(f"Portfolio snapshots for {taken} past quarters and today.")


def closure_recorded_at(hit: HIT, when: datetime.datetime) -> None:
    """Date a replayed closure record back to the step that wrote it."""
    ClosureRecord.objects.filter(hit=hit).update(recorded_at=when, created_at=when, updated_at=when)


def _quarter_ends(today: datetime.date, count: int) -> list[datetime.date]:
    ends = []
    year, quarter = today.year, (today.month - 1) // 3  # the current quarter, 0-3; it has not ended
    for _ in range(count):
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
        month = quarter * 3 + 3
        ends.append(datetime.date(year, month, 30 if month in (6, 9) else 31))
    return sorted(ends)


def _portfolio_history(*, today: datetime.date) -> int:
    """Counts by status at each past quarter end, from the status histories; by stage, the HITs'
    current stages (the demo keeps no stage history before the assessments)."""
    hits = list(HIT.objects.values("pk", "status", "stage", "created_at"))
    changes = list(
        HITStatusChange.objects.order_by("created_at", "pk").values("hit_id", "to_status", "created_at")
    )
    taken = 0
    for day in _quarter_ends(today, SNAPSHOT_QUARTERS):
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
        status_then = {h["pk"]: HITStatus.PROPOSED.value for h in hits if h["created_at"] <= end}
        for change in changes:
            if change["created_at"] <= end and change["hit_id"] in status_then:
                status_then[change["hit_id"]] = change["to_status"]
        if not status_then:
            continue
        by_status = dict.fromkeys(HITStatus.values, 0)
        for status in status_then.values():
            by_status[status] += 1
        by_stage: dict[str, int] = {}
        for h in hits:
            if h["pk"] in status_then:
                by_stage[h["stage"]] = by_stage.get(h["stage"], 0) + 1
        PortfolioSnapshot.objects.update_or_create(
            taken_on=day,
            defaults={"hits_total": len(status_then), "by_status": by_status, "by_stage": by_stage},
        )
        taken += 1
    return taken
