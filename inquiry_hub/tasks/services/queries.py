"""Reading tasks: the board, the filtered list, the month calendar, counts and history."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import (
    DONE,
    ChecklistItem,
    Label,
    Task,
    TaskAssignee,
    TaskColumn,
    TaskComment,
)
from inquiry_hub.tasks.services.columns import columns_of

PER_PAGE = 100


@dataclass(frozen=True)
class _UnsharedTask:
    """Stands for any task not shared with the partner, to ask the policy about all of them."""

    inquiry: object
    visible_to_partner: bool = False


def sees_unshared(inquiry, user) -> bool:
    """May the user see tasks that are not shared with the partner?"""
    return policy.can(user, "tasks.view", _UnsharedTask(inquiry))


def _visible(query, inquiry, user):
    """Only shared tasks for those who may see only those."""
    if sees_unshared(inquiry, user):
        return query
    return query.where(Task.shared_with_partner.is_(True))


def _card_options():
    return (db.selectinload(Task.assignees), db.selectinload(Task.labels))


def board(inquiry, user) -> tuple[list[TaskColumn], dict[int, list[Task]]]:
    """Columns and the tasks the user may see in each, in order."""
    columns = columns_of(inquiry)
    query = _visible(
        select(Task).where(Task.inquiry_id == inquiry.id).options(*_card_options()),
        inquiry,
        user,
    ).order_by(Task.column_id, Task.position, Task.id)
    cards: dict[int, list[Task]] = {c.id: [] for c in columns}
    for task in db.session.scalars(query):
        cards.setdefault(task.column_id, []).append(task)
    return columns, cards


@dataclass
class Counts:
    comments: int = 0
    checklist_done: int = 0
    checklist_total: int = 0


def counts_for(task_ids: list[int]) -> dict[int, Counts]:
    """Comment and checklist counts of many tasks in two queries."""
    counts = {task_id: Counts() for task_id in task_ids}
    if not task_ids:
        return counts
    rows = db.session.execute(
        select(TaskComment.task_id, func.count())
        .where(TaskComment.task_id.in_(task_ids))
        .group_by(TaskComment.task_id)
    )
    for task_id, n in rows:
        counts[task_id].comments = n
    rows = db.session.execute(
        select(
            ChecklistItem.task_id,
            func.count(),
            func.sum(case((ChecklistItem.done.is_(True), 1), else_=0)),
        )
        .where(ChecklistItem.task_id.in_(task_ids))
        .group_by(ChecklistItem.task_id)
    )
    for task_id, total, done in rows:
        counts[task_id].checklist_total = total
        counts[task_id].checklist_done = int(done or 0)
    return counts


@dataclass
class Filters:
    """The list view's filters, as read from the URL."""

    text: str = ""
    mine: bool = False
    assignee_id: int | None = None
    phase_id: int | None = None
    label_id: int | None = None
    column_id: int | None = None
    #: "", "overdue" or "week".
    due: str = ""
    sort: str = "position"


def end_of_week(today: date) -> date:
    """The Sunday of the week of ``today``."""
    return today + timedelta(days=6 - today.weekday())


def list_query(inquiry, user, filters: Filters, today: date):
    """The list view's query: every filter combines with the others."""
    query = _visible(select(Task).where(Task.inquiry_id == inquiry.id), inquiry, user)
    if filters.text:
        escaped = filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Task.title.ilike(f"%{escaped}%", escape="\\"))
    for user_id in (user.id if filters.mine else None, filters.assignee_id):
        if user_id is not None:
            query = query.where(
                Task.id.in_(select(TaskAssignee.task_id).where(TaskAssignee.user_id == user_id))
            )
    if filters.phase_id is not None:
        query = query.where(Task.phase_id == filters.phase_id)
    if filters.label_id is not None:
        query = query.where(Task.labels.any(Label.id == filters.label_id))
    if filters.column_id is not None:
        query = query.where(Task.column_id == filters.column_id)
    if filters.due == "overdue":
        done_columns = select(TaskColumn.id).where(
            TaskColumn.inquiry_id == inquiry.id, TaskColumn.kind == DONE
        )
        query = query.where(Task.due_on < today, Task.column_id.not_in(done_columns))
    elif filters.due == "week":
        query = query.where(Task.due_on >= today, Task.due_on <= end_of_week(today))
    if filters.sort == "due":
        order = (Task.due_on.is_(None), Task.due_on, Task.id)
    elif filters.sort == "updated":
        order = (Task.updated_at.desc(), Task.id.desc())
    else:
        position = select(TaskColumn.position).where(TaskColumn.id == Task.column_id).scalar_subquery()
        order = (position, Task.position, Task.id)
    return query.options(*_card_options(), db.joinedload(Task.phase)).order_by(*order)


def task_history(task: Task) -> list:
    """The activity rows about this task, newest first."""
    from inquiry_hub.activity.models import Activity

    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.object_type == "Task", Activity.object_id == task.id)
            .where(Activity.inquiry_id == task.inquiry_id)
            .options(db.joinedload(Activity.actor))
            .order_by(Activity.created_at.desc(), Activity.id.desc())
            .limit(50)
        )
    )


def tasks_by_ids(inquiry, ids) -> list[Task]:
    """The tasks of this inquiry among ``ids``; ids of another inquiry are ignored."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.inquiry_id == inquiry.id, Task.id.in_(list(ids)))
            .order_by(Task.column_id, Task.position, Task.id)
        )
    )


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday first) that show a month, with the days of the months around it."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def due_between(inquiry, user, start: date, end: date) -> dict[date, list[Task]]:
    """The tasks the user may see, due from ``start`` to ``end``, by day."""
    query = _visible(
        select(Task)
        .where(Task.inquiry_id == inquiry.id, Task.due_on >= start, Task.due_on <= end)
        .options(db.joinedload(Task.column))
        .order_by(Task.due_on, Task.title),
        inquiry,
        user,
    )
    days: dict[date, list[Task]] = {}
    for task in db.session.scalars(query):
        days.setdefault(task.due_on, []).append(task)
    return days


def meetings_by_day(inquiry, user, start: date, end: date) -> dict[date, list]:
    """The meetings the user may see from ``start`` to ``end``, by local day."""
    from datetime import datetime, time, timedelta

    from flask_babel import to_user_timezone

    from inquiry_hub.governance.services.meetings import meetings_between

    # A day wider on each side: the local day of a UTC time may be the next or previous one.
    lower = datetime.combine(start - timedelta(days=1), time.min)
    upper = datetime.combine(end + timedelta(days=2), time.min)
    days: dict[date, list] = {}
    for meeting in meetings_between([inquiry.id], user, lower, upper):
        day = to_user_timezone(meeting.held_at).date()
        if start <= day <= end:
            days.setdefault(day, []).append(meeting)
    return days


def deliverables_by_day(inquiry, user, start: date, end: date) -> dict[date, list]:
    """The deliverables the user may see, due from ``start`` to ``end``, by day."""
    from datetime import timedelta

    from inquiry_hub.deliverables.services import due_between as deliverables_due

    days: dict[date, list] = {}
    for deliverable in deliverables_due([inquiry.id], user, start, end + timedelta(days=1)):
        days.setdefault(deliverable.due_on, []).append(deliverable)
    return days
