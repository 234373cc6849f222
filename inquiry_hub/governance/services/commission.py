"""The commission: the partner's versioned brief, co-decided with the partner.

A partner's amendment goes through the team's rule; a student's amendment also needs the partner:
the partner reads it on the commission page, is notified, and agrees, disagrees or blocks there.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.deliverables import face as deliverables_face
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork_face
from inquiry_hub.governance.models import CommissionVersion, ResearchQuestion
from inquiry_hub.governance.models.commission import COMMISSION_FIELDS, parse_questions
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Position, Proposal, ProposalStatus, Stance
from inquiry_hub.tasks import face as tasks_face
from inquiry_hub.urls import path_for

ACTION = "commission.amend"
#: What a partner may answer on an amendment of its brief (no abstention: the brief is theirs).
PARTNER_STANCES = (Stance.AGREE, Stance.DISAGREE, Stance.BLOCK)


def current(inquiry) -> CommissionVersion | None:
    """The accepted version both the team and the partner see."""
    return db.session.scalar(
        select(CommissionVersion)
        .where(CommissionVersion.inquiry_id == inquiry.id)
        .order_by(CommissionVersion.version.desc())
        .limit(1)
    )


def history(inquiry) -> list[CommissionVersion]:
    """Every accepted version, newest first."""
    return list(
        db.session.scalars(
            select(CommissionVersion)
            .where(CommissionVersion.inquiry_id == inquiry.id)
            .options(db.joinedload(CommissionVersion.proposed_by))
            .order_by(CommissionVersion.version.desc())
        )
    )


def pending(inquiry) -> list[Proposal]:
    """Amendments waiting for a decision (the team's, and the partner's for a student's)."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.inquiry_id == inquiry.id,
                Proposal.action == ACTION,
                Proposal.status == ProposalStatus.OPEN,
            )
            .options(db.selectinload(Proposal.positions).joinedload(Position.user))
            .order_by(Proposal.created_at)
        )
    )


def partner_positions(proposal) -> list[Position]:
    """The co-deciders' positions on an amendment (never the team's, which stay internal)."""
    ids = {u.id for u in engine.co_deciders(proposal.inquiry)}
    return [p for p in proposal.positions if p.user_id in ids]


def partner_position(proposal, partner, stance: str, reason: str = "") -> Position:
    """The partner agrees, disagrees or blocks a student's amendment of its brief."""
    if proposal.action != ACTION or not proposal.co_decided:
        raise engine.ActionFailed(str(_l("This amendment is decided by the team.")))
    if stance not in PARTNER_STANCES:
        raise engine.ActionFailed(str(_l("Choose agree, disagree or block.")))
    return engine.take_position(proposal, partner, stance, reason)


def amendment_payload(fields: dict, note: str, base_version: int) -> dict:
    """What an amendment proposal stores: the whole new brief and why it changes."""
    payload = {name: (fields.get(name) or "").strip() for name in COMMISSION_FIELDS}
    return {**payload, "note": (note or "").strip(), "base_version": base_version}


def propose_amendment(inquiry, actor, fields: dict, note: str):
    """Start the collective action; returns the proposal, or None when it applied at once."""
    base = current(inquiry)
    payload = amendment_payload(fields, note, base.version if base else 0)
    return engine.start(inquiry, actor, ACTION, payload)


def _describe(payload: dict) -> str:
    note = (payload.get("note") or "").strip().splitlines()
    return str(_l("Amend the commission")) + (f": {note[0][:150]}" if note else "")


def _validate(inquiry, payload: dict) -> None:
    if not any((payload.get(name) or "").strip() for name in COMMISSION_FIELDS):
        raise engine.ActionFailed(str(_l("The commission cannot be empty.")))


def _student_amends(inquiry, author) -> bool:
    # Anyone but a co-decider amending (a student, the system) needs the partner's agreement.
    return author is None or not policy.can(author, engine.CO_DECIDE, inquiry)


def _page(inquiry) -> str:
    return path_for("commission.index", inquiry_id=inquiry.id)


@engine.collective_action(
    ACTION,
    describe=_describe,
    validate=_validate,
    co_decision=engine.CoDecision(needed=_student_amends, page=_page),
)
def apply_amendment(inquiry, payload: dict, actor) -> None:
    """Store the amended brief as the new accepted version."""
    _validate(inquiry, payload)
    latest = db.session.scalar(
        select(func.max(CommissionVersion.version)).where(CommissionVersion.inquiry_id == inquiry.id)
    )
    version = CommissionVersion(
        inquiry_id=inquiry.id,
        version=(latest or 0) + 1,
        note=payload.get("note", ""),
        proposed_by_id=actor.id if actor else None,
        **{name: payload.get(name, "") for name in COMMISSION_FIELDS},
    )
    db.session.add(version)
    db.session.flush()
    sync_questions(inquiry, parse_questions(version.research_questions))
    activity.record(inquiry, actor, "commission.amended", version, summary=_describe(payload))


# --- research questions -----------------------------------------------------------------


def questions(inquiry, *, include_retired: bool = False) -> list[ResearchQuestion]:
    """The questions of the accepted brief, in its order (retired ones last, when asked for)."""
    query = select(ResearchQuestion).where(ResearchQuestion.inquiry_id == inquiry.id)
    if not include_retired:
        query = query.where(ResearchQuestion.retired_at.is_(None))
    return list(
        db.session.scalars(
            query.order_by(ResearchQuestion.retired_at.is_not(None), ResearchQuestion.position)
        )
    )


def sync_questions(inquiry, texts: list[str]) -> list[ResearchQuestion]:
    """Make the question rows match an accepted brief; returns the active ones in order.

    A question whose text is unchanged keeps its row (and its links), wherever it moved; a changed
    text at the same place updates that question; a new one gets the next number; a question the
    brief dropped is retired, never deleted, so what was linked to it stays linked. A retired
    question whose exact text comes back is active again.
    """
    rows = questions(inquiry, include_retired=True)
    active = [q for q in rows if not q.retired]
    by_text = {q.text: q for q in active}
    by_text.update({q.text: q for q in rows if q.retired and q.text not in by_text})
    chosen: list[ResearchQuestion | None] = [by_text.get(text) for text in texts]
    taken = {id(q) for q in chosen if q is not None}
    for index, text in enumerate(texts):
        if chosen[index] is None and index < len(active) and id(active[index]) not in taken:
            chosen[index] = active[index]
            taken.add(id(active[index]))
            active[index].text = text
    number = max((q.number for q in rows), default=0)
    now = utcnow()
    for index, text in enumerate(texts):
        question = chosen[index]
        if question is None:
            number += 1
            question = ResearchQuestion(inquiry_id=inquiry.id, number=number, text=text)
            db.session.add(question)
            chosen[index] = question
        question.position = index
        question.retired_at = None
    for question in rows:
        if id(question) not in taken and question.retired_at is None:
            question.retired_at = now
    db.session.flush()
    return [q for q in chosen if q is not None]


def question_choices(inquiry, current_id: int | None = None) -> list[tuple]:
    """Select choices: none, then the active questions; a retired one only if already linked."""
    rows = [
        q
        for q in questions(inquiry, include_retired=current_id is not None)
        if not q.retired or q.id == current_id
    ]
    return [("", _l("No research question"))] + [(q.id, question_title(q)) for q in rows]


def question_title(question: ResearchQuestion, width: int = 90) -> str:
    """The question as "Q2 — text", shortened; marked when a later brief retired it."""
    text = question.text if len(question.text) <= width else question.text[: width - 1] + "…"
    title = f"{question.label} — {text}"
    return f"{title} ({_l('retired')})" if question.retired else title


@dataclass
class Coverage:
    """What serves one question so far; the fieldwork figures are None for who may not see them."""

    question: ResearchQuestion
    deliverables: int = 0
    tasks_open: int | None = None
    tasks_done: int | None = None
    interviews_planned: int | None = None
    interviews_conducted: int | None = None
    excerpts: int | None = None


def coverage(inquiry, user) -> list[Coverage]:
    """Per active question: linked tasks, interviews, their coded excerpts, deliverables.

    A fixed number of grouped queries whatever the number of questions. The team and the tutor
    see every figure; anyone else (the partner) only the deliverables shared with them, since
    even counts of interviews are field material. Each room's face answers for all the
    questions at once: one grouped query per room instead of one call per question.
    """
    rows = {q.id: Coverage(q) for q in questions(inquiry)}
    if not rows:
        return []
    internal = policy.can(user, "fieldwork.view", inquiry)
    ids = list(rows)
    for question_id, count in deliverables_face.count_by_question(ids, shared_only=not internal).items():
        rows[question_id].deliverables = count
    if not internal:
        return list(rows.values())
    for row in rows.values():
        row.tasks_open = row.tasks_done = row.interviews_planned = row.interviews_conducted = 0
        row.excerpts = 0
    for question_id, (count, finished) in tasks_face.count_by_question(ids).items():
        rows[question_id].tasks_done = finished
        rows[question_id].tasks_open = count - finished
    for question_id, counts in fieldwork_face.count_by_question(ids).items():
        rows[question_id].interviews_planned = counts.interviews_planned
        rows[question_id].interviews_conducted = counts.interviews_conducted
        rows[question_id].excerpts = counts.excerpts
    return list(rows.values())


activity.register_verbs({"commission.amended": _l("amended the commission")})
