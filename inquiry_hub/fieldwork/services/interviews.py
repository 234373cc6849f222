"""Interviews, profile attributes, consent terms, files, withdrawal and deletion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure, pseudonymise, recordings
from inquiry_hub.fieldwork.models import (
    Consent,
    ConsentStatus,
    Interview,
    InterviewFile,
    Note,
    ProfileAttribute,
)
from inquiry_hub.fieldwork.models.hiding import SEE_WITHDRAWN
from inquiry_hub.fieldwork.services import identity
from inquiry_hub.filecheck import sniffed_type
from inquiry_hub.inquiries.engine import ActionFailed, collective_action
from inquiry_hub.storage import delete_after_commit, get_storage


class DuplicatePseudonym(ValueError):
    """Another interview of the inquiry already uses this pseudonym."""


class RecordingRefused(ValueError):
    """An audio or video file for an interview whose consent does not allow recording."""


# --- profile attributes -----------------------------------------------------------------


def attributes_of(inquiry) -> list[ProfileAttribute]:
    return list(
        db.session.scalars(
            select(ProfileAttribute)
            .where(ProfileAttribute.inquiry_id == inquiry.id)
            .order_by(ProfileAttribute.position, ProfileAttribute.id)
        )
    )


def split_values(text: str) -> list[str]:
    """Categories or ranges typed one per line or comma-separated, without duplicates."""
    seen: dict[str, None] = {}
    for value in (text or "").replace(",", "\n").splitlines():
        if value.strip():
            seen.setdefault(value.strip()[:80], None)
    return list(seen)


def save_attribute(inquiry, actor, name: str, values: str, attribute=None) -> ProfileAttribute:
    """Create or change a profile attribute and its allowed values."""
    if attribute is None:
        attribute = ProfileAttribute(inquiry_id=inquiry.id, position=len(attributes_of(inquiry)))
        db.session.add(attribute)
    attribute.name = name.strip()
    attribute.values = split_values(values)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.attribute_saved", attribute, summary=attribute.name)
    return attribute


# --- interviews -------------------------------------------------------------------------


def interviews_of(inquiry) -> list[Interview]:
    """Every interview of the inquiry with what the list shows, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.inquiry_id == inquiry.id)
            .options(db.selectinload(Interview.consent), db.selectinload(Interview.interviewers))
            .order_by(Interview.pseudonym)
        )
    )


def interview_choices(inquiry) -> list[tuple[int, str]]:
    """(id, pseudonym) of every interview, for filters: no objects, no identity."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Interview.id, Interview.pseudonym)
            .where(Interview.inquiry_id == inquiry.id)
            .order_by(Interview.pseudonym)
        )
    ]


def interviewer_choices(inquiry) -> list:
    """Members who may conduct interviews: those whose role edits field material."""
    return policy.members_who_can(inquiry, "fieldwork.edit")


def pseudonym_taken(inquiry, pseudonym: str, exclude_id: int | None = None) -> bool:
    query = select(Interview.id).where(
        Interview.inquiry_id == inquiry.id, func.lower(Interview.pseudonym) == pseudonym.strip().lower()
    )
    if exclude_id is not None:
        query = query.where(Interview.id != exclude_id)
    return db.session.scalar(query) is not None


def _apply(interview: Interview, values: dict) -> None:
    names = ("pseudonym", "status", "planned_on", "conducted_on", "place", "duration_minutes", "guide")
    for name in (*names, "research_question_id"):
        if name in values:
            setattr(interview, name, values[name])
    if "interviewers" in values:
        interview.interviewers = list(values["interviewers"])
    if "profile" in values:
        interview.profile = {str(k): v for k, v in values["profile"].items() if v}


def create_interview(inquiry, actor, values: dict) -> Interview:
    """A new interview with empty consent terms; raises DuplicatePseudonym."""
    values = {**values, "pseudonym": values["pseudonym"].strip()}
    if pseudonym_taken(inquiry, values["pseudonym"]):
        raise DuplicatePseudonym(values["pseudonym"])
    interview = Interview(inquiry_id=inquiry.id, created_by_id=actor.id, consent=Consent())
    _apply(interview, values)
    db.session.add(interview)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.interview_created", interview, summary=interview.pseudonym)
    return interview


def update_interview(interview: Interview, actor, values: dict) -> None:
    """Change an interview's details; raises DuplicatePseudonym."""
    if "pseudonym" in values:
        values = {**values, "pseudonym": values["pseudonym"].strip()}
        if pseudonym_taken(interview.inquiry, values["pseudonym"], exclude_id=interview.id):
            raise DuplicatePseudonym(values["pseudonym"])
    _apply(interview, values)
    db.session.flush()
    activity.record(
        interview.inquiry, actor, "fieldwork.interview_edited", interview, summary=interview.pseudonym
    )


def consent_of(interview: Interview) -> Consent:
    if interview.consent is None:
        interview.consent = Consent()
    return interview.consent


def update_consent(interview: Interview, actor, values: dict, form_file=None) -> Consent:
    """Record the consent terms, and the signed form when one is uploaded."""
    consent = consent_of(interview)
    for name in (
        "status",
        "given_on",
        "notice_version",
        "recording_allowed",
        "quotation",
        "archiving_allowed",
    ):
        setattr(consent, name, values[name])
    if form_file is not None:
        add_file(interview, actor, form_file, kind="consent_form")
    db.session.flush()
    activity.record(
        interview.inquiry, actor, "fieldwork.consent_updated", interview, summary=interview.pseudonym
    )
    disclosure.material_changed(interview.inquiry)
    return consent


def archiving_allowed(interview: Interview) -> bool:
    """Whether the interviewee agreed (orally or in writing, not withdrawn) to the archiving of the material."""
    consent = interview.consent
    return bool(
        consent is not None
        and consent.archiving_allowed
        and consent.status in (ConsentStatus.ORAL, ConsentStatus.WRITTEN)
        and interview.purged_at is None
    )


def recording_allowed(interview: Interview) -> bool:
    """Whether the interviewee agreed to be recorded (audio or video files may be attached)."""
    return bool(interview.consent is not None and interview.consent.recording_allowed)


def add_file(interview: Interview, actor, upload, kind: str = "attachment") -> InterviewFile:
    """Store an uploaded file (werkzeug FileStorage) content-addressed, and its row.

    Raises RecordingRefused, storing nothing, for a recording the consent does not allow.
    """
    data = upload.read()
    # The signed form is a scan or a PDF: only attachments can be recordings.
    refused = kind == "attachment" and not recording_allowed(interview)
    if refused and recordings.is_recording(upload.filename or "", upload.mimetype or "", data[:8192]):
        raise RecordingRefused(
            str(
                _l(
                    "The consent of %(pseudonym)s does not allow recording: audio and video files "
                    "cannot be attached to this interview.",
                    pseudonym=interview.pseudonym,
                )
            )
        )
    names = identity.names_by_pseudonym(interview.inquiry)
    digest = get_storage().save(data)
    row = InterviewFile(
        inquiry_id=interview.inquiry_id,
        interview_id=interview.id,
        kind=kind,
        sha256=digest,
        # A file name often carries the person's name: it gets the pseudonym like any text.
        filename=pseudonymise.replace_names(upload.filename or "file", names).text[-200:],
        # What the bytes are, not what the uploader's browser claimed.
        mimetype=sniffed_type(data)[:100],
        size=len(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    if kind == "attachment":
        activity.record(
            interview.inquiry, actor, "fieldwork.file_attached", interview, summary=interview.pseudonym
        )
    return row


def _unreferenced(digests: set[str]) -> list[str]:
    """Among these digests, those no remaining row points to (files are shared by content)."""
    if not digests:
        return []
    query = select(InterviewFile.sha256).where(InterviewFile.sha256.in_(digests))
    still = set(db.session.scalars(query.execution_options(**SEE_WITHDRAWN)))
    return sorted(digests - still)


def purge_material(interview: Interview) -> None:
    """Delete the identity key, files and notes of an interview, hidden or not; files leave after commit."""
    identity.purge_identity(interview)
    files = db.session.scalars(
        select(InterviewFile)
        .where(InterviewFile.interview_id == interview.id)
        .execution_options(**SEE_WITHDRAWN)
    ).all()
    digests = {f.sha256 for f in files}
    for row in files:
        db.session.delete(row)
    notes = select(Note).where(Note.interview_id == interview.id).execution_options(**SEE_WITHDRAWN)
    for note in db.session.scalars(notes).all():
        db.session.delete(note)
    db.session.flush()
    delete_after_commit(_unreferenced(digests))


# --- deletion: a collective action --------------------------------------------------------


def _describe_delete(payload: dict):
    if payload.get("kind") == "note":
        return _l("Delete the note “%(title)s”", title=payload.get("title", ""))
    return _l("Delete interview %(pseudonym)s and its material", pseudonym=payload.get("pseudonym", ""))


def _target(inquiry, payload: dict):
    model = Note if payload.get("kind") == "note" else Interview
    obj = db.session.get(model, int(payload.get("id") or 0))
    if obj is None or obj.inquiry_id != inquiry.id:
        raise ActionFailed(str(_l("This field material no longer exists.")))
    return obj


def _validate_delete(inquiry, payload: dict) -> None:
    _target(inquiry, payload)


@collective_action("fieldwork.delete", describe=_describe_delete, validate=_validate_delete)
def delete_action(inquiry, payload: dict, actor) -> None:
    """Delete an interview (with all its material) or one note."""
    obj = _target(inquiry, payload)
    if isinstance(obj, Interview):
        purge_material(obj)
        activity.record(inquiry, actor, "fieldwork.interview_deleted", summary=obj.pseudonym)
    else:
        activity.record(inquiry, actor, "fieldwork.note_deleted", summary=obj.title)
    db.session.delete(obj)
    db.session.flush()
    if isinstance(obj, Interview):
        # Its vault names and consent are gone: what quotes it must be checked again.
        disclosure.material_changed(inquiry)


def delete_payload(obj) -> dict:
    """The stored payload of the deletion of an interview or a note."""
    if isinstance(obj, Note):
        return {"kind": "note", "id": obj.id, "title": obj.title}
    return {"kind": "interview", "id": obj.id, "pseudonym": obj.pseudonym}
