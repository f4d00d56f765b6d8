"""The status history of each new demo HIT, replayed: from *proposed* along its steps (demo/data_hits.py)
through the teams services, as the programme manager, then dated back to when each step happened.

A HIT the demo finds already there keeps the history it has, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime

from accreditation.models import Accreditation
from demo.accreditation_history import TOLD_BY_HAND, accredit_in_the_past, renew_in_the_past, renewals_due
from demo.context import DemoContext
from demo.data_hits import HITS, HITSpec, Step
from demo.data_lifecycle import CLOSURES
from teams.models import HIT, ClosureRecord, HITStatusChange, User
from teams.services.hits import hit_transition
from teams.services.lifecycle import hit_close, hit_closure_begin


def walk_statuses(ctx: DemoContext) -> None:
    """Move each new HIT from proposed along its steps, then date the history back. At "accredit" the
    HIT's application is accredited (the decision moves it to set-up), and each accreditation that ran
    out while the HIT was running was renewed before it did (demo/accreditation_history.py)."""
    pm = ctx.users["pm"]
    for spec in HITS:
        if spec.slug not in ctx.new_hits or not spec.steps:
            continue
        hit = ctx.hits[spec.slug]
        months = {step.action: step.months_ago for step in spec.steps}
        accreditation: Accreditation | None = None
        for step in spec.steps:
            accreditation = _renewed(ctx, spec, accreditation, until=step.months_ago)
            if step.action == "accredit" and spec.slug not in TOLD_BY_HAND:
                application = accredit_in_the_past(
                    ctx, spec, submitted=months["start_application"], decided=step.months_ago
                )
                accreditation = Accreditation.objects.get(application=application)
                hit = HIT.objects.get(pk=hit.pk)
                continue
            if step.action == "begin_closure":
                accreditation = None  # a closing HIT is not renewed
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
        _renewed(ctx, spec, accreditation, until=0)
        changes = list(hit.status_changes.order_by("pk"))
        for change, step in zip(changes[-len(spec.steps) :], spec.steps, strict=True):
            change.created_at = ctx.moment(step.months_ago)
        HITStatusChange.objects.bulk_update(changes, ["created_at"])
        HIT.objects.filter(pk=hit.pk).update(status_changed_at=ctx.moment(spec.steps[-1].months_ago))
        ctx.hits[spec.slug] = HIT.objects.get(pk=hit.pk)


def _renewed(
    ctx: DemoContext, spec: HITSpec, accreditation: Accreditation | None, *, until: float
) -> Accreditation | None:
    """The HIT's accreditation in force `until` months ago: `accreditation`, or the renewals of it
    decided by then."""
    while accreditation is not None and renewals_due(ctx, accreditation, until=until):
        accreditation = Accreditation.objects.get(application=renew_in_the_past(ctx, spec, accreditation))
    return accreditation


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
