"""Writes of an application while the applicant drafts it: sections, stakeholder rows, the sponsor's confirmation, and what still stops a submission."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accreditation import permissions, workflow
from accreditation.domain.sections import (
    GOVERNANCE_MODEL_FIELDS,
    MIN_STAKEHOLDER_ORGANISATIONS,
    SECTIONS,
    get_section,
    section_is_complete,
    stakeholder_row_placeholders,
)
from accreditation.models import (
    Application,
    ApplicationSection,
    StakeholderPlanRow,
)
from core.concurrency import check_version
from core.mail import absolute_url, send_after_commit
from core.permissions import require
from core.workflow import (
    InvalidTransition,
    record_event,
    recorded_actor,
)
from teams.models import User

SPONSOR_SIGNING_SALT = "accreditation.sponsor-confirmation"
SPONSOR_LINK_MAX_AGE = 60 * 60 * 24 * 30  # a month

# The fields of a stakeholder row the applicant fills in (StakeholderRowForm); the service sets the rest.
STAKEHOLDER_ROW_FIELDS = ("organisation", "stakeholder", "category", "role", "outcome", "depth")


# --- Application sections ----------------------------------------------------------------------------


def lock_editable_application(actor: User, application_id: int) -> Application:
    """The application locked (`select_for_update`, in the caller's transaction) once the actor may
    edit it (permissions.can_edit_application); PermissionDenied otherwise."""
    application = Application.objects.select_for_update().get(pk=application_id)
    require(permissions.can_edit_application(actor, application))
    return application


def section_data(
    application: Application, key: str, stored: dict[str, object] | None = None
) -> dict[str, object]:
    """A section's answers as form data, with governance's model-backed answers merged in."""
    data = dict(stored or {})
    if key == "governance":
        for field in GOVERNANCE_MODEL_FIELDS:
            value = (
                getattr(application, f"{field}_id", None) if field != "host_unit" else application.host_unit
            )
            data[field] = value if value is not None else ""
    return data


@transaction.atomic
def section_save(
    *,
    actor: User,
    application_id: int,
    key: str,
    data: dict[str, object],
    expected_version: str | None = None,
) -> ApplicationSection:
    """Save one section's answers (already validated by the section's draft form).

    Side effects: the ApplicationSection row (data, completeness mark); for governance, the
    application's director, sponsor and host fields. A change of sponsor voids the confirmation.
    Refused with StaleEdit (nothing saved) when the section is no longer at `expected_version`,
    the version the editor's form started from ("" for a section never saved; core.concurrency).
    The application's lock serialises every save of its sections.
    """
    application = lock_editable_application(actor, application_id)
    section = get_section(key)
    if section.form_class is None:
        raise ValueError("The stakeholder table is saved row by row.")
    existing = ApplicationSection.objects.filter(application=application, key=key).first()
    current = existing or ApplicationSection(application=application, key=key, data={})
    current.application = application  # as locked now: the governance answers stored on it
    check_version(current, expected_version)
    stored = dict(data)
    if key == "governance":
        fields = []
        previous_sponsor = application.executive_sponsor_id
        for field in GOVERNANCE_MODEL_FIELDS:
            value = stored.pop(field, None)
            if field == "host_unit":
                application.host_unit = str(value or "")
            else:
                setattr(application, f"{field}_id", value or None)
            fields.append(field)
        if application.executive_sponsor_id != previous_sponsor:
            # A new sponsor confirms afresh, even one who confirmed before being replaced.
            application.sponsor_confirmed_at = None
            application.sponsor_confirmed_for = None
            fields += ["sponsor_confirmed_at", "sponsor_confirmed_for"]
        application.save(update_fields=[*fields, "updated_at"])
    row, _ = ApplicationSection.objects.get_or_create(application=application, key=key)
    row.data = stored
    row.is_complete = section_is_complete(key, section_data(application, key, stored))
    row.updated_by = recorded_actor(actor)
    row.save(update_fields=["data", "is_complete", "updated_by", "updated_at"])
    return row


@transaction.atomic
def stakeholder_row_save(
    *, actor: User, application_id: int, row: StakeholderPlanRow, expected_version: str | None = None
) -> StakeholderPlanRow:
    """Add or change one row of the stakeholder table. Side effect: the row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version` (core.concurrency).
    """
    application = lock_editable_application(actor, application_id)
    adding = row._state.adding
    if not adding:
        if row.application_id != application.pk:
            raise PermissionDenied("That row belongs to another application.")
        check_version(StakeholderPlanRow.objects.select_for_update().get(pk=row.pk), expected_version)
    row.application = application
    row.full_clean()
    if adding:
        row.save()
    else:
        row.save(update_fields=[*STAKEHOLDER_ROW_FIELDS, "updated_at"])
    return row


@transaction.atomic
def stakeholder_row_delete(*, actor: User, application_id: int, row_id: int) -> None:
    application = lock_editable_application(actor, application_id)
    deleted, _ = StakeholderPlanRow.objects.filter(application=application, pk=row_id).delete()
    if not deleted:
        raise PermissionDenied("That row belongs to another application.")


def stakeholder_summary(application: Application) -> tuple[int, int]:
    """(distinct organisations, distinct stakeholder categories) in the stakeholder table."""
    totals = application.stakeholder_rows.aggregate(
        organisations=Count("organisation", distinct=True), categories=Count("category", distinct=True)
    )
    return totals["organisations"], totals["categories"]


def stakeholder_placeholder_rows(application: Application) -> dict[int, str]:
    """Rows of the stakeholder table that hold placeholder text ("To be agreed", "TBC", "n/a", ...),
    by row id, each with the reason to show next to it. Such a row is not complete: the
    application cannot be submitted while one is left (docs/domain.md 3.3). One query."""
    reasons = {}
    for number, row in enumerate(
        application.stakeholder_rows.select_related("organisation").order_by("pk"), 1
    ):
        found = stakeholder_row_placeholders(row)
        if found:
            said = " and ".join(
                f"\u201c{label}\u201d says only \u201c{text}\u201d"
                if text
                else f"\u201c{label}\u201d is empty"
                for label, text in found
            )
            reasons[row.pk] = (
                f"Row {number} ({row}) is not complete: {said}. Write what is agreed, or remove the row."
            )
    return reasons


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """Every reason the application cannot be submitted yet, as (section key, message)."""
    problems: list[tuple[str, str]] = []
    stored = {s.key: s for s in application.sections.all()}
    for section in SECTIONS:
        if section.form_class is None:
            continue
        row = stored.get(section.key)
        if row is None or not section_is_complete(
            section.key, section_data(application, section.key, row.data)
        ):
            problems.append((section.key, f"Complete the section '{section.title}'."))
    organisations, _ = stakeholder_summary(application)
    if organisations < MIN_STAKEHOLDER_ORGANISATIONS:
        problems.append(
            ("stakeholders", "Name at least two organisations in the table of who needs to be involved.")
        )
    problems += [("stakeholders", reason) for reason in stakeholder_placeholder_rows(application).values()]
    if application.director_id is None:
        problems.append(("governance", "Name the HIT's director."))
    if application.executive_sponsor_id is None:
        problems.append(("governance", "Name the executive sponsor."))
    elif not application.sponsor_confirmed:
        problems.append(("governance", "The executive sponsor has not confirmed their sponsorship yet."))
    return problems


# --- Executive sponsor confirmation ------------------------------------------------------------------


def sponsor_token(application: Application) -> str:
    return signing.dumps(
        {"a": application.pk, "s": application.executive_sponsor_id}, salt=SPONSOR_SIGNING_SALT, compress=True
    )


def sponsor_token_read(token: str) -> tuple[int, int]:
    """(application id, sponsor person id) from a confirmation link; BadSignature if forged/expired."""
    payload = signing.loads(token, salt=SPONSOR_SIGNING_SALT, max_age=SPONSOR_LINK_MAX_AGE)
    return int(payload["a"]), int(payload["s"])


@transaction.atomic
def sponsor_request(*, actor: User, application_id: int) -> None:
    """Email the named executive sponsor a link to confirm. Side effect: one email after commit."""
    application = lock_editable_application(actor, application_id)
    sponsor = application.executive_sponsor
    if sponsor is None:
        raise ValidationError(
            {"executive_sponsor": "Name the executive sponsor in the governance section first."}
        )
    if not sponsor.email:
        raise ValidationError({"executive_sponsor": f"{sponsor} has no email address in the directory."})
    link = absolute_url(reverse("accreditation:sponsor-confirm", args=[sponsor_token(application)]))
    send_after_commit(
        template="accreditation/sponsor_request",
        recipients=[sponsor.email],
        context={"application": application, "sponsor": sponsor, "link": link, "requested_by": actor},
    )


@transaction.atomic
def sponsor_confirm(*, token: str) -> Application:
    """Record the sponsor's confirmation. Refuses a link for a sponsor who has since been replaced.

    Side effects: sponsor_confirmed_at / sponsor_confirmed_for on the application; an event row;
    an email to the director after commit.
    """
    application_id, sponsor_id = sponsor_token_read(token)
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("director").get(pk=application_id)
    )
    sponsor = application.executive_sponsor if application.executive_sponsor_id == sponsor_id else None
    if sponsor is None:
        raise InvalidTransition("This link is for a sponsor who is no longer named on the application.")
    if application.sponsor_confirmed:
        raise InvalidTransition("Your sponsorship was already confirmed. Thank you.")
    if application.status in workflow.FINAL_APPLICATION_STATES:
        raise InvalidTransition(
            f"This application is {application.get_status_display().lower()}; it needs no confirmation now."
        )
    application.sponsor_confirmed_at = timezone.now()
    application.sponsor_confirmed_for_id = sponsor_id
    application.save(update_fields=["sponsor_confirmed_at", "sponsor_confirmed_for", "updated_at"])
    record_event(
        application.events,
        actor=sponsor.user,
        action="confirm_sponsorship",
        to_status=application.status,
        comment=f"Confirmed by {sponsor}",
    )
    if application.director is not None:
        send_after_commit(
            template="accreditation/sponsor_confirmed",
            recipients=[application.director.email],
            context={"application": application},
        )
    return application
