"""Models of the governance room: the commission, meetings and the logbook (proposals live in inquiries)."""

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
    "ResearchQuestion",
    "meeting_attendees",
]
