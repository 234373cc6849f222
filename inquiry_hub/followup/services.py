"""Figures of the tutor's view, the partner's portal, "my work" and the team's contributions.

Every figure across inquiries comes from one GROUP BY query over all inquiry ids, never
from a loop of queries per inquiry, so a page's query count does not grow with its rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, exists, func, select

from inquiry_hub import policy
from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.deliverables import face as deliverables_face
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork_face
from inquiry_hub.governance import face as governance_face
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Inquiry, Position, Proposal, ProposalStatus
from inquiry_hub.inquiries.models.proposals import Stance
from inquiry_hub.tasks import face as tasks_face


@dataclass
class TeamFigures:
    """One row of the tutor's view: the team's figures, never a person's."""

    inquiry: Inquiry
    phase: object = None
    phase_percent: int | None = None
    calendar_percent: int = 0
    tasks_done: int = 0
    tasks_open: int = 0
    tasks_overdue: int = 0
    interviews_planned: int = 0
    interviews_conducted: int = 0
    interviews_coded: int = 0
    interviews_target: int = 0
    deliverables: list = field(default_factory=list)
    last_activity: datetime | None = None
    days_since_activity: int | None = None
    open_proposals: int = 0
    blocks: int = 0


def percent(start: date, end: date, today: date) -> int:
    """How far ``today`` is into [start, end], 0 to 100."""
    total = (end - start).days
    if total <= 0:
        return 100 if today >= end else 0
    return max(0, min(100, round(100 * (today - start).days / total)))


def tutored_inquiries(user) -> list[Inquiry]:
    """Inquiries the user follows as tutor, with their phases, in one query."""
    ids = policy.inquiry_ids_of(user)
    if not ids:
        return []
    rows = db.session.scalars(
        select(Inquiry)
        .where(Inquiry.id.in_(ids))
        .options(db.selectinload(Inquiry.phases), db.joinedload(Inquiry.organisation))
        .order_by(Inquiry.title)
    ).all()
    return [i for i in rows if policy.can(user, "followup.tutor_view", i)]


def _proposal_counts(ids):
    blocked = exists().where(Position.proposal_id == Proposal.id, Position.stance == Stance.BLOCK)
    return db.session.execute(
        select(Proposal.inquiry_id, func.count(), func.sum(case((blocked, 1), else_=0)))
        .where(Proposal.inquiry_id.in_(ids), Proposal.status == ProposalStatus.OPEN)
        .group_by(Proposal.inquiry_id)
    ).all()


def deliverable_statuses(ids) -> dict[int, list]:
    """inquiry id → its deliverables' (title, status), asked of the deliverables room."""
    return deliverables_face.statuses_for(ids)


def team_figures(inquiries: list[Inquiry], today: date, now: datetime) -> list[TeamFigures]:
    """The tutor's view, one row per inquiry, in a fixed number of queries."""
    rows = {i.id: TeamFigures(inquiry=i) for i in inquiries}
    ids = list(rows)
    if not ids:
        return []
    for inquiry in inquiries:
        row = rows[inquiry.id]
        row.phase = inquiry.current_phase(today)
        row.calendar_percent = percent(inquiry.starts_on, inquiry.ends_on, today)
        if row.phase is not None:
            row.phase_percent = percent(row.phase.starts_on, row.phase.ends_on, today)
    for inquiry_id, (done, open_, overdue) in tasks_face.counts_by_inquiry(ids, today).items():
        rows[inquiry_id].tasks_done = done
        rows[inquiry_id].tasks_open = open_
        rows[inquiry_id].tasks_overdue = overdue
    for inquiry_id, counts in fieldwork_face.interview_counts(ids).items():
        row = rows[inquiry_id]
        row.interviews_planned = counts.planned
        row.interviews_conducted = counts.conducted
        row.interviews_coded = counts.coded
    for inquiry_id, target in fieldwork_face.sampling_targets(ids).items():
        rows[inquiry_id].interviews_target = target
    for inquiry_id, last in db.session.execute(
        select(Activity.inquiry_id, func.max(Activity.created_at))
        .where(Activity.inquiry_id.in_(ids))
        .group_by(Activity.inquiry_id)
    ):
        rows[inquiry_id].last_activity = last
        rows[inquiry_id].days_since_activity = max(0, (now - last).days)
    for inquiry_id, n, blocks in _proposal_counts(ids):
        rows[inquiry_id].open_proposals = n
        rows[inquiry_id].blocks = int(blocks or 0)
    for inquiry_id, items in deliverable_statuses(ids).items():
        rows[inquiry_id].deliverables = list(items)
    return [rows[i.id] for i in inquiries]


# --- drill-down: burn-up series -------------------------------------------------------------


@dataclass
class Series:
    """A cumulative count per day, for a burn-up chart and its data table."""

    label: str
    points: list[tuple[date, int]]


def _cumulative(days: list[date], start: date, end: date) -> list[tuple[date, int]]:
    per_day: dict[date, int] = defaultdict(int)
    for day in days:
        per_day[max(start, min(day, end))] += 1
    total, points, day = 0, [], start
    while day <= end:
        total += per_day.get(day, 0)
        points.append((day, total))
        day += timedelta(days=1)
    return points


def task_burnup(inquiry) -> tuple[list[date], list[date]]:
    """Tasks created and done by day, asked of the tasks room."""
    return tasks_face.burnup_days(inquiry)


def interview_burnup(inquiry) -> tuple[list[date], list[date]]:
    """Interview days planned and conducted, asked of the fieldwork room."""
    return fieldwork_face.interview_burnup_days(inquiry)


def burnup(inquiry, labels: tuple, days: tuple[list[date], list[date]], today: date) -> list[Series]:
    """Two cumulative series from the inquiry's start to today (or its end)."""
    start = inquiry.starts_on
    end = max(min(today, inquiry.ends_on), start)
    return [Series(str(label), _cumulative(d, start, end)) for label, d in zip(labels, days, strict=True)]


# --- the partner's portal -------------------------------------------------------------------


@dataclass
class Portal:
    inquiry: Inquiry
    reviews: list
    tasks: list
    meetings: list


def reviews_waiting(user, ids) -> list:
    """Deliverables waiting for this person's review, asked of the deliverables room."""
    return deliverables_face.waiting_for_review(user, ids)


#: Joint meetings the partner's portal shows, latest first.
PORTAL_MEETINGS = 5


def partner_portal(inquiry, user) -> Portal:
    """Only what the team shared: commission, timeline, reviews, shared tasks, joint meetings."""
    # Open shared tasks and the latest joint meetings: the board and the meetings page hold the rest.
    meetings = governance_face.joint_meetings(inquiry, user, PORTAL_MEETINGS)
    return Portal(
        inquiry=inquiry,
        reviews=reviews_waiting(user, [inquiry.id]),
        tasks=tasks_face.shared_open(inquiry, user),
        meetings=meetings,
    )


# --- my work ---------------------------------------------------------------------------------


@dataclass
class MyWork:
    tasks: list
    positions: list
    reviews: list
    mentions: list
    meetings: list
    team_weeks: list
    checklist: list = field(default_factory=list)


def my_tasks(user, ids) -> list:
    """My open tasks across my inquiries, by due date (undated last)."""
    return tasks_face.open_assigned_to(user, ids)


def my_checklist_items(user, ids) -> list:
    """Checklist steps given to me and not yet ticked, with their task, by the task's due date."""
    return tasks_face.my_checklist_items(user, ids)


def positions_waiting(user, ids) -> list[Proposal]:
    """Open proposals where I may take a position and have not yet."""
    mine = exists().where(Position.proposal_id == Proposal.id, Position.user_id == user.id)
    rows = db.session.scalars(
        select(Proposal)
        .where(Proposal.inquiry_id.in_(ids), Proposal.status == ProposalStatus.OPEN, ~mine)
        .options(db.joinedload(Proposal.inquiry))
        .order_by(Proposal.deadline)
    ).all()
    return [p for p in rows if policy.can(user, "decisions.take_position", p.inquiry)]


def mentions(user, limit: int = 10) -> list:
    """My latest unread mentions."""
    return db.session.scalars(
        select(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.kind.like("%mentioned"),
            Notification.read_at.is_(None),
        )
        .options(db.joinedload(Notification.inquiry))
        .order_by(Notification.created_at.desc())
        .limit(limit)
    ).all()


def upcoming_meetings(user, ids, now: datetime, days: int = 14) -> list:
    """Meetings of the coming days that I may see."""
    return governance_face.upcoming_meetings(user, ids, now, days)


@dataclass
class TeamWeek:
    """Who does what this week in one inquiry: the same for every member who sees team tasks."""

    inquiry: Inquiry
    people: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)


def team_weeks(user, inquiries: list[Inquiry], today: date) -> list[TeamWeek]:
    """Open tasks due this week or in progress, per person, for every inquiry at once."""
    shown = [i for i in inquiries if tasks_face.sees_unshared(i, user)]
    if not shown:
        return []
    week_end = today + timedelta(days=6 - today.weekday())
    tasks = tasks_face.open_for_week([i.id for i in shown], week_end)
    weeks = {i.id: TeamWeek(inquiry=i) for i in shown}
    people: dict[int, dict] = defaultdict(dict)
    for task in tasks:
        if not task.assignees:
            weeks[task.inquiry_id].unassigned.append(task)
        for person in task.assignees:
            people[task.inquiry_id].setdefault(person.id, (person, []))[1].append(task)
    for inquiry_id, by_person in people.items():
        weeks[inquiry_id].people = sorted(by_person.values(), key=lambda p: p[0].name.lower())
    return list(weeks.values())


def my_work(user, now: datetime) -> MyWork:
    """Everything waiting for me across my inquiries."""
    ids = policy.inquiry_ids_of(user)
    if not ids:
        return MyWork([], [], [], [], [], [])
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.id.in_(ids)).order_by(Inquiry.title)).all()
    return MyWork(
        tasks=my_tasks(user, ids),
        positions=positions_waiting(user, ids),
        reviews=reviews_waiting(user, ids),
        mentions=mentions(user),
        meetings=upcoming_meetings(user, ids, now),
        team_weeks=team_weeks(user, inquiries, now.date()),
        checklist=my_checklist_items(user, ids),
    )


# --- the team's contributions (members page) -------------------------------------------------


@dataclass
class Contribution:
    """What one student did for the team: counts, never a score or a rank."""

    user: object
    tasks_done: int = 0
    notes: int = 0
    excerpts: int = 0
    logbook: int = 0
    meetings: int = 0


def contributions(inquiry, now: datetime) -> list[Contribution]:
    """Per student, in name order: tasks done as assignee, notes written, excerpts coded,
    shared logbook entries and meetings held in a rotating role; a fixed number of queries."""
    # The team: those who take tasks (the same people whatever the viewer).
    people = sorted(policy.members_who_can(inquiry, "tasks.edit"), key=lambda u: u.name.lower())
    if not people:
        return []
    ids = [u.id for u in people]
    done = tasks_face.done_by_assignee(inquiry, ids)
    notes = fieldwork_face.notes_by_author(inquiry, ids)
    excerpts = fieldwork_face.excerpts_by_coder(inquiry, ids)
    logbook = governance_face.logbook_by_author(inquiry, ids)
    meetings = governance_face.roles_held(inquiry, ids, now)
    return [
        Contribution(
            user=u,
            tasks_done=done.get(u.id, 0),
            notes=notes.get(u.id, 0),
            excerpts=excerpts.get(u.id, 0),
            logbook=logbook.get(u.id, 0),
            meetings=meetings.get(u.id, 0),
        )
        for u in people
    ]


# The members page of the base room shows these counts; it does not import this room.
inquiries.register_contributions(contributions)
