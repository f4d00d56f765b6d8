"""Edit and create pages of the accreditation app: rounds, expressions of interest, the application's
sections and stakeholder table, answers to feedback, reviews, the chair's feedback and assignments."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accreditation.domain.criteria import criteria_for
from accreditation.enums import FeedbackStatus
from accreditation.models import (
    ApplicationSection,
    ExpressionOfInterest,
    FeedbackDocument,
    FeedbackPoint,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    Round,
    StakeholderPlanRow,
)
from accreditation.services.drafting import section_save, stakeholder_row_save
from accreditation.services.eois import eoi_save
from accreditation.services.reviews import feedback_respond, feedback_save, review_save
from accreditation.services.rounds import round_save
from teams.enums import HITStatus
from teams.models import HIT
from tests import factories as f
from tests.concurrency_cases.base import CREATED, THEIRS, TYPED, CreateCase, EditCase
from tests.factories.accreditation_applications import (
    ApplicationFactory,
    ApplicationSectionFactory,
    StakeholderPlanRowFactory,
)
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory
from tests.factories.accreditation_panel import (
    FeedbackDocumentFactory,
    FeedbackPointFactory,
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
)

NO_PARTNERS = {
    "partners-TOTAL_FORMS": "0",
    "partners-INITIAL_FORMS": "0",
    "partners-MIN_NUM_FORMS": "0",
    "partners-MAX_NUM_FORMS": "1000",
}


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _draft_application(ctx: dict):
    return ApplicationFactory(hit=ctx["hit"], round=f.RoundFactory())


def _under_review(ctx: dict):
    """An application of the panel's round under review, with its frozen revision."""
    HIT.objects.filter(pk=ctx["hit"].pk).update(status=HITStatus.IN_APPLICATION)
    application = PanelApplicationFactory(hit=ctx["hit"], round=ctx["fixture"]("panel").round)
    PanelRevisionFactory(application=application)
    return application


# --- Edit pages --------------------------------------------------------------------------------------


def _round(ctx: dict) -> tuple[dict, Any]:
    row = f.RoundFactory(guidance="Tell us who is involved.")
    return {"pk": row.pk}, row


def _round_post(row: Any) -> dict:
    return {
        "name": row.name,
        "opens_on": row.opens_on.isoformat(),
        "eoi_deadline": row.eoi_deadline.isoformat(),
        "application_deadline": row.application_deadline.isoformat(),
        "guidance": TYPED,
        "reviewers_per_application": row.reviewers_per_application,
        "accreditation_term_years": row.accreditation_term_years,
    }


def _round_elsewhere(row: Any, ctx: dict) -> None:
    fresh = Round.objects.get(pk=row.pk)
    fresh.guidance = THEIRS
    round_save(actor=ctx["peer"], round=fresh)


def _eoi(ctx: dict) -> tuple[dict, Any]:
    row = ExpressionOfInterestFactory(author=ctx["user"], round=f.RoundFactory())
    return {"pk": row.pk}, row


def _eoi_post(row: Any) -> dict:
    return {
        "working_title": row.working_title,
        "problem": TYPED,
        "boundaries": row.boundaries,
        "proposed_director": row.proposed_director,
        "known_risks": row.known_risks,
        "intent": "draft",
        **NO_PARTNERS,
    }


def _eoi_elsewhere(row: Any, ctx: dict) -> None:
    fresh = ExpressionOfInterest.objects.get(pk=row.pk)
    fresh.problem = THEIRS
    eoi_save(actor=ctx["peer"], eoi=fresh)


def _section(ctx: dict) -> tuple[dict, Any]:
    application = _draft_application(ctx)
    ApplicationSectionFactory(
        application=application, key="aims", data={"aims": "First aims", "problem": "Falls", "boundaries": ""}
    )
    return {"pk": application.pk, "key": "aims"}, application


def _unsaved_section(ctx: dict) -> tuple[dict, Any]:
    application = _draft_application(ctx)
    return {"pk": application.pk, "key": "aims"}, application


def _section_post(row: Any) -> dict:
    return {"aims": TYPED, "problem": "Falls", "boundaries": ""}


def _section_elsewhere(row: Any, ctx: dict) -> None:
    section_save(
        actor=ctx["peer"],
        application_id=row.pk,
        key="aims",
        data={"aims": THEIRS, "problem": "Falls", "boundaries": ""},
    )


def _stakeholder_row(ctx: dict) -> tuple[dict, Any]:
    application = _draft_application(ctx)
    row = StakeholderPlanRowFactory(application=application, role="Sits on the management group")
    return {"pk": application.pk, "row_pk": row.pk}, row


def _stakeholder_row_post(row: Any) -> dict:
    return {
        "organisation": row.organisation_id,
        "stakeholder": "",
        "category": row.category_id,
        "role": TYPED,
        "outcome": row.outcome,
        "depth": row.depth,
    }


def _stakeholder_row_elsewhere(row: Any, ctx: dict) -> None:
    fresh = StakeholderPlanRow.objects.get(pk=row.pk)
    fresh.role = THEIRS
    stakeholder_row_save(actor=ctx["peer"], application_id=row.application_id, row=fresh)


def _feedback_points(ctx: dict) -> tuple[dict, Any]:
    application = ApplicationFactory(hit=ctx["hit"], round=f.RoundFactory(), version=2)
    document = FeedbackDocumentFactory(
        application=application, revision_number=1, status=FeedbackStatus.RELEASED, released_at=timezone.now()
    )
    first = FeedbackPointFactory(document=document, section="stakeholders", text="Social care is missing.")
    FeedbackPointFactory(document=document, section="milestones", text="Date the pilot.")
    return {"pk": application.pk}, first


def _feedback_points_post(row: Any) -> dict:
    second = FeedbackPoint.objects.filter(document=row.document_id).exclude(pk=row.pk).get()
    return {f"point_{row.pk}": TYPED, f"point_{second.pk}": ""}


def _feedback_points_elsewhere(row: Any, ctx: dict) -> None:
    feedback_respond(
        actor=ctx["peer"], application_id=row.document.application_id, responses={row.pk: THEIRS}
    )


def _review(ctx: dict) -> tuple[dict, Any]:
    application = _under_review(ctx)
    assignment = ReviewAssignmentFactory(application=application, reviewer=ctx["user"], declared_none=True)
    ReviewFactory(assignment=assignment, summary="A first impression.")
    return {"pk": assignment.pk}, assignment


def _review_post(row: Any) -> dict:
    data: dict = {"recommendation": "", "summary": TYPED, "intent": "draft"}
    for criterion in criteria_for(is_lay=False):
        data[f"score_{criterion.code}"] = ""
        data[f"comment_{criterion.code}"] = ""
    return data


def _review_elsewhere(row: Any, ctx: dict) -> None:
    review_save(
        actor=ctx["peer"], assignment_id=row.pk, scores=[], recommendation="", summary=THEIRS, submit=False
    )


def _chair_feedback(ctx: dict) -> tuple[dict, Any]:
    application = _under_review(ctx)
    document = FeedbackDocumentFactory(application=application, summary="A first draft.")
    FeedbackPointFactory(document=document, section="ppi", text="Say which decisions carers take part in.")
    return {"pk": application.pk}, application


def _chair_feedback_post(row: Any) -> dict:
    return {
        "summary": TYPED,
        "points-TOTAL_FORMS": "1",
        "points-INITIAL_FORMS": "1",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
        "points-0-section": "ppi",
        "points-0-text": "Say which decisions carers take part in.",
        "points-0-quote_from": "",
        "points-0-quoted_comment": "",
    }


def _chair_feedback_elsewhere(row: Any, ctx: dict) -> None:
    feedback_save(
        actor=ctx["peer"],
        application_id=row.pk,
        summary=THEIRS,
        points=[("ppi", "Say which decisions carers take part in.", "")],
    )


EDIT_CASES = [
    EditCase(
        "accreditation:round-edit",
        "programme_manager",
        _round,
        _round_post,
        _round_elsewhere,
        lambda row: Round.objects.get(pk=row.pk).guidance,
        peer="other_programme_manager",
    ),
    EditCase(
        "accreditation:eoi-edit",
        "applicant",
        _eoi,
        _eoi_post,
        _eoi_elsewhere,
        lambda row: ExpressionOfInterest.objects.get(pk=row.pk).problem,
        peer="applicant",  # only its author edits a draft: the same person in a second tab
    ),
    EditCase(
        "accreditation:application-section",
        "director",
        _section,
        _section_post,
        _section_elsewhere,
        lambda row: ApplicationSection.objects.get(application=row, key="aims").data["aims"],
    ),
    EditCase(
        "accreditation:application-section",
        "director",
        _unsaved_section,
        _section_post,
        _section_elsewhere,
        lambda row: ApplicationSection.objects.get(application=row, key="aims").data["aims"],
        variant=" (a section never saved before)",
    ),
    EditCase(
        "accreditation:stakeholder-edit",
        "director",
        _stakeholder_row,
        _stakeholder_row_post,
        _stakeholder_row_elsewhere,
        lambda row: StakeholderPlanRow.objects.get(pk=row.pk).role,
    ),
    EditCase(
        "accreditation:feedback-respond",
        "director",
        _feedback_points,
        _feedback_points_post,
        _feedback_points_elsewhere,
        lambda row: FeedbackPoint.objects.get(pk=row.pk).response,
    ),
    EditCase(
        "accreditation:review-edit",
        "reviewer",
        _review,
        _review_post,
        _review_elsewhere,
        lambda row: Review.objects.get(assignment=row).summary,
        peer="reviewer",  # only the assigned reviewer writes it: a second tab
    ),
    EditCase(
        "accreditation:feedback-edit",
        "chair",
        _chair_feedback,
        _chair_feedback_post,
        _chair_feedback_elsewhere,
        lambda row: FeedbackDocument.objects.get(application=row).summary,
        peer="chair",
    ),
]

# --- Create pages ------------------------------------------------------------------------------------


def _eoi_setup(ctx: dict) -> None:
    ctx["round"] = f.RoundFactory()


def _table_setup(ctx: dict) -> None:
    ctx["application"] = _draft_application(ctx)
    ctx["category"] = f.StakeholderCategoryFactory(code="PROV")


def _assignment_setup(ctx: dict) -> None:
    ctx["application"] = _under_review(ctx)
    ctx["reviewer"] = ctx["fixture"]("reviewer")


def _panel_setup(ctx: dict) -> None:
    ctx["round"] = f.RoundFactory()


def _seat_setup(ctx: dict) -> None:
    ctx["panel"] = f.PanelFactory()
    user = f.UserFactory(full_name="Nell Newcomer")
    ctx["person"] = f.PersonFactory(user=user, full_name=user.full_name, email=user.email)


CREATE_CASES = [
    CreateCase(
        "accreditation:panel-create",
        "programme_manager",
        lambda ctx: {"round_pk": ctx["round"].pk},
        lambda ctx: {"name": CREATED},
        lambda ctx: Panel.objects.filter(name=CREATED).count(),
        setup=_panel_setup,
        repeatable=False,  # panel names are unique within a round
    ),
    CreateCase(
        "accreditation:panel-seat-add",
        "programme_manager",
        lambda ctx: {"pk": ctx["panel"].pk},
        lambda ctx: {"person": ctx["person"].pk, "role": "reviewer", "comment": CREATED},
        lambda ctx: PanelMember.objects.filter(panel=ctx["panel"]).count(),
        setup=_seat_setup,
        form_page=lambda ctx: reverse("accreditation:panel-detail", args=[ctx["panel"].pk]),
        repeatable=False,  # one seat per person per round
    ),
    CreateCase(
        "accreditation:round-create",
        "programme_manager",
        lambda ctx: {},
        lambda ctx: {
            "name": CREATED,
            "opens_on": _day(1),
            "eoi_deadline": _day(30),
            "application_deadline": _day(90),
            "guidance": "",
            "reviewers_per_application": 2,
            "accreditation_term_years": 3,
        },
        lambda ctx: Round.objects.filter(name=CREATED).count(),
        repeatable=False,  # round names are unique
    ),
    CreateCase(
        "accreditation:eoi-create",
        "applicant",
        lambda ctx: {"round_pk": ctx["round"].pk},
        lambda ctx: {"working_title": CREATED, "intent": "draft", **NO_PARTNERS},
        lambda ctx: ExpressionOfInterest.objects.filter(working_title=CREATED).count(),
        setup=_eoi_setup,
    ),
    CreateCase(
        "accreditation:stakeholder-table",
        "director",
        lambda ctx: {"pk": ctx["application"].pk},
        lambda ctx: {
            "organisation": "",
            "stakeholder": CREATED,
            "category": ctx["category"].pk,
            "role": "Sits on the management group",
            "outcome": "A joined-up pathway",
            "depth": "2",
        },
        lambda ctx: StakeholderPlanRow.objects.filter(stakeholder=CREATED).count(),
        setup=_table_setup,
    ),
    CreateCase(
        "accreditation:assignment-manage",
        "chair",
        lambda ctx: {"pk": ctx["application"].pk},
        lambda ctx: {"reviewer": ctx["reviewer"].pk, "due_on": ""},
        lambda ctx: ReviewAssignment.objects.filter(application=ctx["application"]).count(),
        setup=_assignment_setup,
        repeatable=False,  # a reviewer is assigned to an application once
    ),
]
