"""Factories for the follow-up tests: a team with tasks, interviews, targets and proposals."""

from datetime import date, datetime

import pytest

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Interview, ProfileAttribute, SamplingTarget
from inquiry_hub.inquiries.models import Position, Proposal
from inquiry_hub.tasks.models import Task, TaskAssignee
from inquiry_hub.tasks.services.columns import columns_of


@pytest.fixture
def client(english_client):
    """This room's tests read English UI text (the fixture is in tests/conftest.py)."""
    return english_client


def main_of(response) -> str:
    """The page's <main>, without the navigation every page shares."""
    return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]


def add_task(inquiry, title, column="todo", due_on=None, assignees=(), shared=False):
    """A task in the column of that kind."""
    col = next(c for c in columns_of(inquiry) if c.kind == column)
    task = Task(
        inquiry_id=inquiry.id, column_id=col.id, title=title, due_on=due_on, shared_with_partner=shared
    )
    db.session.add(task)
    db.session.flush()
    for user in assignees:
        db.session.add(TaskAssignee(task_id=task.id, user_id=user.id))
    return task


def add_interview(inquiry, pseudonym, status):
    interview = Interview(inquiry_id=inquiry.id, pseudonym=pseudonym, status=status)
    db.session.add(interview)
    return interview


def add_targets(inquiry, name, targets: dict[str, int]):
    attribute = ProfileAttribute(inquiry_id=inquiry.id, name=name, values=list(targets))
    db.session.add(attribute)
    db.session.flush()
    for value, n in targets.items():
        db.session.add(
            SamplingTarget(inquiry_id=inquiry.id, attribute_id=attribute.id, value=value, target=n)
        )


def add_proposal(inquiry, title, status="open", block_by=None):
    proposal = Proposal(
        inquiry_id=inquiry.id, title=title, kind="consent", status=status, deadline=datetime(2027, 3, 1)
    )
    db.session.add(proposal)
    db.session.flush()
    if block_by is not None:
        db.session.add(Position(proposal_id=proposal.id, user_id=block_by.id, stance="block", reason="no"))
    return proposal


def add_activity(inquiry, when: datetime):
    db.session.add(Activity(inquiry_id=inquiry.id, room="tasks", verb="tasks.created", created_at=when))


def fill(inquiry, students):
    """The hand-computed fixture of test_tutor: see the expected figures there."""
    today = date(2027, 2, 14)
    add_task(inquiry, "Done 1", "done")
    add_task(inquiry, "Done 2", "done", due_on=date(2027, 1, 1))
    add_task(inquiry, "Late", "doing", due_on=date(2027, 2, 13), assignees=students[:1])
    add_task(inquiry, "Tomorrow", "todo", due_on=date(2027, 2, 15), assignees=students[1:2])
    add_task(inquiry, "Undated", "review")
    for pseudonym, status in [
        ("P1", "planned"),
        ("P2", "planned"),
        ("C1", "conducted"),
        ("T1", "transcribed"),
        ("K1", "coded"),
    ]:
        add_interview(inquiry, pseudonym, status)
    add_targets(inquiry, "Age", {"18-30": 3, "30+": 4})
    add_targets(inquiry, "Status", {"salarié": 5})
    add_proposal(inquiry, "Open one")
    add_proposal(inquiry, "Blocked one", block_by=students[0])
    add_proposal(inquiry, "Passed one", status="passed")
    add_activity(inquiry, datetime(2027, 2, 1, 9))
    add_activity(inquiry, datetime(2027, 2, 11, 9))
    db.session.commit()
    return today
