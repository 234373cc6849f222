"""One unit of work per request (issue 17): one commit after a success, nothing kept otherwise.

Run on SQLite and on PostgreSQL (``TEST_DATABASE_URL``). What is "written" is read on a
connection of its own, so only committed rows count.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from flask import abort, g, redirect
from flask_login import current_user
from sqlalchemy import event, func, select

from inquiry_hub import uow
from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.uow import unit_of_work
from tests.conftest import login, make_user
from tests.governance.helpers import free_proposal

VERB = "inquiry.edited"


def _committed(model, *where) -> int:
    """Rows of ``model`` another connection sees: the committed ones."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model).where(*where))


def _marks() -> int:
    return _committed(Activity, Activity.summary == "uow-test")


@contextlib.contextmanager
def _watch():
    """Statements that write (INSERT/UPDATE/DELETE) and real COMMITs, on every connection."""
    seen = {"writes": [], "commits": 0}

    def statement(conn, cursor, sql, parameters, context, executemany):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen["writes"].append(sql.split("\n")[0][:80])

    def commit(conn):
        seen["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def _view(outcome):
    """A view in place of the inquiry home: writes one activity row, then ends with ``outcome``."""

    def view():
        activity.record(g.inquiry, current_user, VERB, summary="uow-test")
        db.session.flush()
        return outcome()

    return view


def _boom():
    raise RuntimeError("the handler failed half-way")


def _keep_anyway():
    uow.commit_even_on_error()
    return "counted", 422


@pytest.fixture
def member(client, team):
    login(client, team["student"])
    return team


@pytest.mark.parametrize(
    ("outcome", "status", "kept"),
    [
        (lambda: "ok", 200, 1),
        (lambda: redirect("/"), 302, 1),
        (_boom, 500, 0),
        (lambda: abort(403), 403, 0),
        (lambda: ("invalid", 422), 422, 0),
        (_keep_anyway, 422, 1),
    ],
    ids=["200", "302", "raises", "aborts-403", "answers-422", "422-kept-on-purpose"],
)
def test_a_handler_s_writes_are_kept_only_when_it_succeeds(
    app, client, member, monkeypatch, outcome, status, kept
):
    monkeypatch.setitem(app.view_functions, "inquiries.home", _view(outcome))
    response = client.get(f"/inquiries/{member['inquiry'].id}/")
    assert response.status_code == status
    assert _marks() == kept


def test_a_handler_that_raises_leaves_nothing_written_by_a_real_service(app, client, member, monkeypatch):
    from inquiry_hub.tasks import services as tasks
    from inquiry_hub.tasks.models import Task, TaskColumn

    real = tasks.create_task

    def create_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("failed after the task was flushed")

    monkeypatch.setattr(tasks, "create_task", create_then_fail)
    client.get(f"/inquiries/{member['inquiry'].id}/tasks/")  # the default columns
    column = db.session.scalars(
        select(TaskColumn).where(TaskColumn.inquiry_id == member["inquiry"].id)
    ).first()
    data = {"title": "Never kept", "column_id": column.id}
    response = client.post(f"/inquiries/{member['inquiry'].id}/tasks/new", data=data)
    assert response.status_code == 500
    assert _committed(Task, Task.title == "Never kept") == 0
    # Positive control: the same form with the real service keeps the task.
    monkeypatch.setattr(tasks, "create_task", real)
    response = client.post(f"/inquiries/{member['inquiry'].id}/tasks/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert _committed(Task, Task.title == "Never kept") == 1


PAGES = ["", "members/", "decisions/", "activity/", "edit", "meetings/", "logbook/", "tasks/", "fieldwork/"]


@pytest.mark.parametrize("page", PAGES)
def test_get_of_an_inquiry_page_writes_nothing(client, member, page):
    url = f"/inquiries/{member['inquiry'].id}/{page}"
    assert client.get(url).status_code == 200  # a first visit may set up defaults (task columns)
    with _watch() as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert seen["writes"] == []


def test_a_get_settles_a_due_proposal_inside_its_one_commit(client, member):
    proposal = free_proposal(member)
    proposal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with _watch() as seen:
        assert client.get(f"/inquiries/{member['inquiry'].id}/").status_code == 200
    assert seen["writes"]  # the lazy half of run-due did its work...
    assert seen["commits"] == 1  # ...in the request's unit of work
    db.session.expire_all()
    assert not db.session.get(type(proposal), proposal.id).is_open


def test_a_post_makes_exactly_one_commit(client, member):
    proposal = free_proposal(member)
    proposal.deadline = utcnow() - timedelta(minutes=1)  # settled by the same request
    db.session.commit()
    with _watch() as seen:
        response = client.post(
            f"/inquiries/{member['inquiry'].id}/logbook/new",
            data={"title": "Journal", "body": "Une entrée.", "written_on": "2026-03-02"},
        )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert seen["commits"] == 1
    assert len(seen["writes"]) > 1


def test_a_refused_post_commits_nothing(client, member):
    with _watch() as seen:
        response = client.post(f"/inquiries/{member['inquiry'].id}/logbook/new", data={"title": ""})
    assert response.status_code == 422
    assert seen["commits"] == 0


# --- outside requests: CLI commands and jobs ------------------------------------------------


def test_unit_of_work_commits_the_block(team):
    with unit_of_work():
        activity.record(team["inquiry"], team["student"], VERB, summary="uow-test")
    assert _marks() == 1


def test_unit_of_work_rolls_back_the_block_that_raises(team):
    with pytest.raises(RuntimeError), unit_of_work():
        activity.record(team["inquiry"], team["student"], VERB, summary="uow-test")
        db.session.flush()
        raise RuntimeError("a step failed")
    assert _marks() == 0
    # Positive control: the session is usable again and the next unit commits.
    with unit_of_work():
        activity.record(team["inquiry"], team["student"], VERB, summary="uow-test")
    assert _marks() == 1


def test_after_commit_runs_once_committed_and_never_after_a_rollback(team):
    seen = []
    with pytest.raises(RuntimeError), unit_of_work():
        uow.after_commit(lambda: seen.append("rolled back"))
        raise RuntimeError
    with unit_of_work():
        activity.record(team["inquiry"], team["student"], VERB, summary="uow-test")
        uow.after_commit(lambda: seen.append(_marks()))
    assert seen == [1]


def test_no_handler_commits_itself():
    """The acceptance grep: only the unit-of-work helpers commit."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "inquiry_hub"
    committing = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "session.commit()" in path.read_text(encoding="utf-8")
    )
    assert committing == ["uow.py"]


def test_a_login_failure_still_counts_though_its_page_is_an_error(client):
    from inquiry_hub.accounts.models import LoginFailure

    user = make_user("Careful")
    login(client, user)
    response = client.post(
        "/account/email", data={"email-email": "new@example.org", "email-password": "wrong"}
    )
    assert response.status_code == 422
    assert _committed(LoginFailure) >= 1
