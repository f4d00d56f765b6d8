"""Re-accreditation: starting a renewal application and the reminders before an accreditation ends."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.timesince import timeuntil

from accreditation import workflow
from accreditation.domain.sections import (
    section_is_complete,
)
from accreditation.enums import (
    ApplicationKind,
)
from accreditation.models import (
    Accreditation,
    Application,
    ApplicationSection,
    Round,
    StakeholderPlanRow,
)
from accreditation.services.drafting import section_data
from core.batch import BatchOutcome, each_row
from core.mail import send_after_commit
from core.workflow import (
    InvalidTransition,
    record_event,
    recorded_actor,
)
from teams.enums import MembershipRole
from teams.models import Membership, User

logger = logging.getLogger(__name__)


@transaction.atomic
def renewal_start(*, actor: User, accreditation_id: int, round_id: int) -> Application:
    """Open a renewal application prefilled from the last accredited revision.

    Side effects: the Application (kind renewal, linked to the accreditation), its sections and
    stakeholder rows copied from the accredited revision.
    """
    accreditation = (
        Accreditation.objects.select_for_update(of=("self",))
        .select_related("application", "hit")
        .get(pk=accreditation_id)
    )
    from teams.enums import Role
    from teams.roles import roles_of

    roles = roles_of(actor)
    hit_roles = roles.hit_roles.get(accreditation.hit_id, frozenset())
    if not (
        hit_roles & {MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR} or roles.has(Role.PROGRAMME_MANAGER)
    ):
        raise PermissionDenied("Only the HIT's director or a programme manager starts a renewal.")
    if (
        Application.objects.filter(hit=accreditation.hit_id)
        .exclude(status__in=[s.value for s in workflow.FINAL_APPLICATION_STATES])
        .exists()
    ):
        raise InvalidTransition("This HIT already has an application in progress.")
    today = timezone.localdate()
    if not Round.objects.filter(pk=round_id, opens_on__lte=today, application_deadline__gte=today).exists():
        raise ValidationError({"round": "Choose a round that is open for applications."})
    source = accreditation.application
    revision = source.revisions.filter(number=accreditation.decision.revision_number).first()
    renewal = Application.objects.create(
        hit=accreditation.hit,
        round_id=round_id,
        kind=ApplicationKind.RENEWAL,
        renewal_of=accreditation,
        director=source.director,
        executive_sponsor=source.executive_sponsor,
        host_organisation=source.host_organisation,
        host_unit=source.host_unit,
    )
    sections = revision.sections if revision else {s.key: s.data for s in source.sections.all()}
    for key, data in sections.items():
        ApplicationSection.objects.create(
            application=renewal,
            key=key,
            data=data,
            is_complete=key != "stakeholders" and section_is_complete(key, section_data(renewal, key, data)),
            updated_by=recorded_actor(actor),
        )
    StakeholderPlanRow.objects.bulk_create(
        StakeholderPlanRow(
            application=renewal,
            organisation_id=row.organisation_id,
            stakeholder=row.stakeholder,
            category_id=row.category_id,
            role=row.role,
            outcome=row.outcome,
            depth=row.depth,
        )
        for row in source.stakeholder_rows.all()
    )
    record_event(
        renewal.events,
        actor=actor,
        action="start_renewal",
        from_status="",
        to_status=renewal.status,
        comment=f"Renewal of the accreditation valid until {accreditation.valid_until:%d %b %Y}",
    )
    return renewal


def renewal_reminders_send(*, today: datetime.date | None = None) -> BatchOutcome:
    """Remind directors and programme managers 6 months and 1 month before an accreditation
    expires, once each (the timestamps make it idempotent). Each accreditation is handled on its
    own: one that fails is logged with its id and skipped, and the others carry on (core.batch).
    Returns the number of reminders (`done`) and the ids of the accreditations skipped."""
    from teams.enums import ProgrammeRole
    from teams.models import RoleAssignment

    today = today or timezone.localdate()
    pm_emails = list(
        RoleAssignment.objects.filter(role=ProgrammeRole.PROGRAMME_MANAGER).values_list(
            "user__email", flat=True
        )
    )
    outcome = BatchOutcome()
    for field, months in (("reminded_6_months_at", 6), ("reminded_1_month_at", 1)):
        horizon = _add_months(today, months)
        due = Accreditation.objects.filter(
            **{f"{field}__isnull": True}, valid_until__gte=today, valid_until__lte=horizon
        ).select_related("hit")

        def remind(accreditation: Accreditation, field: str = field, months: int = months) -> int:
            return _renewal_reminder_send(
                accreditation, field=field, months=months, today=today, pm_emails=pm_emails
            )

        outcome = outcome.add(
            each_row(
                list(due),
                remind,
                row_id=lambda accreditation: accreditation.pk,
                what=f"The {months}-month renewal reminder of accreditation",
                logger=logger,
            )
        )
    return outcome


def _renewal_reminder_send(
    accreditation: Accreditation, *, field: str, months: int, today: datetime.date, pm_emails: list[str]
) -> int:
    """Claim and send one accreditation's reminder; 1 when it was sent."""
    # Superseded accreditations (a renewal already accredited) need no reminder.
    if Accreditation.objects.filter(
        hit=accreditation.hit_id, valid_from__gt=accreditation.valid_until
    ).exists():
        return 0
    claimed = Accreditation.objects.filter(pk=accreditation.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    if not claimed:
        return 0  # another worker sent it
    if months == 6 and accreditation.valid_until <= _add_months(today, 1):
        return 0  # inside the last month: the one-month reminder says it all
    directors = (
        Membership.objects.filter(
            hit=accreditation.hit_id,
            role__in=[MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR],
            end_date__isnull=True,
        )
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    send_after_commit(
        template="accreditation/renewal_reminder",
        recipients=[*directors, *pm_emails],
        context={"accreditation": accreditation, "time_left": time_left(today, accreditation.valid_until)},
    )
    return 1


def time_left(today: datetime.date, until: datetime.date) -> str:
    """The calendar time from `today` to `until` in words, to two units ("4 months and 1 week"). The
    reminder says what is really left: the first one can go out later than 6 months before the end
    (an accreditation shorter than that, or a schedule that was not running)."""
    words = timeuntil(until, now=today, depth=2).replace("\xa0", " ")
    return " and ".join(words.split(", "))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
