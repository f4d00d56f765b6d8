"""reporting's answers to the signals of the apps below it (connected in ReportingConfig.ready)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from accreditation.models import Accreditation, Application, Condition
from engagement.models import PublicReview
from reporting.models import HITFlagState, ProgressReport, StageAssessment
from reporting.selectors.home import hit_panels
from teams.enums import LeadSide, MembershipRole
from teams.models import HIT, Membership, Person, User, WorkingGroup
from teams.roles import AnyUser
from teams.selectors.hits import current_memberships
from teams.signals import HITPagePart

#: What hit_page_part reads (teams.signals.connect_hit_page_part): the open report, the stored flags, the
#: latest stage assessment and who made it, and the set-up checklist's tables (checklists_for).
HIT_PAGE_PART_SOURCES = (
    HIT,
    ProgressReport,
    HITFlagState,
    StageAssessment,
    User,
    Accreditation,
    Application,
    Person,
    Membership,
    WorkingGroup,
    PublicReview,
    Condition,
)


def hit_page_part(sender: object, *, hit: HIT, user: AnyUser, **kwargs: Any) -> HITPagePart | None:
    """The HIT page's reporting panels: flags, the set-up checklist, the open report, the stage."""
    panels = hit_panels(user, hit)
    return (
        HITPagePart(slot="panels", template="reporting/_hit_reporting.html", context=panels)
        if panels
        else None
    )


if TYPE_CHECKING:
    from core.workflow import Transition

MIN_MANAGEMENT_ORGANISATIONS = 2

SPONSOR = "sponsor_confirmed"
MANAGEMENT = "management_group"
WORKING_GROUPS = "working_groups_dual_led"
PPI = "ppi_reviewed"
CONDITIONS = "conditions_closed"


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    message: str  # what holds, or what is missing and who can fix it


@dataclass(frozen=True)
class Checklist:
    hit_id: int
    items: tuple[Item, ...]

    @property
    def holds(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if not item.ok]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.ok)


def _sponsor_item(application: Application | None, sponsors: list[tuple[int, str]]) -> Item:
    """The HIT's current executive sponsors (`sponsors`: person id and name, the memberships the HIT
    page shows) and the confirmation on its accredited application: the item holds when one of
    them is the person who confirmed, so the page and the checklist never tell different stories."""
    label = "Executive sponsor confirmed"
    if application is None:
        return Item(
            SPONSOR,
            label,
            False,
            "There is no accredited application for this HIT, so no confirmed executive sponsor is on "
            "record. The panel chair records the accreditation decision; the sponsor confirms on the application.",
        )
    confirmed = application.sponsor_confirmed
    if not sponsors:
        named = (
            f"The accredited application names {application.executive_sponsor}, who confirmed"
            if confirmed
            else "The sponsor named in the accredited application has not confirmed either"
        )
        return Item(
            SPONSOR,
            label,
            False,
            f"No executive sponsor is recorded on the HIT. {named}; the HIT's director adds them as the "
            "HIT's executive sponsor (a programme manager can too).",
        )
    if not confirmed:
        return Item(
            SPONSOR,
            label,
            False,
            "The executive sponsor named in the accredited application has not confirmed their sponsorship. "
            "The HIT's director asks the sponsor to confirm; a programme manager can help if the sponsor changed.",
        )
    names = dict(sponsors)
    if application.sponsor_confirmed_for_id not in names:
        return Item(
            SPONSOR,
            label,
            False,
            f"{' and '.join(names.values())}, the HIT's executive sponsor, has not confirmed on the "
            f"accredited application (it was confirmed by {application.executive_sponsor}). The HIT's "
            "director asks the sponsor to confirm; a programme manager can help if the sponsor changed.",
        )
    return Item(
        SPONSOR, label, True, f"{names[application.sponsor_confirmed_for_id]} confirmed their sponsorship."
    )


def _management_item(organisations: int) -> Item:
    label = "Management group spans two or more organisations"
    if organisations >= MIN_MANAGEMENT_ORGANISATIONS:
        return Item(MANAGEMENT, label, True, f"The management group draws on {organisations} organisations.")
    drawn = "no organisation" if organisations == 0 else "one organisation"
    return Item(
        MANAGEMENT,
        label,
        False,
        f"The management group draws on {drawn}; it needs current members from at least two, each with the "
        "organisation they represent. The HIT's director adds them; a programme manager can too.",
    )


def _working_groups_item(groups: list[tuple[str, bool, bool]]) -> Item:
    label = "Every working group has an academic and a service lead"
    if not groups:
        return Item(
            WORKING_GROUPS,
            label,
            False,
            "The HIT has no working groups yet. The HIT's director sets them up, each led by one academic "
            "and one service lead.",
        )
    lacking = []
    for name, academic, service in groups:
        sides = [side for side, present in (("academic", academic), ("service", service)) if not present]
        if sides:
            lacking.append(f"{name} (no {' or '.join(sides)} lead)")
    if lacking:
        return Item(
            WORKING_GROUPS,
            label,
            False,
            f"Working groups without both leads: {'; '.join(lacking)}. The HIT's director appoints the "
            "missing leads.",
        )
    count = len(groups)
    return Item(
        WORKING_GROUPS, label, True, f"All {count} working group{'s' if count != 1 else ''} are dual-led."
    )


def _ppi_item(latest) -> Item:
    label = "PPI arrangements reviewed by the public review group"
    if latest is None:
        return Item(
            PPI,
            label,
            False,
            "The public review group has not reviewed the HIT's patient and public involvement yet. A lay "
            "reviewer records the review on the HIT's PPI page; the PPI facilitator can arrange it.",
        )
    reviewed_on, adequate = latest
    if not adequate:
        return Item(
            PPI,
            label,
            False,
            f"The public review group's latest review ({reviewed_on:%d %b %Y}) found the PPI arrangements "
            "not yet adequate. The HIT acts on its comments, with the PPI facilitator's support, and asks "
            "for a new review.",
        )
    return Item(PPI, label, True, f"Judged adequate by the public review group on {reviewed_on:%d %b %Y}.")


def _conditions_item(open_conditions: list[tuple[str, str, object]]) -> Item:
    label = "Accreditation conditions closed"
    if open_conditions:
        listed = "; ".join(
            f"{text[:80]} (owner {owner}, due {due:%d %b %Y})" for text, owner, due in open_conditions
        )
        count = len(open_conditions)
        return Item(
            CONDITIONS,
            label,
            False,
            f"{count} condition{'s' if count != 1 else ''} still open: {listed}. Each condition's owner, or "
            "a programme manager, closes it with evidence.",
        )
    return Item(CONDITIONS, label, True, "No accreditation condition is open.")


def checklists_for(hit_ids: Iterable[int]) -> dict[int, Checklist]:
    """The checklist of each HIT, in five queries whatever the number of HITs."""
    ids = list(hit_ids)
    if not ids:
        return {}
    today = timezone.localdate()

    # 1. The accredited application of the latest accreditation of each HIT.
    applications: dict[int, Application] = {}
    for accreditation in (
        Accreditation.objects.filter(hit_id__in=ids)
        .select_related("application", "application__executive_sponsor")
        .order_by("hit_id", "-valid_from", "-pk")
    ):
        applications.setdefault(accreditation.hit_id, accreditation.application)

    # 2. The current executive sponsors, and the distinct organisations represented in the current
    #    management group (a handful of rows per HIT, counted here to keep one query).
    sponsors: dict[int, list[tuple[int, str]]] = {}
    management: dict[int, set[int]] = {}
    for hit_id, role, person_id, name, organisation_id in (
        current_memberships(today)
        .filter(hit_id__in=ids, role__in=[MembershipRole.EXECUTIVE_SPONSOR, MembershipRole.MANAGEMENT_GROUP])
        .order_by("hit_id", "person__full_name", "pk")
        .values_list("hit_id", "role", "person_id", "person__full_name", "organisation_id")
    ):
        if role == MembershipRole.EXECUTIVE_SPONSOR:
            sponsors.setdefault(hit_id, []).append((person_id, name))
        elif organisation_id is not None:
            management.setdefault(hit_id, set()).add(organisation_id)

    # 3. Every working group with its current academic and service leads counted.
    current_lead = Q(
        memberships__role=MembershipRole.WORKING_GROUP_LEAD, memberships__start_date__lte=today
    ) & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today))
    groups: dict[int, list[tuple[str, bool, bool]]] = {}
    for hit_id, name, academic, service in (
        WorkingGroup.objects.filter(hit_id__in=ids)
        .annotate(
            academic=Count("memberships", filter=current_lead & Q(memberships__lead_side=LeadSide.ACADEMIC)),
            service=Count("memberships", filter=current_lead & Q(memberships__lead_side=LeadSide.SERVICE)),
        )
        .order_by("hit_id", "name")
        .values_list("hit_id", "name", "academic", "service")
    ):
        groups.setdefault(hit_id, []).append((name, academic > 0, service > 0))

    # 4. The public review group's latest review of each HIT.
    reviews: dict[int, tuple] = {}
    for hit_id, reviewed_on, adequate in (
        PublicReview.objects.filter(hit_id__in=ids)
        .order_by("hit_id", "-reviewed_on", "-pk")
        .values_list("hit_id", "reviewed_on", "arrangements_adequate")
    ):
        reviews.setdefault(hit_id, (reviewed_on, adequate))

    # 5. Open conditions of any decision on the HIT's applications.
    conditions: dict[int, list[tuple[str, str, object]]] = {}
    for hit_id, text, owner, due_on in (
        Condition.objects.filter(decision__application__hit_id__in=ids, closed_at__isnull=True)
        .order_by("due_on", "pk")
        .values_list("decision__application__hit_id", "text", "owner__full_name", "due_on")
    ):
        conditions.setdefault(hit_id, []).append((text, owner, due_on))

    return {
        hit_id: Checklist(
            hit_id=hit_id,
            items=(
                _sponsor_item(applications.get(hit_id), sponsors.get(hit_id, [])),
                _management_item(len(management.get(hit_id, ()))),
                _working_groups_item(groups.get(hit_id, [])),
                _ppi_item(reviews.get(hit_id)),
                _conditions_item(conditions.get(hit_id, [])),
            ),
        )
        for hit_id in ids
    }


def checklist_for(hit: HIT) -> Checklist:
    return checklists_for([hit.pk])[hit.pk]


def activation_guard(sender: object, *, hit: HIT, transition: Transition, **kwargs: Any) -> list[str]:
    """The guard of the HIT "activate" transition: the messages of the items that do not hold."""
    if transition.action != "activate":
        return []
    return [f"{item.label}: {item.message}" for item in checklist_for(hit).missing]


# --- Stored early-warning flags: what feeds them asks for a recompute ------------------------------


def flag_inputs() -> list[type]:
    """The models whose rows reporting.selectors.flags reads (each has `hit_id`, or `report_id`), and
    the PPI log, whose "quiet for 90 days" flag is stored with them."""
    from accreditation.models import ExpressionOfInterest
    from engagement.models import InvolvementActivity
    from reporting.models import ProgressReport, ReportRisk
    from teams.models import HITStatusChange, Membership, SponsorInteraction

    return [
        ProgressReport,
        ReportRisk,
        Membership,
        ExpressionOfInterest,
        HIT,
        HITStatusChange,
        SponsorInteraction,
        InvolvementActivity,
    ]


def flags_input_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a model that reporting.selectors.flags reads: the HIT's flags are
    recomputed by the worker once the change commits (reporting.services.flags)."""
    from reporting.models import ReportRisk
    from reporting.services.flags import flags_recompute_request

    if kwargs.get("raw"):
        return  # fixtures being loaded
    if isinstance(instance, ReportRisk):
        flags_recompute_request(report_id=instance.report_id)
    elif isinstance(instance, HIT):
        flags_recompute_request(hit_id=instance.pk)
    else:
        flags_recompute_request(hit_id=getattr(instance, "hit_id", None))


def flags_after_coverage(sender: Any = None, task: Any = None, kwargs: Any = None, **extra: Any) -> None:
    """Celery task_postrun: the coverage gaps feed the "missing key actors" flag, and the worker
    stores coverage in bulk (no model signal), so its task asks for the HIT's flags when it ends.
    Where tasks run in the process that queued them (CELERY_TASK_ALWAYS_EAGER: development, tests)
    the flags are computed at once, as the queued task would."""
    from reporting.services.flags import flags_recompute_request, hit_flags_recompute

    if getattr(task, "name", None) != "engagement.compute_coverage" or extra.get("state") != "SUCCESS":
        return
    hit_id = (kwargs or {}).get("hit_id")
    if hit_id is None:
        return
    if getattr(task.request, "is_eager", False):
        hit_flags_recompute(hit_ids=[hit_id])
    else:
        flags_recompute_request(hit_id=hit_id)


def statistics_after_release(sender: Any = None, **kwargs: Any) -> None:
    """engagement.signals.readiness_released: the board's funnel plot and readiness chart read released
    results, so the worker recomputes the stored portfolio statistics once the release commits."""
    from core.tasks import enqueue_after_commit
    from reporting.tasks import recompute_portfolio_statistics

    enqueue_after_commit(recompute_portfolio_statistics, {})
