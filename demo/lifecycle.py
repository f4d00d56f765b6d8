"""A HIT's life after accreditation in the demo data (tables in demo/data_lifecycle.py): related
HITs, meetings, the executive sponsor log, life-cycle stage assessments and the nightly portfolio
snapshots behind the board's trend charts. What closing HITs leave behind is recorded as their status
history is replayed (demo/history.py).

Everything is illustrative. Each record goes through the service a person would use (as the
programme manager, or the Dementia HIT's director), then its date is moved back where it happened
in the past, as the HIT status histories are. The portfolio snapshots of past quarters are what the
nightly job would have stored then, counted from the status histories.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from demo.data_lifecycle import (
    DEMENTIA_MEETINGS,
    LINKS,
    SNAPSHOT_QUARTERS,
    SPONSOR_CONTACTS,
    STAGE_ASSESSMENTS,
)
from reporting.domain.lifecycle import behaviours_of
from reporting.models import StageAssessment
from reporting.services.stages import stage_assessment_record
from teams.enums import HITStatus, MembershipRole
from teams.models import (
    HIT,
    HITLink,
    HITStatusChange,
    Meeting,
    Membership,
    PortfolioSnapshot,
    SponsorInteraction,
    User,
)
from teams.services.lifecycle import hit_link_create, meeting_create, sponsor_interaction_create
from teams.services.portfolio import portfolio_snapshot_take


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
    days = _DaysAgo(today=today, now=timezone.now())
    if not HITLink.objects.exists():
        _load_links(hits, actor=pm)
    dementia = hits.get("dementia")
    if dementia is not None and not Meeting.objects.filter(hit=dementia).exists():
        _load_meetings(dementia, actor=director, days=days)
    if not SponsorInteraction.objects.exists():
        _load_sponsor_contacts(hits, actor=pm, days=days)
    if not StageAssessment.objects.exists():
        _load_stage_assessments(hits, stages, pm=pm, director=director, days=days)
    if not PortfolioSnapshot.objects.exists():
        taken = _portfolio_history(today=today)
        portfolio_snapshot_take(day=today)
        say(f"Portfolio snapshots for {taken} past quarters and today.")


@dataclass(frozen=True)
class _DaysAgo:
    """Days before today as dates, and as moments: 10:00 that day, never later than now."""

    today: datetime.date
    now: datetime.datetime

    def day(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def moment(self, days: int) -> datetime.datetime:
        return min(
            self.now, timezone.make_aware(datetime.datetime.combine(self.day(days), datetime.time(10, 0)))
        )


def _load_links(hits: dict[str, HIT], *, actor: User) -> None:
    for left, right, kind, note in LINKS:
        if left in hits and right in hits:
            hit_link_create(actor=actor, hit_id=hits[left].pk, to_hit_id=hits[right].pk, kind=kind, note=note)


def _load_meetings(dementia: HIT, *, actor: User, days: _DaysAgo) -> None:
    groups = {wg.name: wg for wg in dementia.working_groups.all()}
    for group, days_ago, notes in DEMENTIA_MEETINGS:
        meeting_create(
            actor=actor,
            hit_id=dementia.pk,
            held_on=days.day(days_ago),
            notes=notes,
            working_group=groups.get(group),
            group_name="" if group in groups else group,
        )
    for meeting in Meeting.objects.filter(hit=dementia):
        Meeting.objects.filter(pk=meeting.pk).update(
            created_at=days.moment((days.today - meeting.held_on).days)
        )


def _load_sponsor_contacts(hits: dict[str, HIT], *, actor: User, days: _DaysAgo) -> None:
    sponsors = dict(
        Membership.objects.filter(
            hit__in=[hits[slug] for slug in SPONSOR_CONTACTS if slug in hits],
            role=MembershipRole.EXECUTIVE_SPONSOR,
        ).values_list("hit__slug", "person_id")
    )
    for slug, contacts in SPONSOR_CONTACTS.items():
        if slug not in sponsors:
            continue
        for days_ago, kind, note in contacts:
            sponsor_interaction_create(
                actor=actor,
                hit_id=hits[slug].pk,
                sponsor_id=sponsors[slug],
                happened_on=days.day(days_ago),
                kind=kind,
                note=note,
            )


def _load_stage_assessments(
    hits: dict[str, HIT], stages: dict[str, str], *, pm: User, director: User, days: _DaysAgo
) -> None:
    for slug, (days_ago, counts, note) in STAGE_ASSESSMENTS.items():
        if slug not in hits:
            continue
        ticked = [b.code for stage, count in counts.items() for b in behaviours_of(stage)[:count]]
        actor = director if slug == "dementia" else pm
        assessment = stage_assessment_record(
            actor=actor, hit_id=hits[slug].pk, behaviours=ticked, confirmed_stage=stages[slug], note=note
        )
        when = days.moment(days_ago)
        StageAssessment.objects.filter(pk=assessment.pk).update(created_at=when, updated_at=when)


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
