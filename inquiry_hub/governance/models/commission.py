"""The commission: the partner's brief, one row per accepted version."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

#: The parts of a brief, in the order they are shown.
COMMISSION_FIELDS = ("research_questions", "scope", "schedule", "deliverables")

#: A list marker, a task box, a quote mark or a typed label ("Q3 :") before a question.
_MARKER = re.compile(r"^(?:>\s*)*(?:[-*+]\s+|\d{1,3}[.)]\s+)?(?:\[[ xX]\]\s+)?(?:Q\d{1,3}\s*[:.)–-]\s*)?")
_LIST_ITEM = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,3}[.)])\s+")


def parse_questions(text: str) -> list[str]:
    """The research questions of a brief: one per line or per Markdown list item, in order.

    Headings and blank lines are not questions; an indented line under a list item continues it;
    list markers and typed labels ("Q2 :") are dropped; a repeated question counts once.
    Used by the migration that created the rows, so it stays free of any database access.
    """
    questions: list[str] = []
    in_item = False
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or set(line) <= set("-*_= "):
            in_item = False
            continue
        if in_item and raw[:1] in (" ", "\t") and not _LIST_ITEM.match(raw):
            questions[-1] = f"{questions[-1]} {line}"
            continue
        in_item = bool(_LIST_ITEM.match(raw))
        question = " ".join(_MARKER.sub("", line, count=1).split())
        if question:
            questions.append(question)
        else:
            in_item = False
    seen: set[str] = set()
    return [q for q in questions if not (q in seen or seen.add(q))]


class CommissionVersion(db.Model):
    """An accepted version of the brief; the newest is what the team and the partner see."""

    __tablename__ = "commission_versions"
    __table_args__ = (UniqueConstraint("inquiry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    research_questions: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    #: Expected deliverables, in Markdown.
    deliverables: Mapped[str] = mapped_column(Text, default="")
    #: Why it changed, from the amendment that made it.
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    proposed_by = relationship("User")


class ResearchQuestion(db.Model):
    """One research question of the brief; tasks, interviews and deliverables say which they serve."""

    __tablename__ = "research_questions"
    __table_args__ = (UniqueConstraint("inquiry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    #: Stable in the inquiry and never reused: Q1, Q2… (see ``label``).
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    #: Order in the accepted brief, 0 first.
    position: Mapped[int] = mapped_column(default=0)
    #: Set when a later version of the brief dropped it: kept, so the links to it survive.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")

    @property
    def label(self) -> str:
        return f"Q{self.number}"

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def visible_to_partner(self) -> bool:
        # The questions are the partner's own brief: they read them, as they read the commission.
        return True
