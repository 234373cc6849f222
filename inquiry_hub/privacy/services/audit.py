"""Sensitive reads of an inquiry: identity reveals, consent form downloads, exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inquiry_hub.accounts.models import User
from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork
from inquiry_hub.privacy.models import SensitiveRead


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    kind: str
    summary: str


def record_read(inquiry, user, kind: str, summary: str = "") -> SensitiveRead:
    """Log a sensitive read (``summary`` holds a pseudonym or a pseudonymised file name only)."""
    row = SensitiveRead(inquiry_id=inquiry.id, user_id=user.id, kind=kind, summary=summary[:200])
    db.session.add(row)
    db.session.flush()
    return row


def audit_lines(inquiry, limit: int = 500) -> list[AuditLine]:
    """Every sensitive read of the inquiry, newest first."""
    reveals = fieldwork.identity_reveals(inquiry, limit)
    reads = db.session.execute(
        select(SensitiveRead.read_at, User.name, SensitiveRead.kind, SensitiveRead.summary)
        .outerjoin(User, User.id == SensitiveRead.user_id)
        .where(SensitiveRead.inquiry_id == inquiry.id)
        .order_by(SensitiveRead.read_at.desc())
        .limit(limit)
    ).all()
    lines = [AuditLine(at, who or "former member", "identity", pseudonym) for at, who, pseudonym in reveals]
    lines += [AuditLine(at, who or "former member", kind, summary) for at, who, kind, summary in reads]
    return sorted(lines, key=lambda line: line.at, reverse=True)[:limit]


# Rooms below this one log their sensitive reads through the activity room, which calls this.
activity.register_audit(record_read)
