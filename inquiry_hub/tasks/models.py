"""Board columns, tasks, their assignees, labels, checklist items and comments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

#: Keys of the columns every board starts with, in order; their names are translated.
DEFAULT_COLUMNS = ("todo", "doing", "review", "done")
DONE = "done"

#: How many label colours app.css defines (.label-0 … .label-7).
LABEL_COLOURS = 8


class TaskColumn(db.Model):
    """A status column of the board ("To do", "Doing"... or one the team added)."""

    __tablename__ = "task_columns"
    # Unique default kinds per inquiry; custom columns have no kind (NULLs never clash).
    __table_args__ = (UniqueConstraint("inquiry_id", "kind", name="uq_task_columns_inquiry_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    #: One of DEFAULT_COLUMNS for the default columns (named in the reader's language), else None.
    kind: Mapped[str | None] = mapped_column(String(20))
    #: A custom name; when empty the name comes from ``kind``.
    name: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(default=0)

    inquiry = relationship("Inquiry")

    @property
    def is_done(self) -> bool:
        return self.kind == DONE


task_labels = Table(
    "task_labels",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TaskAssignee(db.Model):
    """One person assigned to one task."""

    __tablename__ = "task_assignees"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Label(db.Model):
    """A tag the team puts on tasks ("entretiens", "urgent"...)."""

    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("inquiry_id", "name", name="uq_labels_inquiry_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    #: Index of a colour class of app.css, 0 to LABEL_COLOURS - 1.
    colour: Mapped[int] = mapped_column(default=0)

    inquiry = relationship("Inquiry")


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_inquiry_column_position", "inquiry_id", "column_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    column_id: Mapped[int] = mapped_column(ForeignKey("task_columns.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phases.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, rendered through inquiry_hub.markdown.
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None]
    #: Order inside its column, 0 at the top.
    position: Mapped[int] = mapped_column(default=0)
    #: Bumped by every edit or move: a write carrying an older one is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    #: Set only by the collective action "tasks.share".
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    #: The research question of the brief this serves, if any.
    research_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_questions.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    column: Mapped[TaskColumn] = relationship()
    research_question = relationship("ResearchQuestion")
    phase = relationship("Phase")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    assignees = relationship("User", secondary="task_assignees", order_by="User.name")
    labels: Mapped[list[Label]] = relationship(secondary=task_labels, order_by=Label.name)
    checklist: Mapped[list[ChecklistItem]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="ChecklistItem.position"
    )
    comments: Mapped[list[TaskComment]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskComment.created_at"
    )

    @property
    def visible_to_partner(self) -> bool:
        return self.shared_with_partner

    def is_overdue(self, today: date) -> bool:
        """Due before ``today`` and not in a "done" column."""
        return self.due_on is not None and self.due_on < today and not self.column.is_done


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    #: Who takes this step; notified when assigned.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    task: Mapped[Task] = relationship(back_populates="checklist")
    assignee = relationship("User")

    @property
    def inquiry(self):
        return self.task.inquiry

    @property
    def visible_to_partner(self) -> bool:
        return self.task.visible_to_partner


class TaskComment(db.Model):
    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Markdown, rendered through inquiry_hub.markdown.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="comments")
    author = relationship("User")

    @property
    def inquiry(self):
        return self.task.inquiry

    @property
    def visible_to_partner(self) -> bool:
        return self.task.visible_to_partner


class CalendarFeed(db.Model):
    """A secret address where a person's calendar app reads their due dates and phases."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the token in the address; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the person revokes it or makes a new one: the address stops working.
    revoked_at: Mapped[datetime | None]

    user = relationship("User")
