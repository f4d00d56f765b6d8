"""The demo's HITs and their structures: each HIT with its themes, then its memberships (director,
sponsor, management group, working groups and their leads, theme leads, PPI lead, members), dated
along the HIT's timeline (tables in demo/data_hits.py). A HIT is matched by its slug, a working group
by its name, a membership by all it says."""

from __future__ import annotations

import datetime
import functools

from demo.context import DemoContext
from demo.data_directory import PEOPLE_BY_KEY
from demo.data_hits import HITS
from teams.enums import LeadSide, MembershipRole
from teams.models import HIT, Membership, Organisation, Theme, WorkingGroup


def load_hits(ctx: DemoContext) -> None:
    themes = {t.code: t for t in Theme.objects.all()}
    for spec in HITS:
        hit = HIT.objects.filter(slug=spec.slug).first()
        if hit is None:
            hit = HIT.objects.create(
                slug=spec.slug,
                name=spec.name,
                focus=spec.focus,
                problem=spec.problem,
                aims=spec.aims,
                stage=spec.stage,
                host_organisation=ctx.orgs[spec.host],
                host_unit=spec.host_unit,
                is_illustrative=True,
            )
            hit.themes.set([themes[code] for code in spec.themes if code in themes])
            proposed_at = ctx.moment(spec.proposed_months_ago)
            HIT.objects.filter(pk=hit.pk).update(created_at=proposed_at, status_changed_at=proposed_at)
            ctx.new_hits.add(spec.slug)
        ctx.hits[spec.slug] = hit


def load_structures(ctx: DemoContext) -> None:
    themes = {t.code: t for t in Theme.objects.all()}
    for spec in HITS:
        hit = ctx.hits[spec.slug]
        moments = {step.action: step.months_ago for step in spec.steps}
        founded = ctx.day(spec.proposed_months_ago)
        joined = ctx.day(moments.get("start_application", spec.proposed_months_ago))
        leads_from = ctx.day(moments.get("accredit", spec.proposed_months_ago))
        ended = ctx.day(moments["close"]) if "close" in moments else None

        member = functools.partial(_membership, ctx, hit, ended)
        if spec.director:
            member(spec.director, MembershipRole.DIRECTOR, founded)
        if spec.former_director:
            stepped_down = next(step.months_ago for step in spec.steps if step.action == "suspend")
            _membership(
                ctx, hit, ctx.day(stepped_down), spec.former_director, MembershipRole.DIRECTOR, founded
            )
        if spec.co_director:
            member(spec.co_director, MembershipRole.CO_DIRECTOR, founded)
        if spec.sponsor:
            member(spec.sponsor, MembershipRole.EXECUTIVE_SPONSOR, joined)
        for key in spec.management:
            member(key, MembershipRole.MANAGEMENT_GROUP, joined)
        for wg in spec.working_groups:
            group, _ = WorkingGroup.objects.get_or_create(
                hit=hit, name=wg.name, defaults={"purpose": wg.purpose}
            )
            for key, side in ((wg.academic, LeadSide.ACADEMIC), (wg.service, LeadSide.SERVICE)):
                if key:
                    member(
                        key,
                        MembershipRole.WORKING_GROUP_LEAD,
                        leads_from,
                        working_group=group,
                        lead_side=side,
                    )
        for key, theme_code in spec.theme_leads:
            member(key, MembershipRole.THEME_LEAD, leads_from, theme=themes[theme_code])
        if spec.ppi_lead:
            member(spec.ppi_lead, MembershipRole.PPI_LEAD, joined)
        for key in spec.members:
            member(key, MembershipRole.MEMBER, joined)


def _membership(
    ctx: DemoContext,
    hit: HIT,
    ended: datetime.date | None,
    person_key: str,
    role: str,
    start: datetime.date,
    *,
    working_group: WorkingGroup | None = None,
    theme: Theme | None = None,
    lead_side: str = "",
) -> None:
    Membership.objects.get_or_create(
        hit=hit,
        person=ctx.people[person_key],
        role=role,
        working_group=working_group,
        theme=theme,
        lead_side=lead_side,
        defaults={"organisation": _primary_org(ctx, person_key), "start_date": start, "end_date": ended},
    )


def _primary_org(ctx: DemoContext, person_key: str) -> Organisation:
    spec = PEOPLE_BY_KEY[person_key]
    return ctx.orgs[spec.posts[0][0]]
