"""A factory-boy factory for every model. Traits set workflow states; nothing has hidden side effects."""

from tests.factories.accreditation import (
    PanelFactory,
    PanelMemberFactory,
    PanelSeatEventFactory,
    RoundFactory,
)
from tests.factories.teams import (
    AffiliationFactory,
    DocumentTypeFactory,
    HITFactory,
    HITStatusChangeFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationTypeFactory,
    OutcomeDomainFactory,
    PersonFactory,
    PortfolioSnapshotFactory,
    RoleAssignmentFactory,
    StakeholderCategoryFactory,
    ThemeFactory,
    UserFactory,
    WorkingGroupFactory,
)

__all__ = [
    "AffiliationFactory",
    "DocumentTypeFactory",
    "HITFactory",
    "HITStatusChangeFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "OrganisationTypeFactory",
    "OutcomeDomainFactory",
    "PanelFactory",
    "PanelMemberFactory",
    "PanelSeatEventFactory",
    "PersonFactory",
    "PortfolioSnapshotFactory",
    "RoleAssignmentFactory",
    "RoundFactory",
    "StakeholderCategoryFactory",
    "ThemeFactory",
    "UserFactory",
    "WorkingGroupFactory",
]
