"""Creating, editing, moving, deleting tasks; checklists, comments and mentions."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import attributes, selectinload

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import (
    ChecklistItem,
    Task,
    TaskColumn,
    TaskComment,
)
from inquiry_hub.tasks.services.columns import column_label, columns_of, members_of
from inquiry_hub.urls import path_for


class KEEP:
    """An argument left out: the task keeps what it had."""


class Conflict(Exception):
    """The task changed since the writer loaded it: nothing was written."""

    def __init__(self, task: Task):
        super().__init__(f"task {task.id} changed")
        self.task = task


def task_url(task: Task) -> str:
    """The task page's path, for notifications."""
    return path_for("tasks.task", inquiry_id=task.inquiry_id, task_id=task.id)


def _touch(task: Task, actor) -> None:
    task.updated_by_id = actor.id if actor is not None else None
    task.updated_at = utcnow()


def _claim(task: Task, version: int | None) -> None:
    """Bump the version only if it is still the one the writer saw; else raise Conflict."""
    if version is None or version != task.version:
        raise Conflict(task)
    # A conditional UPDATE: of two concurrent writers with the same version, one wins.
    claimed = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(task)
        raise Conflict(task)
    attributes.set_committed_value(task, "version", version + 1)


def _column_tasks(inquiry_id: int, column_id: int, exclude: Task | None = None) -> list[Task]:
    tasks = db.session.scalars(
        select(Task)
        .where(Task.inquiry_id == inquiry_id, Task.column_id == column_id)
        .order_by(Task.position, Task.id)
    ).all()
    return [t for t in tasks if t is not exclude]


def _end_of(column: TaskColumn) -> int:
    last = db.session.scalar(select(func.max(Task.position)).where(Task.column_id == column.id))
    return 0 if last is None else last + 1


def _set_assignees(task: Task, users: list, actor) -> None:
    """Replace the assignees; the newly assigned ones are notified."""
    before = {u.id for u in task.assignees}
    task.assignees = list(users)
    added = [u for u in users if u.id not in before and (actor is None or u.id != actor.id)]
    if added:
        activity.notify(
            added,
            "task.assigned",
            task.inquiry,
            url=task_url(task),
            actor=actor.name if actor else "",
            title=task.title,
        )


def create_task(
    inquiry,
    *,
    title: str,
    column: TaskColumn,
    actor,
    description: str = "",
    phase=None,
    due_on: date | None = None,
    assignees=(),
    labels=(),
    research_question_id: int | None = None,
) -> Task:
    """A new task at the bottom of its column."""
    task = Task(
        inquiry=inquiry,
        column=column,
        phase=phase,
        title=title.strip(),
        description=description or "",
        due_on=due_on,
        position=_end_of(column),
        labels=list(labels),
        research_question_id=research_question_id,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    db.session.add(task)
    db.session.flush()
    _set_assignees(task, list(assignees), actor)
    activity.record(inquiry, actor, "tasks.created", task, summary=task.title)
    db.session.flush()
    return task


def update_task(
    task: Task,
    *,
    version: int | None,
    title: str,
    description: str,
    column: TaskColumn,
    phase,
    due_on: date | None,
    assignees,
    labels,
    actor,
    research_question_id: int | None | type[KEEP] = KEEP,
) -> Task:
    """Save an edit made on ``version``; raises Conflict if someone wrote in between."""
    _claim(task, version)
    if column.id != task.column_id:
        task.position = _end_of(column)
        task.column = column
    task.title = title.strip()
    task.description = description or ""
    task.phase = phase
    task.due_on = due_on
    task.labels = list(labels)
    if research_question_id is not KEEP:
        task.research_question_id = research_question_id
    _set_assignees(task, list(assignees), actor)
    _touch(task, actor)
    activity.record(task.inquiry, actor, "tasks.edited", task, summary=task.title)
    db.session.flush()
    return task


def move_task(task: Task, column: TaskColumn, position: int, version: int | None, actor) -> Task:
    """Put the task at ``position`` in ``column``; raises Conflict on a stale version."""
    _claim(task, version)
    source = _column_tasks(task.inquiry_id, task.column_id, exclude=task)
    target = source if column.id == task.column_id else _column_tasks(task.inquiry_id, column.id)
    position = max(0, min(position, len(target)))
    moved_column = column.id != task.column_id
    target.insert(position, task)
    task.column = column
    for index, item in enumerate(target):
        item.position = index
    if moved_column:
        for index, item in enumerate(source):
            item.position = index
    _touch(task, actor)
    summary = f"{task.title} → {column_label(column)}" if moved_column else task.title
    activity.record(task.inquiry, actor, "tasks.moved", task, summary=summary)
    db.session.flush()
    return task


DIRECTIONS = ("left", "right", "up", "down")


def step_target(task: Task, direction: str) -> tuple[TaskColumn, int] | None:
    """Where a keyboard move sends the task; None at the edge of the board."""
    if direction in ("up", "down"):
        siblings = _column_tasks(task.inquiry_id, task.column_id)
        index = siblings.index(task) + (-1 if direction == "up" else 1)
        return (task.column, index) if 0 <= index < len(siblings) else None
    columns = columns_of(task.inquiry)
    index = [c.id for c in columns].index(task.column_id) + (-1 if direction == "left" else 1)
    if not 0 <= index < len(columns):
        return None
    return columns[index], len(_column_tasks(task.inquiry_id, columns[index].id))


BULK_ACTIONS = ("move", "assign", "phase", "delete")


def bulk_apply(items: list[Task], action: str, actor, *, column=None, user=None, phase=None) -> int:
    """One action on many tasks; each write bumps the task's version. Returns how many changed."""
    changed = 0
    next_position = _end_of(column) if action == "move" else 0
    for task in items:
        if action == "move" and task.column_id != column.id:
            task.column, task.position = column, next_position
            next_position += 1
            verb = "tasks.moved"
        elif action == "assign" and user.id not in {u.id for u in task.assignees}:
            _set_assignees(task, [*task.assignees, user], actor)
            verb = "tasks.edited"
        elif action == "phase" and task.phase_id != (phase.id if phase else None):
            task.phase = phase
            verb = "tasks.edited"
        elif action == "delete":
            delete_task(task, actor)
            changed += 1
            continue
        else:
            continue
        task.version += 1
        _touch(task, actor)
        activity.record(task.inquiry, actor, verb, task, summary=task.title)
        changed += 1
    db.session.flush()
    return changed


def delete_task(task: Task, actor) -> None:
    """Delete the task with its checklist and comments."""
    inquiry, title = task.inquiry, task.title
    activity.record(inquiry, actor, "tasks.deleted", task, summary=title)
    db.session.delete(task)
    db.session.flush()


def add_checklist_item(task: Task, text: str, actor) -> ChecklistItem:
    """A new checklist item at the end."""
    position = max((i.position for i in task.checklist), default=-1) + 1
    item = ChecklistItem(task=task, text=text.strip(), position=position)
    db.session.add(item)
    _touch(task, actor)
    activity.record(task.inquiry, actor, "tasks.checklist_added", task, summary=task.title)
    db.session.flush()
    return item


def checklist_item(task: Task, item_id: int) -> ChecklistItem | None:
    """One item of this task's checklist, or None."""
    return db.session.scalar(
        select(ChecklistItem).where(ChecklistItem.id == item_id, ChecklistItem.task_id == task.id)
    )


def set_checklist_item(item: ChecklistItem, done: bool, actor) -> None:
    """Tick or untick a checklist item."""
    item.done = done
    _touch(item.task, actor)
    verb = "tasks.checklist_ticked" if done else "tasks.checklist_unticked"
    activity.record(item.task.inquiry, actor, verb, item.task, summary=item.text)
    db.session.flush()


def checklist_of(task: Task) -> list[ChecklistItem]:
    """The task's checklist with its assignees, in one query (the task page)."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.task_id == task.id)
            .options(selectinload(ChecklistItem.assignee))
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )


def assign_checklist_item(item: ChecklistItem, user, actor) -> None:
    """Give a checklist step to someone (or to nobody); the new assignee is notified."""
    if (user.id if user is not None else None) == item.assignee_id:
        return
    item.assignee = user
    task = item.task
    _touch(task, actor)
    activity.record(task.inquiry, actor, "tasks.checklist_assigned", task, summary=item.text)
    if user is not None and user.id != actor.id:
        activity.notify(
            [user],
            "task.checklist_assigned",
            task.inquiry,
            url=task_url(task),
            actor=actor.name,
            title=task.title,
            item=item.text,
        )
    db.session.flush()


_MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*)", re.UNICODE)


def _mention_keys(user) -> set[str]:
    name = user.name.casefold()
    keys = {user.email.split("@", 1)[0].casefold(), name.replace(" ", ""), name.replace(" ", ".")}
    first = name.split(" ", 1)[0]
    if first:
        keys.add(first)
    return keys


def mentioned_members(inquiry, body: str) -> list:
    """Members named in the text as ``@alice``, ``@alice.martin`` or ``@AliceMartin``."""
    tokens = {m.group(1).rstrip(".-").casefold() for m in _MENTION.finditer(body or "")}
    if not tokens:
        return []
    return [user for user in members_of(inquiry) if tokens & _mention_keys(user)]


def add_comment(task: Task, body: str, actor) -> TaskComment:
    """A Markdown comment; the members it mentions and who may see the task are notified."""
    comment = TaskComment(task=task, author_id=actor.id, body=body.strip())
    db.session.add(comment)
    activity.record(task.inquiry, actor, "tasks.commented", task, summary=task.title)
    notified = [
        user
        for user in mentioned_members(task.inquiry, body)
        if user.id != actor.id and policy.can(user, "tasks.view", task)
    ]
    activity.notify(
        notified,
        "task.mentioned",
        task.inquiry,
        url=task_url(task),
        actor=actor.name,
        title=task.title,
    )
    db.session.flush()
    return comment
