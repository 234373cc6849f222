"""What the tasks room puts in the inquiry archive (``privacy`` composes the rooms' exports)."""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub.export_rows import rows_naming
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import CalendarFeed, ChecklistItem, Task, TaskAssignee, TaskComment

#: Models whose rows name a person (creator, assignee, commenter; feeds without their token).
PERSONAL_MODELS = (Task, TaskAssignee, ChecklistItem, TaskComment, CalendarFeed)


def export_for_archive(out, inquiry) -> None:
    """tasks.md (tasks with their comments) and tasks.csv."""
    tasks = db.session.scalars(
        select(Task)
        .where(Task.inquiry_id == inquiry.id)
        .options(db.selectinload(Task.comments))
        .order_by(Task.id)
    ).all()
    parts = []
    for task in tasks:
        due = f" — {task.due_on.isoformat()}" if task.due_on else ""
        parts.append(
            f"## {task.title}\n\n*{task.column.name or task.column.kind}*{due}\n\n{task.description}\n"
        )
        parts += [f"> {out.who(c.author)}: {c.body}\n" for c in task.comments]
    out.markdown("tasks.md", "Tasks", "\n".join(parts))
    out.csv(
        "tasks.csv",
        ["id", "title", "column", "due_on", "shared_with_partner"],
        [
            [t.id, t.title, t.column.name or t.column.kind, t.due_on or "", t.shared_with_partner]
            for t in tasks
        ],
    )


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → this room's rows that name the person, secrets left out."""
    return rows_naming(user, PERSONAL_MODELS)
