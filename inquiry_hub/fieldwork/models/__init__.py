"""Field material of an inquiry: interviews, consent, the identity vault, notes, guide, sampling."""

from inquiry_hub.fieldwork.models.coding import BlindCoding, Code, Excerpt, Memo, excerpt_codes
from inquiry_hub.fieldwork.models.interviews import (
    Consent,
    ConsentStatus,
    Interview,
    InterviewFile,
    InterviewStatus,
    ProfileAttribute,
    Quotation,
)
from inquiry_hub.fieldwork.models.notes import Note, NoteComment, NoteRevision
from inquiry_hub.fieldwork.models.planning import InterviewGuide, SamplingTarget
from inquiry_hub.fieldwork.models.vault import IdentityKey, IdentityReveal

__all__ = [
    "BlindCoding",
    "Code",
    "Excerpt",
    "Memo",
    "excerpt_codes",
    "Consent",
    "ConsentStatus",
    "IdentityKey",
    "IdentityReveal",
    "Interview",
    "InterviewFile",
    "InterviewGuide",
    "InterviewStatus",
    "Note",
    "NoteComment",
    "NoteRevision",
    "ProfileAttribute",
    "Quotation",
    "SamplingTarget",
]
