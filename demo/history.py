"""The status history of each new demo HIT, replayed: from *proposed* along its steps (demo/data_hits.py)
through the teams services, as the programme manager, then dated back to when each step happened.

A HIT the demo finds already there keeps the history it has, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime

from demo.context import DemoContext
from demo.data_hits import HITS, HITSpec, Step
from demo.data_lifecycle import CLOSURES
from teams.models import HIT, ClosureRecord, HITStatusChange, User
from teams.services.hits import hit_transition
from teams.services.lifecycle import hit_close, hit_closure_begin


def walk_statuses(ctx: DemoContext) -> None:
    """Move each new HIT from proposed along its steps, then date the history back."""
    pm = ctx.users["pm"]
    for spec in HITS:
        if spec.slug not in ctx.new_hits or not spec.steps:
            continue
        hit = ctx.hits[spec.slug]
        for step in spec.steps:
            if step.action in ("begin_closure", "close"):
                hit = _closure_step(ctx, spec, step, hit, actor=pm)
                continue
            hit = hit_transition(
                actor=pm,
                hit_id=hit.pk,
                action=step.action,
                reason=step.reason,
                closure_reason=step.closure_reason,
                merged_into=ctx.hits[step.merged_into] if step.merged_into else None,
                check_permission=False,
                # Dated back years, before the portal held the records a guard such as the
                # set-up checklist before "activate" reads.
                check_guards=False,
            )
        changes = list(hit.status_changes.order_by("pk"))
        for change, step in zip(changes[-len(spec.steps) :], spec.steps, strict=True):
            change.created_at = ctx.moment(step.months_ago)
        HITStatusChange.objects.bulk_update(changes, ["created_at"])
        HIT.objects.filter(pk=hit.pk).update(status_changed_at=ctx.moment(spec.steps[-1].months_ago))
        ctx.hits[spec.slug] = HIT.objects.get(pk=hit.pk)


def _closure_step(ctx: DemoContext, spec: HITSpec, step: Step, hit: HIT, *, actor: User) -> HIT:
    """A "begin_closure" or "close" step, through the closure services, which also record what the
    HIT leaves behind (demo/data_lifecycle.py CLOSURES)."""
    what_continues, partners_leaving = CLOSURES[spec.slug]
    if step.action == "begin_closure":
        hit_closure_begin(
            actor=actor,
            hit_id=hit.pk,
            closure_reason=step.closure_reason,
            reason=step.reason,
            what_continues=what_continues,
            partners_leaving=partners_leaving,
            merged_into=ctx.hits[step.merged_into] if step.merged_into else None,
        )
    else:
        hit_close(
            actor=actor,
            hit_id=hit.pk,
            reason=step.reason,
            what_continues=what_continues,
            partners_leaving=partners_leaving,
        )
    _closure_recorded_at(hit, ctx.moment(step.months_ago))
    return HIT.objects.get(pk=hit.pk)


def _closure_recorded_at(hit: HIT, when: datetime.datetime) -> None:
    """Date a replayed closure record back to the step that wrote it."""
    ClosureRecord.objects.filter(hit=hit).update(recorded_at=when, created_at=when, updated_at=when)
