"""Models of the base room: cohorts, partners, inquiries, memberships, phases, and how a team decides
(proposals and positions, which the collective-action engine writes)."""

from inquiry_hub.inquiries.models.inquiries import (
    DEFAULT_PHASES,
    LEGAL_FORMS,
    Cohort,
    GovernanceRule,
    Inquiry,
    Membership,
    Organisation,
    Phase,
)
from inquiry_hub.inquiries.models.proposals import (
    Position,
    Proposal,
    ProposalComment,
    ProposalKind,
    ProposalReminder,
    ProposalStatus,
    Stance,
)

__all__ = [
    "DEFAULT_PHASES",
    "LEGAL_FORMS",
    "Cohort",
    "GovernanceRule",
    "Inquiry",
    "Membership",
    "Organisation",
    "Phase",
    "Position",
    "Proposal",
    "ProposalComment",
    "ProposalKind",
    "ProposalReminder",
    "ProposalStatus",
    "Stance",
]
