"""The tasks room's face: the only functions other rooms call (they never read its tables).

Follow-up, governance, the calendar and the API ask these; each answers for many inquiries in a
fixed number of grouped queries so a page's query count does not grow with its rows.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import DONE, ChecklistItem, Task, TaskAssignee, TaskColumn
from inquiry_hub.tasks.services.queries import Filters, list_query, sees_unshared
from inquiry_hub.tasks.services.writes import task_url

__all__ = [
    "Task",
    "api_list_query",
    "burnup_days",
    "count_by_question",
    "counts_by_inquiry",
    "done_by_assignee",
    "due_on_for_reminders",
    "my_checklist_items",
    "open_assigned_to",
    "open_for_week",
    "sees_unshared",
    "shared_open",
    "task_url",
]

_OPEN = TaskColumn.kind.is_distinct_from(DONE)

# ``Task`` is published for other rooms to hold and load by id through the policy
# (``load_in_inquiry(Task, id)``), never to query its columns: ask a function here instead.


def api_list_query(inquiry, user, today: date):
    """The tasks the user may see, in board order, unfiltered (the API pages through it)."""
    return list_query(inquiry, user, Filters(), today).options(db.joinedload(Task.column))


def counts_by_inquiry(inquiry_ids, today: date) -> dict[int, tuple[int, int, int]]:
    """inquiry id → (done, open, overdue) task counts, in one query (tutor's view)."""
    done = TaskColumn.kind == DONE
    rows = db.session.execute(
        select(
            Task.inquiry_id,
            func.sum(case((done, 1), else_=0)),
            func.sum(case((done, 0), else_=1)),
            func.sum(case((and_(~done, Task.due_on < today), 1), else_=0)),
        )
        .join(TaskColumn, TaskColumn.id == Task.column_id)
        .where(Task.inquiry_id.in_(inquiry_ids))
        .group_by(Task.inquiry_id)
    ).all()
    return {inquiry_id: (int(d or 0), int(o or 0), int(late or 0)) for inquiry_id, d, o, late in rows}


def count_by_question(question_ids) -> dict[int, tuple[int, int]]:
    """research question id → (linked tasks, of which done), in one query (commission coverage)."""
    done = func.sum(case((TaskColumn.kind == DONE, 1), else_=0))
    rows = db.session.execute(
        select(Task.research_question_id, func.count(Task.id), done)
        .join(TaskColumn, Task.column_id == TaskColumn.id)
        .where(Task.research_question_id.in_(question_ids))
        .group_by(Task.research_question_id)
    ).all()
    return {question_id: (int(count), int(finished or 0)) for question_id, count, finished in rows}


def burnup_days(inquiry) -> tuple[list[date], list[date]]:
    """Tasks created and done by day; a task's done day is its last update in a done column."""
    rows = db.session.execute(
        select(Task.created_at, Task.updated_at, TaskColumn.kind)
        .join(TaskColumn, TaskColumn.id == Task.column_id)
        .where(Task.inquiry_id == inquiry.id)
    ).all()
    created = [r[0].date() for r in rows]
    done = [r[1].date() for r in rows if r[2] == DONE]
    return created, done


def shared_open(inquiry, user) -> list[Task]:
    """Open tasks shared with the partner that the user may see, by due date (partner's portal)."""
    tasks = db.session.scalars(
        select(Task)
        .join(TaskColumn, TaskColumn.id == Task.column_id)
        .where(Task.inquiry_id == inquiry.id, Task.shared_with_partner.is_(True), _OPEN)
        .options(db.contains_eager(Task.column))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    ).all()
    return [t for t in tasks if policy.can(user, "tasks.view", t)]


def open_assigned_to(user, inquiry_ids) -> list[Task]:
    """The user's open tasks across these inquiries, by due date (undated last)."""
    return list(
        db.session.scalars(
            select(Task)
            .join(TaskColumn, TaskColumn.id == Task.column_id)
            .join(TaskAssignee, TaskAssignee.task_id == Task.id)
            .where(Task.inquiry_id.in_(inquiry_ids), TaskAssignee.user_id == user.id, _OPEN)
            .options(db.joinedload(Task.inquiry))
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
        )
    )


def my_checklist_items(user, inquiry_ids) -> list[ChecklistItem]:
    """Checklist steps given to the user and not yet ticked, with their task, by the task's due date."""
    rows = db.session.scalars(
        select(ChecklistItem)
        .join(Task, Task.id == ChecklistItem.task_id)
        .where(
            Task.inquiry_id.in_(inquiry_ids),
            ChecklistItem.assignee_id == user.id,
            ChecklistItem.done.is_(False),
        )
        .options(db.contains_eager(ChecklistItem.task).joinedload(Task.inquiry))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id, ChecklistItem.position, ChecklistItem.id)
    ).all()
    return [item for item in rows if policy.can(user, "tasks.view", item.task)]


def open_for_week(inquiry_ids, week_end: date) -> list[Task]:
    """Open tasks in progress or due by ``week_end``, with their assignees (team's week)."""
    return list(
        db.session.scalars(
            select(Task)
            .join(TaskColumn, TaskColumn.id == Task.column_id)
            .where(
                Task.inquiry_id.in_(inquiry_ids),
                _OPEN,
                (TaskColumn.kind == "doing") | (Task.due_on <= week_end),
            )
            .options(db.selectinload(Task.assignees))
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
        )
    )


def done_by_assignee(inquiry, user_ids) -> dict[int, int]:
    """user id → tasks done as assignee in this inquiry (the team's contributions)."""
    rows = db.session.execute(
        select(TaskAssignee.user_id, func.count())
        .join(Task, Task.id == TaskAssignee.task_id)
        .join(TaskColumn, TaskColumn.id == Task.column_id)
        .where(Task.inquiry_id == inquiry.id, TaskColumn.kind == DONE, TaskAssignee.user_id.in_(user_ids))
        .group_by(TaskAssignee.user_id)
    )
    return {user_id: int(n) for user_id, n in rows if user_id is not None}


def due_on_for_reminders(due: date, already_reminded) -> list[tuple[Task, int]]:
    """(open task due on ``due``, assignee id) pairs; ``already_reminded(task_id, user_id, due)``
    is the caller's EXISTS clause that leaves out the pairs it already reminded."""
    return list(
        db.session.execute(
            select(Task, TaskAssignee.user_id)
            .join(TaskColumn, TaskColumn.id == Task.column_id)
            .join(TaskAssignee, TaskAssignee.task_id == Task.id)
            .where(Task.due_on == due, _OPEN)
            .where(~already_reminded(Task.id, TaskAssignee.user_id, due))
            .options(db.joinedload(Task.inquiry))
        ).all()
    )
