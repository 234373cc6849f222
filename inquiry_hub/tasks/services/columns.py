"""The board's columns, the labels and the people tasks can be given to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import (
    DEFAULT_COLUMNS,
    LABEL_COLOURS,
    Label,
    Task,
    TaskColumn,
)

COLUMN_LABELS = {
    "todo": _l("To do"),
    "doing": _l("Doing"),
    "review": _l("In review"),
    "done": _l("Done"),
}


def column_label(column: TaskColumn) -> str:
    """The column's custom name, or its default name in the reader's language."""
    return column.name or str(COLUMN_LABELS.get(column.kind or "", column.kind or ""))


def columns_of(inquiry) -> list[TaskColumn]:
    """The board's columns in order; the four default ones are created on first use."""
    columns = db.session.scalars(
        select(TaskColumn).where(TaskColumn.inquiry_id == inquiry.id).order_by(TaskColumn.position)
    ).all()
    if columns:
        return list(columns)
    try:
        # A savepoint: two first visits at once must not leave two sets of columns.
        with db.session.begin_nested():
            for position, kind in enumerate(DEFAULT_COLUMNS):
                db.session.add(TaskColumn(inquiry_id=inquiry.id, kind=kind, position=position))
    except IntegrityError:
        pass
    return columns_of(inquiry)


class ColumnNotEmpty(Exception):
    """Only an empty column can be deleted, and never the last one."""


def add_column(inquiry, name: str, actor) -> TaskColumn:
    """A new column at the right end of the board."""
    columns = columns_of(inquiry)
    column = TaskColumn(inquiry_id=inquiry.id, name=name.strip(), position=len(columns))
    db.session.add(column)
    db.session.flush()
    activity.record(inquiry, actor, "tasks.column_added", column, summary=column.name)
    return column


def rename_column(column: TaskColumn, name: str, actor) -> None:
    """A custom name; an empty one gives a default column its translated name back."""
    name = name.strip()
    if not name and column.kind is None:
        return  # a column the team added keeps a name
    column.name = name
    activity.record(column.inquiry, actor, "tasks.column_renamed", column, summary=column_label(column))
    db.session.flush()


def move_column(column: TaskColumn, direction: str, actor) -> None:
    """Swap the column with its left or right neighbour."""
    columns = columns_of(column.inquiry)
    index = columns.index(column)
    other = index + (-1 if direction == "left" else 1)
    if not 0 <= other < len(columns):
        return
    columns[index], columns[other] = columns[other], columns[index]
    for position, item in enumerate(columns):
        item.position = position
    activity.record(column.inquiry, actor, "tasks.column_moved", column, summary=column_label(column))
    db.session.flush()


def delete_column(column: TaskColumn, actor) -> None:
    """Delete an empty column; raises ColumnNotEmpty otherwise or for the last column."""
    inquiry = column.inquiry
    has_tasks = db.session.scalar(select(func.count(Task.id)).where(Task.column_id == column.id))
    if has_tasks or len(columns_of(inquiry)) <= 1:
        raise ColumnNotEmpty(column_label(column))
    activity.record(inquiry, actor, "tasks.column_deleted", column, summary=column_label(column))
    db.session.delete(column)
    db.session.flush()
    for position, item in enumerate(columns_of(inquiry)):
        item.position = position
    db.session.flush()


def labels_of(inquiry) -> list[Label]:
    """The inquiry's labels by name."""
    return list(db.session.scalars(select(Label).where(Label.inquiry_id == inquiry.id).order_by(Label.name)))


def labels_from_text(inquiry, text: str) -> list[Label]:
    """Labels named in a comma-separated text, created when new."""
    names = []
    for raw in (text or "").split(","):
        name = " ".join(raw.split())[:40]
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    existing = {label.name.lower(): label for label in labels_of(inquiry)}
    labels = []
    for name in names:
        label = existing.get(name.lower())
        if label is None:
            label = Label(inquiry_id=inquiry.id, name=name, colour=len(existing) % LABEL_COLOURS)
            db.session.add(label)
            existing[name.lower()] = label
        labels.append(label)
    return labels


def assignable_members(inquiry) -> list:
    """People a task can be given to: the members who may edit tasks."""
    return policy.members_who_can(inquiry, "tasks.edit")


def members_of(inquiry) -> list:
    """Every member of the inquiry, whatever the role (for mentions)."""
    return policy.members_who_can(inquiry)
