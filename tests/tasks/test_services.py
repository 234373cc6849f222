"""Task services: columns, positions, versions, labels, mentions, sharing, filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inquiry_hub import policy
from inquiry_hub.activity.models import Notification
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.models import Stance
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.models import Label, Task, TaskColumn
from tests.conftest import make_user
from tests.tasks.helpers import column, make_task


def _order(inquiry, kind: str) -> list[str]:
    db.session.expire_all()
    col = column(inquiry, kind)
    return list(
        db.session.scalars(select(Task.title).where(Task.column_id == col.id).order_by(Task.position))
    )


def test_default_columns_are_created_once_in_order(team):
    first = tasks.columns_of(team["inquiry"])
    again = tasks.columns_of(team["inquiry"])
    assert [c.kind for c in first] == ["todo", "doing", "review", "done"]
    assert [c.id for c in again] == [c.id for c in first]
    assert db.session.scalar(select(func.count(TaskColumn.id))) == 4


def test_default_column_is_named_in_the_reader_language(app, team):
    todo = column(team["inquiry"])
    with app.test_request_context("/?lang=en"):
        assert tasks.column_label(todo) == "To do"


def test_custom_column_name_wins(team):
    todo = column(team["inquiry"])
    todo.name = "Idées"
    assert tasks.column_label(todo) == "Idées"


def test_new_task_goes_to_the_bottom_of_its_column(team):
    make_task(team["inquiry"], team["student"], "A")
    make_task(team["inquiry"], team["student"], "B")
    assert _order(team["inquiry"], "todo") == ["A", "B"]


def test_move_inside_a_column_renumbers_the_others(team):
    inquiry, me = team["inquiry"], team["student"]
    a, b, c = (make_task(inquiry, me, t) for t in "ABC")
    tasks.move_task(c, column(inquiry), 0, c.version, me)
    db.session.commit()
    assert _order(inquiry, "todo") == ["C", "A", "B"]


def test_move_to_another_column_closes_the_gap(team):
    inquiry, me = team["inquiry"], team["student"]
    a, b, c = (make_task(inquiry, me, t) for t in "ABC")
    make_task(inquiry, me, "D", kind="doing")
    tasks.move_task(b, column(inquiry, "doing"), 1, b.version, me)
    db.session.commit()
    assert _order(inquiry, "todo") == ["A", "C"]
    assert _order(inquiry, "doing") == ["D", "B"]
    positions = db.session.scalars(select(Task.position).where(Task.column_id == column(inquiry).id))
    assert sorted(positions) == [0, 1]


def test_position_beyond_the_end_is_clamped(team):
    inquiry, me = team["inquiry"], team["student"]
    a = make_task(inquiry, me, "A")
    make_task(inquiry, me, "B")
    tasks.move_task(a, column(inquiry), 99, a.version, me)
    db.session.commit()
    assert _order(inquiry, "todo") == ["B", "A"]


def test_move_bumps_the_version(team):
    task = make_task(team["inquiry"], team["student"])
    tasks.move_task(task, column(team["inquiry"], "done"), 0, 1, team["student"])
    assert task.version == 2


def test_stale_version_raises_conflict_and_writes_nothing(team):
    task = make_task(team["inquiry"], team["student"])
    tasks.move_task(task, column(team["inquiry"], "done"), 0, 1, team["student"])
    db.session.commit()
    with pytest.raises(tasks.Conflict):
        tasks.move_task(task, column(team["inquiry"], "doing"), 0, 1, team["students"][1])
    db.session.rollback()
    assert db.session.get(Task, task.id).column.kind == "done"


def test_a_concurrent_writer_with_the_same_version_loses(team):
    task = make_task(team["inquiry"], team["student"])
    # Someone else bumped the row behind this session's back.
    db.session.execute(Task.__table__.update().where(Task.id == task.id).values(version=2))
    with pytest.raises(tasks.Conflict):
        tasks.move_task(task, column(team["inquiry"], "doing"), 0, 1, team["student"])


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("left", None), ("right", ("doing", 1)), ("up", ("todo", 0)), ("down", ("todo", 2))],
)
def test_step_targets(team, direction, expected):
    inquiry, me = team["inquiry"], team["student"]
    make_task(inquiry, me, "A")
    b = make_task(inquiry, me, "B")
    make_task(inquiry, me, "C")
    make_task(inquiry, me, "D", kind="doing")
    target = tasks.step_target(b, direction)
    assert (target and (target[0].kind, target[1])) == expected


def test_step_down_from_the_bottom_goes_nowhere(team):
    task = make_task(team["inquiry"], team["student"])
    assert tasks.step_target(task, "down") is None


def test_labels_from_text_reuses_labels_case_insensitively(team):
    first = tasks.labels_from_text(team["inquiry"], "Terrain, urgent")
    db.session.flush()
    again = tasks.labels_from_text(team["inquiry"], "terrain ,  URGENT, terrain, ")
    assert [lb.id for lb in again] == [lb.id for lb in first]
    assert db.session.scalar(select(func.count(Label.id))) == 2


def test_labels_are_per_inquiry(team):
    mine = tasks.labels_from_text(team["inquiry"], "terrain")
    theirs = tasks.labels_from_text(team["other_inquiry"], "terrain")
    db.session.flush()
    assert mine[0].id != theirs[0].id


def test_assignable_members_are_those_who_may_edit_tasks(team):
    people = tasks.assignable_members(team["inquiry"])
    assert {u.id for u in people} == {u.id for u in team["students"]}
    assert all(policy.can(u, "tasks.edit", team["inquiry"]) for u in people)


def test_assigning_notifies_new_assignees_but_not_oneself(team):
    me, other = team["student"], team["students"][1]
    make_task(team["inquiry"], me, assignees=[me, other])
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "task.assigned"))
    assert list(notified) == [other.id]


def test_reassigning_the_same_people_notifies_nobody_again(team):
    me, other = team["student"], team["students"][1]
    task = make_task(team["inquiry"], me, assignees=[other])
    tasks.update_task(
        task,
        version=task.version,
        title="x",
        description="",
        column=task.column,
        phase=None,
        due_on=None,
        assignees=[other],
        labels=[],
        actor=me,
    )
    count = db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "task.assigned"))
    assert count == 1


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("merci @alice.dupont", "alice"),
        ("merci @Alice", "alice"),
        ("merci @AliceDupont !", "alice"),
        ("(@bob.martin.)", "bob"),
        ("écris à @chloé", "chloe"),
        ("mail alice.dupont@ex.org", None),
        ("@personne", None),
    ],
)
def test_mentions_by_name_or_email_local_part(team, text, who):
    people = {
        "alice": make_user("Alice Dupont", "alice.dupont@ex.org"),
        "bob": make_user("Bob Martin", "bob.martin@ex.org"),
        "chloe": make_user("Chloé Roux", "c.roux@ex.org"),
    }
    inquiry = team["inquiry"]
    from inquiry_hub.inquiries import services as inquiries

    for user in people.values():
        inquiries.add_member(inquiry, user, policy.Role.STUDENT)
    found = tasks.mentioned_members(inquiry, text)
    assert [u.id for u in found] == ([people[who].id] if who else [])


def test_mention_notifies_with_a_link_to_the_task(team):
    task = make_task(team["inquiry"], team["student"])
    mentioned = team["students"][1]
    tasks.add_comment(task, f"@{mentioned.email.split('@')[0]} regarde", team["student"])
    notification = db.session.scalar(select(Notification).where(Notification.kind == "task.mentioned"))
    assert notification.user_id == mentioned.id
    assert notification.url == f"/inquiries/{task.inquiry_id}/tasks/{task.id}"


def test_partner_mentioned_on_a_shared_task_is_notified(team):
    task = make_task(team["inquiry"], team["student"], shared=True)
    tasks.add_comment(task, f"@{team['partner'].email.split('@')[0]}", team["student"])
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "task.mentioned"))
    assert list(notified) == [team["partner"].id]


def test_counts_for_counts_comments_and_checklist(team):
    task = make_task(team["inquiry"], team["student"])
    tasks.add_comment(task, "un", team["student"])
    tasks.add_comment(task, "deux", team["student"])
    first = tasks.add_checklist_item(task, "a", team["student"])
    tasks.add_checklist_item(task, "b", team["student"])
    tasks.set_checklist_item(first, True, team["student"])
    counts = tasks.counts_for([task.id])[task.id]
    assert (counts.comments, counts.checklist_done, counts.checklist_total) == (2, 1, 2)


def test_overdue_ignores_tasks_in_done(team):
    today = date(2026, 11, 26)
    late = make_task(team["inquiry"], team["student"], due_on=today - timedelta(days=1))
    done = make_task(team["inquiry"], team["student"], due_on=today - timedelta(days=1), kind="done")
    assert late.is_overdue(today) and not done.is_overdue(today)


def test_overdue_filter_agrees_with_the_card(team):
    today = date(2026, 11, 26)
    make_task(team["inquiry"], team["student"], "late", due_on=today - timedelta(days=1))
    make_task(team["inquiry"], team["student"], "done", due_on=today - timedelta(days=1), kind="done")
    make_task(team["inquiry"], team["student"], "later", due_on=today + timedelta(days=1))
    query = tasks.list_query(team["inquiry"], team["student"], tasks.Filters(due="overdue"), today)
    assert [t.title for t in db.session.scalars(query)] == ["late"]


def test_text_filter_treats_wildcards_literally(team):
    make_task(team["inquiry"], team["student"], "100% fait")
    make_task(team["inquiry"], team["student"], "1000 choses")
    query = tasks.list_query(team["inquiry"], team["student"], tasks.Filters(text="100%"), date.today())
    assert [t.title for t in db.session.scalars(query)] == ["100% fait"]


def test_partner_list_holds_only_shared_tasks(team):
    make_task(team["inquiry"], team["student"], "privée")
    make_task(team["inquiry"], team["student"], "partagée", shared=True)
    query = tasks.list_query(team["inquiry"], team["partner"], tasks.Filters(), date.today())
    assert [t.title for t in db.session.scalars(query)] == ["partagée"]


def test_partner_board_holds_only_shared_tasks(team):
    make_task(team["inquiry"], team["student"], "privée")
    make_task(team["inquiry"], team["student"], "partagée", shared=True)
    _, cards = tasks.board(team["inquiry"], team["partner"])
    assert [t.title for rows in cards.values() for t in rows] == ["partagée"]


def test_share_executes_at_once_under_any_member(team):
    team["inquiry"].governance_rule = "any_member"
    task = make_task(team["inquiry"], team["student"])
    proposal = engine.start(team["inquiry"], team["student"], "tasks.share", tasks.share_payload(task, True))
    assert proposal is None and task.shared_with_partner


def test_share_under_consent_waits_for_every_student(team):
    task = make_task(team["inquiry"], team["student"])
    proposal = engine.start(team["inquiry"], team["student"], "tasks.share", tasks.share_payload(task, True))
    assert proposal.is_open and not task.shared_with_partner
    for student in team["students"][1:]:
        engine.take_position(proposal, student, Stance.AGREE)
    assert task.shared_with_partner


def test_sharing_an_already_shared_task_is_refused(team):
    task = make_task(team["inquiry"], team["student"], shared=True)
    with pytest.raises(ActionFailed):
        engine.start(team["inquiry"], team["student"], "tasks.share", tasks.share_payload(task, True))


def test_share_proposal_title_names_the_task(team):
    task = make_task(team["inquiry"], team["student"], "Budget")
    proposal = engine.start(team["inquiry"], team["student"], "tasks.share", tasks.share_payload(task, True))
    assert "Budget" in proposal.title


def test_share_of_a_deleted_task_fails_without_harm(team):
    task = make_task(team["inquiry"], team["student"])
    proposal = engine.start(team["inquiry"], team["student"], "tasks.share", tasks.share_payload(task, True))
    tasks.delete_task(task, team["student"])
    for student in team["students"][1:]:
        engine.take_position(proposal, student, Stance.AGREE)
    assert not proposal.is_open
    assert str(_l("This task does not exist any more.")) in proposal.outcome


def test_delete_records_the_title(team):
    from inquiry_hub.activity.models import Activity

    task = make_task(team["inquiry"], team["student"], "À jeter")
    tasks.delete_task(task, team["student"])
    assert db.session.scalar(select(Activity.summary).where(Activity.verb == "tasks.deleted")) == "À jeter"
