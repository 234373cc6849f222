"""Models of the governance room: proposals, the commission, meetings and the logbook."""

from inquiry_hub.governance.models.commission import CommissionVersion, ResearchQuestion
from inquiry_hub.governance.models.logbook import LogbookComment, LogbookEntry
from inquiry_hub.governance.models.meetings import (
    AgendaItem,
    Meeting,
    MeetingComment,
    MeetingKind,
    MeetingRole,
    MinutesRevision,
    meeting_attendees,
)
from inquiry_hub.governance.models.proposals import (
    Position,
    Proposal,
    ProposalComment,
    ProposalKind,
    ProposalReminder,
    ProposalStatus,
    Stance,
)

__all__ = [
    "AgendaItem",
    "CommissionVersion",
    "LogbookComment",
    "LogbookEntry",
    "Meeting",
    "MeetingComment",
    "MeetingKind",
    "MeetingRole",
    "MinutesRevision",
    "Position",
    "Proposal",
    "ProposalComment",
    "ProposalKind",
    "ProposalReminder",
    "ProposalStatus",
    "ResearchQuestion",
    "Stance",
    "meeting_attendees",
]
