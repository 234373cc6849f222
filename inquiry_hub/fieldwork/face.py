"""The fieldwork room's face: the only functions other rooms call (they never read its tables).

Follow-up and governance ask for counts only, each for many inquiries or questions in one
grouped query; what an interview status means stays here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from inquiry_hub import policy
from inquiry_hub.accounts.models import User
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import (
    Code,
    Excerpt,
    IdentityKey,
    IdentityReveal,
    Interview,
    InterviewFile,
    InterviewStatus,
    Note,
    PublicName,
    SamplingTarget,
)
from inquiry_hub.fieldwork.models.hiding import SEE_WITHDRAWN
from inquiry_hub.fieldwork.services import identity
from inquiry_hub.fieldwork.services import interviews as interview_services
from inquiry_hub.storage import delete_after_commit

#: ``Code``, ``Excerpt``, ``Interview``, ``Note`` and ``InterviewStatus`` are published for other
#: rooms to hold and load by id through the policy, never to query: ask a function here instead.
__all__ = [
    "CONDUCTED",
    "Code",
    "Excerpt",
    "Interview",
    "InterviewStatus",
    "Note",
    "code_in_inquiry",
    "codes_query",
    "count_by_question",
    "excerpts_by_coder",
    "identity_reveals",
    "interview_burnup_days",
    "interview_counts",
    "interviews_query",
    "interviewee_profiles",
    "notes_by_author",
    "notes_query",
    "public_name_or_404",
    "purge_identities",
    "pseudonyms",
    "sampling_targets",
]

#: Interview statuses that mean the interview took place.
CONDUCTED = (InterviewStatus.CONDUCTED, InterviewStatus.TRANSCRIBED, InterviewStatus.CODED)


@dataclass
class InterviewCounts:
    """An inquiry's interviews (purged ones left out): planned, conducted, coded."""

    planned: int = 0
    conducted: int = 0
    coded: int = 0


def interview_counts(inquiry_ids) -> dict[int, InterviewCounts]:
    """inquiry id → its interview counts, in one query (tutor's view)."""
    counts: dict[int, InterviewCounts] = defaultdict(InterviewCounts)
    for inquiry_id, status, n in db.session.execute(
        select(Interview.inquiry_id, Interview.status, func.count())
        .where(Interview.inquiry_id.in_(inquiry_ids), Interview.purged_at.is_(None))
        .group_by(Interview.inquiry_id, Interview.status)
    ):
        row = counts[inquiry_id]
        if status == InterviewStatus.PLANNED:
            row.planned += n
        if status in CONDUCTED:
            row.conducted += n
        if status == InterviewStatus.CODED:
            row.coded += n
    return dict(counts)


def sampling_targets(inquiry_ids) -> dict[int, int]:
    """The sampling target of each inquiry: the largest total over its profile attributes."""
    rows = db.session.execute(
        select(SamplingTarget.inquiry_id, SamplingTarget.attribute_id, func.sum(SamplingTarget.target))
        .where(SamplingTarget.inquiry_id.in_(inquiry_ids))
        .group_by(SamplingTarget.inquiry_id, SamplingTarget.attribute_id)
    ).all()
    targets: dict[int, int] = defaultdict(int)
    for inquiry_id, _attribute, total in rows:
        targets[inquiry_id] = max(targets[inquiry_id], int(total or 0))
    return dict(targets)


def interview_burnup_days(inquiry) -> tuple[list[date], list[date]]:
    """Interview days: planned (the earliest date known of it) and conducted (the day it took place)."""
    rows = db.session.execute(
        select(Interview.created_at, Interview.planned_on, Interview.conducted_on, Interview.status).where(
            Interview.inquiry_id == inquiry.id, Interview.purged_at.is_(None)
        )
    ).all()
    planned = [min(d for d in (created.date(), on, done) if d is not None) for created, on, done, _ in rows]
    conducted = [done or created.date() for created, _, done, status in rows if status in CONDUCTED]
    return planned, conducted


def notes_by_author(inquiry, user_ids) -> dict[int, int]:
    """user id → notes written in this inquiry (the team's contributions)."""
    return _grouped(
        select(Note.author_id, func.count())
        .where(Note.inquiry_id == inquiry.id, Note.author_id.in_(user_ids))
        .group_by(Note.author_id)
    )


def excerpts_by_coder(inquiry, user_ids) -> dict[int, int]:
    """user id → excerpts coded in this inquiry (the team's contributions)."""
    return _grouped(
        select(Excerpt.coder_id, func.count())
        .where(Excerpt.inquiry_id == inquiry.id, Excerpt.coder_id.in_(user_ids))
        .group_by(Excerpt.coder_id)
    )


@dataclass
class QuestionCounts:
    """What fieldwork holds for one research question."""

    interviews_planned: int = 0
    interviews_conducted: int = 0
    excerpts: int = 0


def count_by_question(question_ids) -> dict[int, QuestionCounts]:
    """research question id → its interviews (planned / not) and their excerpts, in two queries."""
    counts: dict[int, QuestionCounts] = defaultdict(QuestionCounts)
    planned = func.sum(case((Interview.status == InterviewStatus.PLANNED, 1), else_=0))
    for question_id, count, waiting in db.session.execute(
        select(Interview.research_question_id, func.count(Interview.id), planned)
        .where(Interview.research_question_id.in_(question_ids), Interview.purged_at.is_(None))
        .group_by(Interview.research_question_id)
    ):
        counts[question_id].interviews_planned = int(waiting or 0)
        counts[question_id].interviews_conducted = count - int(waiting or 0)
    for question_id, count in db.session.execute(
        select(Interview.research_question_id, func.count(Excerpt.id))
        .join(Note, Excerpt.note_id == Note.id)
        .join(Interview, Note.interview_id == Interview.id)
        .where(Interview.research_question_id.in_(question_ids), Interview.purged_at.is_(None))
        .group_by(Interview.research_question_id)
    ):
        counts[question_id].excerpts = count
    return dict(counts)


def codes_query(inquiry):
    """The codebook by position then name (API)."""
    return (
        select(Code)
        .where(Code.inquiry_id == inquiry.id)
        .order_by(Code.position, func.lower(Code.name), Code.id)
    )


def code_in_inquiry(inquiry, code_id: int) -> Code | None:
    """A code of this inquiry by id, or None."""
    return db.session.scalar(select(Code).where(Code.id == code_id, Code.inquiry_id == inquiry.id))


def interviews_query(inquiry):
    """The inquiry's interviews by pseudonym, with interviewers and consent (API)."""
    return (
        select(Interview)
        .where(Interview.inquiry_id == inquiry.id)
        .options(db.selectinload(Interview.interviewers), db.selectinload(Interview.consent))
        .order_by(Interview.pseudonym, Interview.id)
    )


def notes_query(interview):
    """An interview's notes and transcripts, newest first (API)."""
    return (
        select(Note)
        .where(Note.inquiry_id == interview.inquiry_id, Note.interview_id == interview.id)
        .order_by(Note.written_on.desc(), Note.id.desc())
    )


def pseudonyms(inquiry) -> list[str]:
    """Every pseudonym of the inquiry (never a warning in the pre-share check)."""
    return list(db.session.scalars(select(Interview.pseudonym).where(Interview.inquiry_id == inquiry.id)))


def interviewee_profiles(inquiry) -> list[dict]:
    """The profiles of the inquiry's interviewees (interviews held, not withdrawn)."""
    rows = db.session.scalars(
        select(Interview)
        .where(Interview.inquiry_id == inquiry.id, Interview.status != InterviewStatus.PLANNED)
        # ``withdrawn`` reads the consent: one query for all, not one per interviewee.
        .options(db.selectinload(Interview.consent))
    )
    return [dict(i.profile or {}) for i in rows if not i.withdrawn]


def public_name_or_404(inquiry, name_id: int):
    """A name the team made public in this inquiry, by id; 404 otherwise."""
    return policy.get_in_inquiry_or_404(PublicName, inquiry, name_id)


def identity_reveals(inquiry, limit: int) -> list[tuple]:
    """(revealed at, who — None once their account is gone, pseudonym), newest first (audit page)."""
    return list(
        db.session.execute(
            select(IdentityReveal.revealed_at, User.name, Interview.pseudonym)
            .join(Interview, Interview.id == IdentityReveal.interview_id)
            .outerjoin(User, User.id == IdentityReveal.user_id)
            .where(IdentityReveal.inquiry_id == inquiry.id)
            .order_by(IdentityReveal.revealed_at.desc())
            .limit(limit)
        ).all()
    )


@dataclass
class PurgeCounts:
    """What a retention purge deleted, for the privacy room's log."""

    identity_keys: int = 0
    consent_forms: int = 0
    other_files: int = 0
    notes: int = 0


def purge_identities(inquiry, *, keep_notes: bool) -> PurgeCounts:
    """Delete the inquiry's identity keys and files; its notes too, unless ``keep_notes`` and the
    interviewee allowed archiving. Stored files nothing references any more go after commit."""
    keys = db.session.scalars(select(IdentityKey.id).where(IdentityKey.inquiry_id == inquiry.id)).all()
    # Material hidden by a pending withdrawal of consent is purged like the rest.
    all_files = (
        select(InterviewFile).where(InterviewFile.inquiry_id == inquiry.id).execution_options(**SEE_WITHDRAWN)
    )
    files = list(db.session.scalars(all_files))
    counts = PurgeCounts(
        identity_keys=len(keys),
        consent_forms=sum(1 for f in files if f.kind == "consent_form"),
        other_files=sum(1 for f in files if f.kind != "consent_form"),
    )
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.inquiry_id == inquiry.id)
        .options(db.selectinload(Interview.consent))
    ).all()
    for interview in interviews:
        # Notes are kept only where the team chose to and the interviewee allowed archiving.
        if keep_notes and interview_services.archiving_allowed(interview):
            identity.purge_identity(interview)
        else:
            notes = (
                select(Note.id).where(Note.interview_id == interview.id).execution_options(**SEE_WITHDRAWN)
            )
            counts.notes += len(db.session.scalars(notes).all())
            interview_services.purge_material(interview)
        interview.purged_at = utcnow()
    # What purge_material left behind (notes archived, files of interviews kept for their notes).
    digests = {f.sha256 for f in files}
    for row in db.session.scalars(all_files).all():
        db.session.delete(row)
    db.session.flush()
    referenced = select(InterviewFile.sha256).where(InterviewFile.sha256.in_(digests))
    still = set(db.session.scalars(referenced.execution_options(**SEE_WITHDRAWN)))
    delete_after_commit(sorted(digests - still))
    return counts


def _grouped(query) -> dict[int, int]:
    return {key: int(n) for key, n in db.session.execute(query) if key is not None}
