"""Free proposals, their discussion, outcomes, the decision log and the reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import insert_once, utcnow
from inquiry_hub.export_rows import csv_text
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Position, Proposal, ProposalComment, ProposalReminder, ProposalStatus
from inquiry_hub.urls import path_for

STATUSES = tuple(str(s) for s in ProposalStatus)
REMINDER_BEFORE = timedelta(hours=24)


def open_proposal(inquiry, author, *, title, body, kind, deadline, hide_positions=False) -> Proposal:
    """A free proposal: text, kind, deadline, and whether positions stay hidden until then."""
    proposal = engine.open_free_proposal(inquiry, author, title.strip(), body or "", kind, deadline)
    proposal.hide_positions = bool(hide_positions)
    db.session.flush()
    return proposal


def proposals_of(inquiry, status: str | None = None) -> list[Proposal]:
    """Free proposals and collective actions in one list, newest first, optionally by status."""
    query = (
        select(Proposal)
        .where(Proposal.inquiry_id == inquiry.id)
        .options(db.selectinload(Proposal.positions), db.joinedload(Proposal.author))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )
    if status in STATUSES:
        query = query.where(Proposal.status == status)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PositionView:
    """What a reader may know of one voter's position."""

    user: object
    position: Position | None
    hidden: bool


def positions_for(proposal, viewer, voters, now: datetime | None = None) -> list[PositionView]:
    """Every voter with the position the viewer may see: only their own while hidden."""
    hidden = proposal.positions_hidden_at(now or utcnow())
    by_user = {p.user_id: p for p in proposal.positions}
    views = []
    for user in voters:
        position = by_user.get(user.id)
        secret = hidden and user.id != getattr(viewer, "id", None)
        views.append(PositionView(user, None if secret else position, secret))
    return views


def positions_json(proposal, viewer, voters, now: datetime | None = None) -> dict:
    """The proposal's positions as JSON, hiding what the page hides."""
    views = positions_for(proposal, viewer, voters, now)
    return {
        "id": proposal.id,
        "status": proposal.status,
        "kind": proposal.kind,
        "deadline": proposal.deadline.isoformat(),
        "positions_hidden": any(v.hidden for v in views),
        "positions": [
            {
                "user": {"id": v.user.id, "name": v.user.name},
                "stance": v.position.stance if v.position else None,
                "reason": v.position.reason if v.position else None,
                "hidden": v.hidden,
            }
            for v in views
        ],
    }


def add_comment(proposal, author, body: str) -> ProposalComment:
    """A message in the proposal's discussion thread."""
    comment = ProposalComment(proposal=proposal, author_id=author.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    activity.record(proposal.inquiry, author, "decisions.commented", proposal, summary=proposal.title)
    return comment


def write_outcome(proposal, author, text: str) -> None:
    """The author of a closed free proposal writes what was decided."""
    proposal.outcome = text.strip()
    db.session.flush()
    activity.record(proposal.inquiry, author, "decisions.outcome", proposal, summary=proposal.title)


def decision_log(inquiry, q: str = "") -> list[Proposal]:
    """Closed proposals with their outcomes, newest first, filtered by words of title/body/outcome."""
    query = (
        select(Proposal)
        .where(Proposal.inquiry_id == inquiry.id, Proposal.status != ProposalStatus.OPEN)
        .options(db.joinedload(Proposal.author))
        .order_by(Proposal.closed_at.desc(), Proposal.id.desc())
    )
    for word in q.split()[:10]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(Proposal.title.ilike(pattern), Proposal.body.ilike(pattern), Proposal.outcome.ilike(pattern))
        )
    return list(db.session.scalars(query))


STATUS_LABELS = {
    "open": _l("open"),
    "passed": _l("passed"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
}


def _row(proposal) -> dict[str, str]:
    return {
        "closed_on": proposal.closed_at.date().isoformat() if proposal.closed_at else "",
        "title": engine.title_of(proposal),
        "kind": proposal.kind,
        "status": str(STATUS_LABELS.get(proposal.status, proposal.status)),
        "author": proposal.author.name if proposal.author else "",
        "outcome": proposal.outcome,
    }


def log_as_csv(proposals) -> str:
    """The decision log as CSV (one row per decision)."""
    fields = ["closed_on", "title", "kind", "status", "author", "outcome"]
    return csv_text(fields, ([_row(p)[k] for k in fields] for p in proposals))


def log_as_markdown(inquiry, proposals) -> str:
    """The decision log as a Markdown document."""
    lines = [f"# {_l('Decision log')} — {inquiry.title}", ""]
    for proposal in proposals:
        row = _row(proposal)
        lines += [f"## {row['closed_on']} · {row['title']}", "", f"*{row['status']}* · {row['author']}", ""]
        if proposal.body:
            lines += [proposal.body.strip(), ""]
        lines += [f"**{_l('Outcome')}:** {row['outcome'] or '—'}", ""]
    return "\n".join(lines)


def send_reminders(now: datetime | None = None) -> int:
    """Remind each voter who has not answered, 24 h before the deadline, once per proposal."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.status == ProposalStatus.OPEN,
            Proposal.deadline > now,
            Proposal.deadline <= now + REMINDER_BEFORE,
        )
        .options(db.selectinload(Proposal.positions))
    ).all()
    sent = 0
    for proposal in due:
        reminded = set(
            db.session.scalars(
                select(ProposalReminder.user_id).where(ProposalReminder.proposal_id == proposal.id)
            )
        )
        answered = {p.user_id for p in proposal.positions}
        people = engine.voters(proposal.inquiry)
        if proposal.co_decided:
            people += engine.co_deciders(proposal.inquiry)
        for user in people:
            if user.id in answered or user.id in reminded:
                continue
            sent += _remind(proposal, user, now)
    db.session.flush()
    return sent


def _remind(proposal, user, now: datetime) -> bool:
    inquiry = proposal.inquiry
    url = path_for("governance.proposal", inquiry_id=inquiry.id, proposal_id=proposal.id)
    spec = engine.REGISTRY.get(proposal.action or "")
    outside = (
        spec is not None and spec.co_decision is not None and not policy.can(user, "decisions.view", inquiry)
    )
    if outside:
        url = spec.co_decision.page(inquiry)  # the partner answers where it reads the proposal
    # The unique (proposal, user) key decides: of two overlapping run-due, one reminds.
    if not insert_once(db.session, ProposalReminder, proposal_id=proposal.id, user_id=user.id, sent_at=now):
        return False
    activity.notify([user], "proposal.reminder", inquiry, url=url, title=proposal.title)
    if outside:
        return True  # by email only if the partner's notification settings ask for it
    activity.email_user(
        user,
        "proposal_reminder",
        _l("A decision awaits your position: %(title)s", title=engine.title_of(proposal)),
        proposal=proposal,
        inquiry=inquiry,
        link=current_app.config["BASE_URL"].rstrip("/") + url,
    )
    return True


activity.register_verbs(
    {
        "decisions.commented": _l("commented on a proposal"),
        "decisions.outcome": _l("wrote the outcome of a proposal"),
    }
)
activity.register_notifications({"proposal.reminder": _l("Your position is awaited: %(title)s")})
