"""What each home page reads: only the tables of the viewer's sections, so a page with little on it stays
cheap to check (core.versions). Its own module, free of views, so HitportalConfig.ready can track them."""

from __future__ import annotations

from django.db.models import Model

from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    Decision,
    ExpressionOfInterest,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    Round,
)
from engagement.models import ActionPlanItem, PublicReview, SupportRequest
from reporting.models import HITFlagState, ProgressReport
from teams.enums import Role
from teams.models import HIT, Membership, Person, User, WorkingGroup
from teams.roles import UserRoles

#: The tables each part of a home page reads (all tracked in HitportalConfig.ready; the worker's stored
#: flags bump their version when written).
_PORTFOLIO = (HIT,)
_PM_SOURCES = (
    HITFlagState,
    HIT,
    ProgressReport,
    Accreditation,
    Application,
    Decision,
    Condition,
    Membership,
    WorkingGroup,
    PublicReview,
    Person,
    User,
    ExpressionOfInterest,
    Round,
    ReviewAssignment,
)
_PPI_SOURCES = (HIT, Membership, HITFlagState, SupportRequest, User)
_MEMBER_SOURCES = (
    HIT,
    ProgressReport,
    ActionPlanItem,
    Person,
    Membership,
    WorkingGroup,
    Application,
    Round,
    Decision,
    Condition,
    Accreditation,
)
_PANEL_SOURCES = (PanelMember, Panel, Round)
_CHAIR_SOURCES = (ExpressionOfInterest, Application, ReviewAssignment, Round, User, HIT)
_REVIEWER_SOURCES = (ReviewAssignment, Review, Application, HIT, Round)


def home_sources(roles: UserRoles) -> list[type[Model]]:
    """What the home page of a viewer with these roles reads: only the tables of their sections, so a
    page with little on it stays cheap to check."""
    models: list[type[Model]] = []
    if roles.has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER):
        models += _PORTFOLIO
    if roles.has(Role.PROGRAMME_MANAGER):
        models += _PM_SOURCES
    if roles.has(Role.PPI_FACILITATOR):
        models += _PPI_SOURCES
    if roles.hit_ids:
        models += _MEMBER_SOURCES
    if roles.panel_ids:
        models += _PANEL_SOURCES
    if roles.chair_round_ids:
        models += _CHAIR_SOURCES
    if roles.has(Role.REVIEWER, Role.LAY_REVIEWER):
        models += _REVIEWER_SOURCES
    if roles.has(Role.APPLICANT, Role.HIT_DIRECTOR, Role.PROGRAMME_MANAGER):
        models += [Round]
    return list(dict.fromkeys(models))


#: Every table any home page reads (tracked by core.versions in HitportalConfig.ready).
HOME_SOURCES: tuple[type[Model], ...] = tuple(
    dict.fromkeys(
        [
            *_PORTFOLIO,
            *_PM_SOURCES,
            *_PPI_SOURCES,
            *_MEMBER_SOURCES,
            *_PANEL_SOURCES,
            *_CHAIR_SOURCES,
            *_REVIEWER_SOURCES,
        ]
    )
)
