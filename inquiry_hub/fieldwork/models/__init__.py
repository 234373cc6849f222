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
from inquiry_hub.fieldwork.models.public_names import PublicName
from inquiry_hub.fieldwork.models.vault import IdentityKey, IdentityReveal
from inquiry_hub.fieldwork.models.withdrawals import ConsentWithdrawal

__all__ = [
    "BlindCoding",
    "Code",
    "Excerpt",
    "Memo",
    "excerpt_codes",
    "Consent",
    "ConsentStatus",
    "ConsentWithdrawal",
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
    "PublicName",
    "Quotation",
    "SamplingTarget",
]

# The hook that hides the material of a pending withdrawal from every query.
from inquiry_hub.fieldwork.models import hiding  # noqa: E402,F401
