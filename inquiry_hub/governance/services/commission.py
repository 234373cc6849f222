"""The commission: the partner's versioned brief, amended through the team's rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.governance import engine
from inquiry_hub.governance.models import CommissionVersion, Proposal, ProposalStatus
from inquiry_hub.governance.models.commission import COMMISSION_FIELDS

ACTION = "commission.amend"


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
    """Amendments waiting for the team's decision."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.inquiry_id == inquiry.id,
                Proposal.action == ACTION,
                Proposal.status == ProposalStatus.OPEN,
            )
            .order_by(Proposal.created_at)
        )
    )


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


@engine.collective_action(ACTION, describe=_describe, validate=_validate)
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
    activity.record(inquiry, actor, "commission.amended", version, summary=_describe(payload))


activity.register_verbs({"commission.amended": _l("amended the commission")})
