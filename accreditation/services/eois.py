"""Writes of expressions of interest: drafting, and the one transition service of the EOI workflow (accreditation.workflow), whose invite creates the HIT and its first application."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accreditation import permissions
from accreditation.domain.sections import (
    MIN_STAKEHOLDER_ORGANISATIONS,
)
from accreditation.enums import (
    EOIStatus,
    PanelRole,
)
from accreditation.models import (
    Application,
    ApplicationSection,
    EOIPartner,
    ExpressionOfInterest,
    PanelMember,
    StakeholderPlanRow,
)
from accreditation.workflow import EOI_WORKFLOW
from core.concurrency import check_version
from core.mail import send_after_commit
from core.permissions import require
from core.workflow import (
    InvalidTransition,
    Move,
    Rule,
    perform,
    recorded_actor,
)
from teams.enums import HITStatus, MembershipChangeKind, MembershipRole
from teams.models import HIT, Membership, Person, User
from teams.roles import forget_roles
from teams.services.members import membership_change_record

# --- Expressions of interest -------------------------------------------------------------------------

# The fields of a draft its author writes (EOIForm); the rest (round, author, status) the services set.
EOI_DRAFT_FIELDS = ("working_title", "problem", "boundaries", "proposed_director", "known_risks")


@dataclass(frozen=True)
class PartnerInput:
    category_id: int
    organisation_id: int | None = None
    organisation_name: str = ""


@transaction.atomic
def eoi_save(
    *,
    actor: User,
    eoi: ExpressionOfInterest,
    partners: Sequence[PartnerInput] | None = None,
    expected_version: str | None = None,
) -> ExpressionOfInterest:
    """Save a draft EOI and, when given, replace its partner list.

    Side effects: the EOI row; EOIPartner rows replaced. Refuses anything but a draft, and a
    change to a draft no longer at `expected_version` (StaleEdit, nothing saved; core.concurrency).
    """
    adding = eoi._state.adding
    if adding:
        require(permissions.can_start_eoi(actor))
        eoi.author = actor
    else:
        locked = ExpressionOfInterest.objects.select_for_update().get(pk=eoi.pk)
        if locked.author_id != actor.pk:
            raise PermissionDenied("Only the author edits an expression of interest.")
        if locked.status != EOIStatus.DRAFT:
            raise InvalidTransition(
                f"This expression of interest was already {locked.get_status_display().lower()}; it can no longer "
                "be edited."
            )
        check_version(locked, expected_version)
    eoi.full_clean(exclude=["hit"])
    if adding:
        eoi.save()
    else:
        eoi.save(update_fields=[*EOI_DRAFT_FIELDS, "updated_at"])
    if partners is not None:
        eoi.partners.all().delete()
        EOIPartner.objects.bulk_create(
            EOIPartner(
                eoi=eoi,
                organisation_id=p.organisation_id,
                organisation_name=p.organisation_name.strip(),
                category_id=p.category_id,
            )
            for p in partners
        )
    return eoi


# mypy checks the type argument against core.workflow's row protocol before it reads the model's
# fields through their descriptors, so it sees the CharField, not the str of `status` (mypy's
# subtypes.find_member: "TODO ... semanal_typeargs"; django-stubs issue 651).
@dataclass
class EOIMove(Move[ExpressionOfInterest]):  # type: ignore[type-var]
    """A move of an expression of interest; an invitation keeps the application draft it opened."""

    actor: User  # only a signed-in user moves an EOI (eoi_transition)
    application: Application | None = None


@transaction.atomic
def eoi_transition(
    *, actor: User, eoi_id: int, action: str, comment: str = "", expected_status: str | None = None
) -> ExpressionOfInterest:
    """Submit, invite or decline an EOI (accreditation.workflow.EOI_WORKFLOW, performed by core.workflow).

    Side effects, in order: locks the EOI; checks the transition and the actor's role; the guard
    and effect of EOI_RULES (submit needs a problem, boundaries, a proposed director, two partners
    and the round's EOI deadline not yet passed; decline needs a note); sets the status; on invite
    creates the HIT (status proposed), makes the author its director, and creates the application
    draft prefilled from the EOI; records an EOIEvent; emails the author (on decision) or the
    round's chairs (on submit) after commit.
    """
    eoi = (
        ExpressionOfInterest.objects.select_for_update(of=("self",))
        .select_related("round", "author")
        .get(pk=eoi_id)
    )
    EOI_WORKFLOW.check_unchanged(eoi.status, expected_status, eoi.events.select_related("actor").first)
    transition = EOI_WORKFLOW.get(action, eoi.status)
    require(permissions.can_make_move(transition, permissions.eoi_roles(actor, eoi)))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": "Write a note to the applicant explaining the decision."})
    move = EOIMove(eoi, transition, actor=actor, comment=comment)
    perform(move, EOI_RULES[action], events=eoi.events)
    if action == "submit":
        chairs = PanelMember.objects.filter(panel__round=eoi.round, role=PanelRole.CHAIR).values_list(
            "user__email", flat=True
        )
        send_after_commit(template="accreditation/eoi_submitted", recipients=chairs, context={"eoi": eoi})
    else:
        send_after_commit(
            template="accreditation/eoi_decided",
            recipients=[eoi.author.email],
            context={"eoi": eoi, "application": move.application},
        )
    forget_roles(actor)
    return eoi


def _guard_eoi_submit(move: EOIMove) -> None:
    eoi = move.obj
    errors = {}
    for field in ("problem", "boundaries", "proposed_director"):
        if not getattr(eoi, field).strip():
            model_field = ExpressionOfInterest._meta.get_field(field)
            label = model_field.verbose_name if isinstance(model_field, models.Field) else field
            errors[field] = f"Fill in {label}."
    if eoi.partners.count() < MIN_STAKEHOLDER_ORGANISATIONS:
        errors["partners"] = "Name at least two partner organisations."
    if timezone.localdate() > eoi.round.eoi_deadline:
        errors["round"] = (
            f"The deadline for expressions of interest to {eoi.round} was "
            f"{eoi.round.eoi_deadline.day} {eoi.round.eoi_deadline:%B %Y}."
        )
    if errors:
        raise ValidationError(errors)


def _effect_eoi_submit(move: EOIMove) -> None:
    move.set(submitted_at=timezone.now())


def _effect_eoi_decide(move: EOIMove) -> None:
    move.set(decided_by=move.actor, decided_at=timezone.now(), decision_note=move.comment)


def _effect_eoi_invite(move: EOIMove) -> None:
    _effect_eoi_decide(move)
    hit, move.application = _hit_from_eoi(actor=move.actor, eoi=move.obj)
    move.set(hit=hit)


# What each move of EOI_WORKFLOW checks and does beyond its table row.
EOI_RULES: dict[str, Rule[EOIMove]] = {
    "submit": Rule(guard=_guard_eoi_submit, effect=_effect_eoi_submit),
    "invite": Rule(effect=_effect_eoi_invite),
    "decline": Rule(effect=_effect_eoi_decide),
}


def _unique_hit_name(title: str) -> tuple[str, str]:
    name, n = title.strip(), 1
    while HIT.objects.filter(name=name).exists():
        n += 1
        name = f"{title.strip()} ({n})"
    base = slugify(name)[:70] or "hit"
    slug, n = base, 1
    while HIT.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return name, slug


def _person_for(user: User) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.filter(email__iexact=user.email, user__isnull=True).first()
        if person is None:
            person = Person.objects.create(
                full_name=user.full_name or user.email, email=user.email, user=user
            )
        else:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
    return person


def _hit_from_eoi(*, actor: User, eoi: ExpressionOfInterest) -> tuple[HIT, Application]:
    name, slug = _unique_hit_name(eoi.working_title)
    hit = HIT.objects.create(
        name=name, slug=slug, focus=eoi.working_title[:200], problem=eoi.problem, status=HITStatus.PROPOSED
    )
    author = _person_for(eoi.author)
    director = Membership.objects.create(hit=hit, person=author, role=MembershipRole.DIRECTOR)
    membership_change_record(
        actor=actor,
        membership=director,
        change=MembershipChangeKind.ADDED,
        comment="The author of the accepted expression of interest.",
    )
    application = Application.objects.create(hit=hit, round=eoi.round, director=author)
    ApplicationSection.objects.create(
        application=application,
        key="aims",
        data={"aims": "", "problem": eoi.problem, "boundaries": eoi.boundaries},
        updated_by=recorded_actor(actor),
    )
    StakeholderPlanRow.objects.bulk_create(
        StakeholderPlanRow(
            application=application,
            organisation_id=partner.organisation_id,
            stakeholder=partner.organisation_name,
            category_id=partner.category_id,
            role="To be agreed",
            outcome="To be agreed",
        )
        for partner in eoi.partners.all()
    )
    forget_roles(eoi.author)
    return hit, application
