"""Reading tasks: the board, the filtered list, the month calendar, counts and history."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import to_user_timezone
from sqlalchemy import func, or_, select

from inquiry_hub import policy
from inquiry_hub.accounts.models import User
from inquiry_hub.deliverables import face as deliverables_face
from inquiry_hub.extensions import db
from inquiry_hub.governance import face as governance_face
from inquiry_hub.tasks.models import (
    DONE,
    ChecklistItem,
    Label,
    Task,
    TaskAssignee,
    TaskColumn,
    TaskComment,
    task_labels,
)
from inquiry_hub.tasks.services.columns import columns_of

#: Tasks per page of the list.
PER_PAGE = 50
#: Done tasks the board shows: the last ones of the column, where finished tasks land.
DONE_ON_BOARD = 20


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


@dataclass(slots=True)
class Person:
    name: str

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split())[:2].upper()


@dataclass(slots=True)
class CardLabel:
    name: str
    colour: int


@dataclass(slots=True)
class Card:
    """What a board card shows of a task: plain values, not ORM objects (a board holds hundreds)."""

    id: int
    column_id: int
    title: str
    due_on: date | None
    version: int
    shared_with_partner: bool
    assignees: list[Person]
    labels: list[CardLabel]


def board(inquiry, user, done_limit: int = DONE_ON_BOARD) -> tuple[list[TaskColumn], dict[int, list[Card]]]:
    """Columns and the cards the user may see in each, in order.

    Open columns show every task; the "done" column only its last ``done_limit`` tasks, where
    finished tasks land (the list shows them all). Three queries, whatever the number of tasks.
    """
    columns = columns_of(inquiry)
    query = _visible(
        select(
            Task.id, Task.column_id, Task.title, Task.due_on, Task.version, Task.shared_with_partner
        ).where(Task.inquiry_id == inquiry.id),
        inquiry,
        user,
    ).order_by(Task.column_id, Task.position, Task.id)
    done = next((c for c in columns if c.is_done), None)
    if done is not None:
        latest_done = (
            _visible(
                select(Task.id).where(Task.inquiry_id == inquiry.id, Task.column_id == done.id), inquiry, user
            )
            .order_by(Task.position.desc(), Task.id.desc())
            .limit(done_limit)
        )
        query = query.where(or_(Task.column_id != done.id, Task.id.in_(latest_done)))
    shown = {row.id: Card(*row, assignees=[], labels=[]) for row in db.session.execute(query)}
    if shown:
        people = (
            select(TaskAssignee.task_id, User.name)
            .join(User, User.id == TaskAssignee.user_id)
            .where(TaskAssignee.task_id.in_(list(shown)))
            .order_by(User.name)
        )
        for task_id, name in db.session.execute(people):
            shown[task_id].assignees.append(Person(name))
        labels = (
            select(task_labels.c.task_id, Label.name, Label.colour)
            .join(Label, Label.id == task_labels.c.label_id)
            .where(task_labels.c.task_id.in_(list(shown)))
            .order_by(Label.name)
        )
        for task_id, name, colour in db.session.execute(labels):
            shown[task_id].labels.append(CardLabel(name, colour))
    cards: dict[int, list[Card]] = {c.id: [] for c in columns}
    for card in shown.values():
        cards.setdefault(card.column_id, []).append(card)
    return columns, cards


def column_totals(inquiry, user) -> dict[int, int]:
    """How many tasks the user may see in each column (the board may show fewer)."""
    query = _visible(
        select(Task.column_id, func.count()).where(Task.inquiry_id == inquiry.id), inquiry, user
    ).group_by(Task.column_id)
    return dict(db.session.execute(query).all())


@dataclass
class Counts:
    comments: int = 0
    checklist_done: int = 0
    checklist_total: int = 0


def _count_columns():
    """Comments, checklist items and done items of each task, as correlated subqueries."""
    comments = select(func.count()).where(TaskComment.task_id == Task.id).scalar_subquery()
    total = select(func.count()).where(ChecklistItem.task_id == Task.id).scalar_subquery()
    done = (
        select(func.count())
        .where(ChecklistItem.task_id == Task.id, ChecklistItem.done.is_(True))
        .scalar_subquery()
    )
    return comments, total, done


def counts_for(task_ids: list[int]) -> dict[int, Counts]:
    """Comment and checklist counts of many tasks in one query."""
    counts = {task_id: Counts() for task_id in task_ids}
    if not task_ids:
        return counts
    rows = db.session.execute(select(Task.id, *_count_columns()).where(Task.id.in_(task_ids)))
    for task_id, n_comments, n_total, n_done in rows:
        counts[task_id] = Counts(comments=n_comments, checklist_done=n_done or 0, checklist_total=n_total)
    return counts


@dataclass
class TaskPage:
    """One page of the list with each task's counts; reads like Flask-SQLAlchemy's pagination."""

    items: list[Task]
    counts: dict[int, Counts]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def list_page(query, page: int, per_page: int = PER_PAGE) -> TaskPage:
    """A page of ``list_query``: the tasks and their counts come in one query, the total in another."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    # Past the last page (or a nonsense number) shows the last one; the offset stays a small int.
    page = min(max(page, 1), max(-(-total // per_page), 1))
    rows = db.session.execute(
        query.add_columns(*_count_columns()).limit(per_page).offset((page - 1) * per_page)
    )
    items, counts = [], {}
    for task, n_comments, n_total, n_done in rows:
        items.append(task)
        counts[task.id] = Counts(comments=n_comments, checklist_done=n_done or 0, checklist_total=n_total)
    return TaskPage(items, counts, page, per_page, total)


@dataclass
class Filters:
    """The list view's filters, as read from the URL."""

    text: str = ""
    mine: bool = False
    assignee_id: int | None = None
    phase_id: int | None = None
    label_id: int | None = None
    column_id: int | None = None
    #: A research question of the inquiry (active or retired).
    question_id: int | None = None
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
    if filters.question_id is not None:
        query = query.where(Task.research_question_id == filters.question_id)
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
    return query.options(*_card_options()).order_by(*order)


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
    # A day wider on each side: the local day of a UTC time may be the next or previous one.
    lower = datetime.combine(start - timedelta(days=1), time.min)
    upper = datetime.combine(end + timedelta(days=2), time.min)
    days: dict[date, list] = {}
    for meeting in governance_face.meetings_between([inquiry.id], user, lower, upper):
        day = to_user_timezone(meeting.held_at).date()
        if start <= day <= end:
            days.setdefault(day, []).append(meeting)
    return days


def deliverables_by_day(inquiry, user, start: date, end: date) -> dict[date, list]:
    """The deliverables the user may see, due from ``start`` to ``end``, by day."""
    days: dict[date, list] = {}
    for deliverable in deliverables_face.due_between([inquiry.id], user, start, end + timedelta(days=1)):
        days.setdefault(deliverable.due_on, []).append(deliverable)
    return days
