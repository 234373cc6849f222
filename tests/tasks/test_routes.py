"""The tasks room over HTTP: permissions, conflicts, filters, sharing, mentions, safety, queries."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Proposal
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.models import ChecklistItem, Label, Task, TaskAssignee, TaskComment
from tests.conftest import PASSWORD, count_queries, login
from tests.tasks.helpers import board_url, column, make_task, url

WHO = ("student", "tutor", "partner", "outsider", "admin")


@pytest.fixture
def world(team):
    """The team with one task kept from the partner and one shared with the partner."""
    student = team["student"]
    private = make_task(team["inquiry"], student, "Préparer la grille d'entretien")
    shared = make_task(team["inquiry"], student, "Planifier la restitution", shared=True)
    tasks.add_checklist_item(private, "Relire", student)
    tasks.add_checklist_item(shared, "Relire", student)
    db.session.commit()
    return {**team, "private": private, "shared": shared}


def _edit_data(w, task):
    return {
        "title": "Titre modifié",
        "description": "",
        "column_id": str(column(w["inquiry"], "doing").id),
        "phase_id": "",
        "version": str(task.version),
    }


def _move_data(w, task):
    return {"column_id": str(column(w["inquiry"], "doing").id), "position": "0", "version": str(task.version)}


def _item_url(task):
    return url(task, f"/checklist/{task.checklist[0].id}")


# name → (method, path builder, form data builder); the task is "private" or "shared".
ROUTES = {
    "board": ("GET", lambda w, t: board_url(w["inquiry"]), None),
    "list": ("GET", lambda w, t: board_url(w["inquiry"], "list"), None),
    "new_page": ("GET", lambda w, t: board_url(w["inquiry"], "new"), None),
    "create": (
        "POST",
        lambda w, t: board_url(w["inquiry"], "new"),
        lambda w, t: {"title": "Nouvelle", "column_id": str(column(w["inquiry"]).id)},
    ),
    "view": ("GET", lambda w, t: url(t), None),
    "edit_page": ("GET", lambda w, t: url(t, "/edit"), None),
    "edit": ("POST", lambda w, t: url(t, "/edit"), _edit_data),
    "move": ("POST", lambda w, t: url(t, "/move"), _move_data),
    "step": ("POST", lambda w, t: url(t, "/move"), lambda w, t: {"direction": "right", "version": t.version}),
    "checklist": ("POST", lambda w, t: url(t, "/checklist"), lambda w, t: {"text": "Appeler"}),
    "tick": ("POST", lambda w, t: _item_url(t), lambda w, t: {"done": "y"}),
    "assign_step": (
        "POST",
        lambda w, t: _item_url(t) + "/assign",
        lambda w, t: {"assignee_id": str(w["students"][1].id)},
    ),
    "comment": ("POST", lambda w, t: url(t, "/comments"), lambda w, t: {"body": "Bien vu"}),
    "share": ("POST", lambda w, t: url(t, "/share"), lambda w, t: {"shared": "y"}),
    "delete_page": ("GET", lambda w, t: url(t, "/delete"), None),
    "delete": ("POST", lambda w, t: url(t, "/delete"), lambda w, t: {}),
    "bulk": (
        "POST",
        lambda w, t: board_url(w["inquiry"], "bulk"),
        lambda w, t: {"task_ids": [t.id], "action": "phase", "phase_id": w["inquiry"].phases[2].id},
    ),
    "columns_page": ("GET", lambda w, t: board_url(w["inquiry"], "columns"), None),
    "calendar": ("GET", lambda w, t: board_url(w["inquiry"], "calendar"), None),
    "add_column": ("POST", lambda w, t: board_url(w["inquiry"], "columns"), lambda w, t: {"name": "Bloqué"}),
    "rename_column": (
        "POST",
        lambda w, t: board_url(w["inquiry"], f"columns/{column(w['inquiry'], 'review').id}"),
        lambda w, t: {f"column-{column(w['inquiry'], 'review').id}-name": "Relecture", "action": "rename"},
    ),
}

# Status per role (student, tutor, partner, outsider, admin not a member), on a task that is
# not shared, then on one that is shared with the partner.
EXPECTED = {
    "board": ((200, 200, 200, 404, 404), (200, 200, 200, 404, 404)),
    "list": ((200, 200, 200, 404, 404), (200, 200, 200, 404, 404)),
    "new_page": ((200, 403, 403, 404, 404), (200, 403, 403, 404, 404)),
    "create": ((302, 403, 403, 404, 404), (302, 403, 403, 404, 404)),
    "view": ((200, 200, 404, 404, 404), (200, 200, 200, 404, 404)),
    "edit_page": ((200, 403, 404, 404, 404), (200, 403, 403, 404, 404)),
    "edit": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "move": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "step": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "checklist": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "tick": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "assign_step": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "comment": ((302, 302, 404, 404, 404), (302, 302, 302, 404, 404)),
    # Sharing a shared task means proposing to stop: still the students' collective action.
    "share": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    "delete_page": ((200, 403, 404, 404, 404), (200, 403, 403, 404, 404)),
    "delete": ((302, 403, 404, 404, 404), (302, 403, 403, 404, 404)),
    # The partner's 403 on bulk comes from the inquiry-wide capability, before any task is read.
    "bulk": ((302, 403, 403, 404, 404), (302, 403, 403, 404, 404)),
    "columns_page": ((200, 403, 403, 404, 404), (200, 403, 403, 404, 404)),
    "calendar": ((200, 200, 200, 404, 404), (200, 200, 200, 404, 404)),
    "add_column": ((302, 403, 403, 404, 404), (302, 403, 403, 404, 404)),
    "rename_column": ((302, 403, 403, 404, 404), (302, 403, 403, 404, 404)),
}


def _request(client, w, route: str, which: str):
    method, path, data = ROUTES[route]
    task = w[which]
    if method == "GET":
        return client.get(path(w, task))
    return client.post(path(w, task), data=data(w, task))


def test_http_table_covers_every_route():
    assert set(EXPECTED) == set(ROUTES)


def test_http_table_covers_every_endpoint_of_the_room(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("tasks.")}
    assert endpoints == {
        "tasks.board",
        "tasks.list",
        "tasks.new",
        "tasks.task",
        "tasks.edit",
        "tasks.move",
        "tasks.add_checklist_item",
        "tasks.tick",
        "tasks.assign_checklist_item",
        "tasks.comment",
        "tasks.share",
        "tasks.delete",
        "tasks.bulk",
        "tasks.columns",
        "tasks.edit_column",
        "tasks.month",
    }


@pytest.mark.parametrize("which", ["private", "shared"])
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_status_by_role(client, world, route, who, which):
    login(client, world[who])
    response = _request(client, world, route, which)
    expected = EXPECTED[route][which == "shared"][WHO.index(who)]
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client, world, route):
    response = _request(client, world, route, "private")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("route", ["edit", "move", "checklist", "delete", "share"])
@pytest.mark.parametrize("who", ["tutor", "partner"])
def test_refused_writes_change_nothing(client, world, route, who):
    before = (world["shared"].title, world["shared"].column_id, world["shared"].version)
    login(client, world[who])
    _request(client, world, route, "shared")
    db.session.expire_all()
    task = db.session.get(Task, world["shared"].id)
    assert (task.title, task.column_id, task.version) == before
    assert len(task.checklist) == 1
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_task_of_another_inquiry_is_404_under_this_inquiry(client, team):
    foreign = make_task(team["other_inquiry"], team["outsider"], "Ailleurs")
    login(client, team["student"])
    assert client.get(f"/inquiries/{team['inquiry'].id}/tasks/{foreign.id}").status_code == 404


def test_move_to_a_column_of_another_inquiry_is_404(client, world):
    foreign_column = column(world["other_inquiry"])
    db.session.commit()
    login(client, world["student"])
    data = {"column_id": foreign_column.id, "position": 0, "version": world["private"].version}
    assert client.post(url(world["private"], "/move"), data=data).status_code == 404


def test_rooms_nav_links_to_the_tasks(client, world):
    login(client, world["tutor"])
    page = client.get(f"/inquiries/{world['inquiry'].id}/").get_data(as_text=True)
    assert f'href="/inquiries/{world["inquiry"].id}/tasks/"' in page


# --- board, moves and conflicts ---------------------------------------------------------


def test_board_shows_a_card_with_its_details(client, world):
    student = world["student"]
    task = world["private"]
    tasks.update_task(
        task,
        version=task.version,
        title=task.title,
        description="",
        column=task.column,
        phase=None,
        due_on=utcnow().date() - timedelta(days=2),
        assignees=[world["students"][1]],
        labels=tasks.labels_from_text(world["inquiry"], "entretiens"),
        actor=student,
    )
    tasks.add_comment(task, "Un avis", student)
    db.session.commit()
    login(client, student)
    page = client.get(board_url(world["inquiry"])).get_data(as_text=True)
    card = page[page.index(f'id="task-{task.id}"') :][:4000]
    assert "is-overdue" in page[page.index(f'id="task-{task.id}"') - 40 :][:80]
    assert "entretiens" in card
    assert "0/1" in card
    assert world["students"][1].name in card
    assert "Move left" in card


def test_move_by_drag_and_drop_places_the_card(client, world):
    login(client, world["student"])
    doing = column(world["inquiry"], "doing")
    response = client.post(
        url(world["private"], "/move"),
        data={"column_id": doing.id, "position": 0, "version": world["private"].version},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.get_json()["version"] == 2
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id).column_id == doing.id


def test_keyboard_move_right_goes_to_the_next_column(client, world):
    login(client, world["student"])
    response = client.post(url(world["private"], "/move"), data={"direction": "right", "version": 1})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id).column.kind == "doing"


def test_stale_move_is_a_409_conflict_showing_the_current_state(client, world):
    task = world["private"]
    seen = task.version
    review = column(world["inquiry"], "review")
    tasks.move_task(task, review, 0, seen, world["students"][1])  # another student, first
    db.session.commit()
    login(client, world["student"])
    doing = column(world["inquiry"], "doing")
    response = client.post(url(task, "/move"), data={"column_id": doing.id, "position": 0, "version": seen})
    assert response.status_code == 409
    assert "In review" in response.get_data(as_text=True)


def test_stale_move_overwrites_nothing(client, world):
    task = world["private"]
    seen = task.version
    review = column(world["inquiry"], "review")
    tasks.move_task(task, review, 0, seen, world["students"][1])
    db.session.commit()
    login(client, world["student"])
    doing = column(world["inquiry"], "doing")
    client.post(url(task, "/move"), data={"column_id": doing.id, "position": 0, "version": seen})
    db.session.expire_all()
    fresh = db.session.get(Task, task.id)
    assert (fresh.column_id, fresh.version) == (review.id, seen + 1)


def test_stale_move_by_fetch_gets_a_json_409(client, world):
    login(client, world["student"])
    doing = column(world["inquiry"], "doing")
    response = client.post(
        url(world["private"], "/move"),
        data={"column_id": doing.id, "position": 0, "version": 99},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_stale_edit_shows_both_texts_and_keeps_the_other_one(client, world):
    task = world["private"]
    login(client, world["student"])
    data = {**_edit_data(world, task), "title": "Mon titre", "description": "Mon texte"}
    tasks.update_task(
        task,
        version=task.version,
        title="Leur titre",
        description="Leur texte",
        column=task.column,
        phase=None,
        due_on=None,
        assignees=[],
        labels=[],
        actor=world["students"][1],
    )
    db.session.commit()
    response = client.post(url(task, "/edit"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mon texte" in page and "Leur texte" in page
    db.session.expire_all()
    assert db.session.get(Task, task.id).title == "Leur titre"


# --- creating and bad input ---------------------------------------------------------------


def test_quick_add_from_the_board_returns_to_the_board(client, world):
    login(client, world["student"])
    todo = column(world["inquiry"])
    response = client.post(
        board_url(world["inquiry"], "new"),
        data={"title": "Appeler la mairie", "column_id": todo.id, "return_to": "board"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(board_url(world["inquiry"]))


def test_full_form_creates_a_task_with_all_its_fields(client, world):
    login(client, world["student"])
    phase = world["inquiry"].phases[1]
    response = client.post(
        board_url(world["inquiry"], "new"),
        data={
            "title": "Transcrire l'entretien 3",
            "description": "**Vite**",
            "column_id": column(world["inquiry"], "doing").id,
            "phase_id": phase.id,
            "due_on": "2026-12-01",
            "assignee_ids": [world["students"][1].id, world["students"][2].id],
            "label_names": "transcription, urgent",
        },
    )
    assert response.status_code == 302
    task = db.session.scalar(select(Task).where(Task.title == "Transcrire l'entretien 3"))
    assert task.phase_id == phase.id
    assert {u.id for u in task.assignees} == {world["students"][1].id, world["students"][2].id}
    assert sorted(label.name for label in task.labels) == ["transcription", "urgent"]


@pytest.mark.parametrize(
    "change",
    [{"title": ""}, {"title": "x" * 201}, {"column_id": "foreign"}, {"assignee_ids": "outsider"}],
    ids=["missing title", "too long title", "other inquiry's column", "assignee not a member"],
)
def test_bad_input_re_renders_with_errors_and_saves_nothing(client, world, change):
    foreign = column(world["other_inquiry"])
    db.session.commit()
    before = db.session.scalar(select(func.count(Task.id)))
    login(client, world["student"])
    data = {"title": "Valide", "column_id": column(world["inquiry"]).id, "label_names": "neuf", **change}
    if data["column_id"] == "foreign":
        data["column_id"] = foreign.id
    if data.get("assignee_ids") == "outsider":
        data["assignee_ids"] = world["outsider"].id
    response = client.post(board_url(world["inquiry"], "new"), data=data)
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Task.id))) == before
    assert db.session.scalar(select(func.count(Label.id))) == 0


def test_bad_edit_saves_nothing(client, world):
    login(client, world["student"])
    task = world["private"]
    response = client.post(url(task, "/edit"), data={**_edit_data(world, task), "title": ""})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Task, task.id).version == task.version


def test_empty_comment_is_refused(client, world):
    login(client, world["student"])
    response = client.post(url(world["private"], "/comments"), data={"body": "  "})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(TaskComment.id))) == 0


# --- checklist, delete, history ---------------------------------------------------------


def test_ticking_a_checklist_item_marks_it_done(client, world):
    login(client, world["student"])
    client.post(_item_url(world["private"]), data={"done": "y"})
    db.session.expire_all()
    assert db.session.scalars(select(ChecklistItem.done)).all().count(True) == 1


def test_checklist_item_of_another_task_is_404(client, world):
    login(client, world["student"])
    other_item = world["shared"].checklist[0].id
    response = client.post(url(world["private"], f"/checklist/{other_item}"), data={"done": "y"})
    assert response.status_code == 404


def test_delete_asks_for_confirmation_first(client, world):
    login(client, world["student"])
    page = html.unescape(client.get(url(world["private"], "/delete")).get_data(as_text=True))
    assert world["private"].title in page
    assert db.session.get(Task, world["private"].id) is not None


def test_confirmed_delete_removes_the_task_and_its_children(client, world):
    login(client, world["student"])
    client.post(url(world["private"], "/delete"))
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id) is None
    assert db.session.scalar(select(func.count(ChecklistItem.id))) == 1  # the shared task's


def test_task_page_shows_its_history(client, world):
    login(client, world["student"])
    page = client.get(url(world["private"])).get_data(as_text=True)
    assert "created a task" in page and "added a checklist item" in page


def test_partner_does_not_see_the_history_of_a_shared_task(client, world):
    title = world["shared"].title
    login(client, world["partner"])
    response = client.get(url(world["shared"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and title in page  # control: the partner reads the task
    assert "created a task" not in page


@pytest.mark.parametrize(
    ("route", "verb"),
    [
        ("create", "tasks.created"),
        ("edit", "tasks.edited"),
        ("move", "tasks.moved"),
        ("step", "tasks.moved"),
        ("checklist", "tasks.checklist_added"),
        ("tick", "tasks.checklist_ticked"),
        ("comment", "tasks.commented"),
        ("delete", "tasks.deleted"),
        ("bulk", "tasks.edited"),
        ("add_column", "tasks.column_added"),
        ("rename_column", "tasks.column_renamed"),
    ],
)
def test_every_write_is_in_the_activity_log(client, world, route, verb):
    login(client, world["student"])
    before = db.session.scalar(select(func.count(Activity.id)).where(Activity.verb == verb))
    _request(client, world, route, "private")
    assert db.session.scalar(select(func.count(Activity.id)).where(Activity.verb == verb)) == before + 1


# --- list view and filters --------------------------------------------------------------


@pytest.fixture
def listed(team):
    """Tasks that differ on one criterion each from the one every filter below matches."""
    inquiry, me, other = team["inquiry"], team["student"], team["students"][1]
    today = utcnow().date()
    phase = inquiry.phases[1]
    tag = tasks.labels_from_text(inquiry, "terrain")

    def task(title, **kw):
        fields = {"assignees": [me], "labels": tag, "phase": phase, "due_on": today - timedelta(days=3)}
        fields.update(kw)
        return make_task(inquiry, me, title, kind=fields.pop("kind", "doing"), **fields)

    task("Cible entretien")
    task("Autre entretien", assignees=[other])
    task("Cible sans label entretien", labels=[])
    task("Cible autre phase entretien", phase=inquiry.phases[0])
    task("Cible pas en retard entretien", due_on=today + timedelta(days=30))
    task("Cible finie entretien", kind="done")
    task("Cible courrier")
    return {**team, "phase": phase, "label": tag[0]}


def _titles(page: str) -> set[str]:
    return {
        html.unescape(t) for t in re.findall(r'<a href="/inquiries/\d+/tasks/\d+"[^>]*>([^<]+)</a>', page)
    }


def test_filters_combine_in_the_url(client, listed):
    login(client, listed["student"])
    query = {
        "mine": "y",
        "label": listed["label"].id,
        "phase": listed["phase"].id,
        "due": "overdue",
        "q": "entretien",
    }
    page = client.get(board_url(listed["inquiry"], "list"), query_string=query).get_data(as_text=True)
    assert _titles(page) == {"Cible entretien"}


def test_assignee_and_status_filters_combine(client, listed):
    login(client, listed["student"])
    query = {"assignee": listed["students"][1].id, "column": column(listed["inquiry"], "doing").id}
    page = client.get(board_url(listed["inquiry"], "list"), query_string=query).get_data(as_text=True)
    assert _titles(page) == {"Autre entretien"}


def test_due_this_week_filter(client, team):
    today = utcnow().date()
    make_task(team["inquiry"], team["student"], "Aujourd'hui", due_on=today)
    make_task(team["inquiry"], team["student"], "Dans un mois", due_on=today + timedelta(days=31))
    make_task(team["inquiry"], team["student"], "Sans date")
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"], "list"), query_string={"due": "week"})
    assert _titles(page.get_data(as_text=True)) == {"Aujourd'hui"}


def test_sort_by_due_date_puts_the_earliest_first(client, team):
    today = utcnow().date()
    make_task(team["inquiry"], team["student"], "Plus tard", due_on=today + timedelta(days=9))
    make_task(team["inquiry"], team["student"], "Bientôt", due_on=today + timedelta(days=1))
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"], "list"), query_string={"sort": "due"}).get_data(as_text=True)
    assert page.index("Bientôt") < page.index("Plus tard")


def test_filter_values_stay_in_the_form(client, listed):
    login(client, listed["student"])
    page = client.get(board_url(listed["inquiry"], "list"), query_string={"q": "entretien", "due": "overdue"})
    text = page.get_data(as_text=True)
    assert 'value="entretien"' in text
    assert re.search(r'<option selected value="overdue">|<option value="overdue" selected', text)


def test_nonsense_filter_values_are_ignored(client, listed):
    login(client, listed["student"])
    query = {"assignee": "abc", "label": "999999", "sort": "drop table"}
    response = client.get(board_url(listed["inquiry"], "list"), query_string=query)
    assert response.status_code == 200
    assert len(_titles(response.get_data(as_text=True))) == 7


def test_list_is_paginated_at_50(client, team):
    todo = column(team["inquiry"])
    db.session.add_all(
        Task(inquiry_id=team["inquiry"].id, column_id=todo.id, title=f"T{i:03}", position=i)
        for i in range(55)
    )
    db.session.commit()
    login(client, team["student"])
    first = client.get(board_url(team["inquiry"], "list")).get_data(as_text=True)
    second = client.get(board_url(team["inquiry"], "list"), query_string={"page": 2}).get_data(as_text=True)
    assert len(_titles(first)) == 50
    assert len(_titles(second)) == 5


@pytest.mark.parametrize("number", ["abc", "0", "-3", "7", "99999999999999999999999"])
def test_list_page_out_of_range_shows_a_real_page(client, team, number):
    todo = column(team["inquiry"])
    db.session.add_all(
        Task(inquiry_id=team["inquiry"].id, column_id=todo.id, title=f"T{i:03}", position=i)
        for i in range(55)
    )
    db.session.commit()
    login(client, team["student"])
    response = client.get(board_url(team["inquiry"], "list"), query_string={"page": number})
    expected = 5 if number in ("7", "99999999999999999999999") else 50
    assert response.status_code == 200 and len(_titles(response.get_data(as_text=True))) == expected


def test_list_pages_keep_the_filters(client, team):
    todo = column(team["inquiry"])
    db.session.add_all(
        Task(inquiry_id=team["inquiry"].id, column_id=todo.id, title=f"T{i:03}", position=i)
        for i in range(55)
    )
    db.session.commit()
    login(client, team["student"])
    query = {"q": "T0", "sort": "due", "column": todo.id}
    page = client.get(board_url(team["inquiry"], "list"), query_string=query).get_data(as_text=True)
    link = re.search(r'<a href="([^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert {"q=T0", "sort=due", f"column={todo.id}"} <= set(link.split("?", 1)[1].split("&"))
    assert len(_titles(client.get(link).get_data(as_text=True))) == 5


# --- the partner --------------------------------------------------------------------------


def test_partner_sees_only_shared_tasks_on_the_board(client, world):
    login(client, world["partner"])
    page = html.unescape(client.get(board_url(world["inquiry"])).get_data(as_text=True))
    assert world["shared"].title in page
    assert world["private"].title not in page


def test_partner_sees_only_shared_tasks_in_the_list(client, world):
    login(client, world["partner"])
    page = client.get(board_url(world["inquiry"], "list")).get_data(as_text=True)
    assert _titles(page) == {world["shared"].title}


def test_partner_gets_404_on_a_task_not_shared(client, world):
    login(client, world["partner"])
    assert client.get(url(world["private"])).status_code == 404


def test_partner_comments_on_a_shared_task(client, world):
    login(client, world["partner"])
    client.post(url(world["shared"], "/comments"), data={"body": "Merci !"})
    assert db.session.scalar(select(TaskComment.body)) == "Merci !"


def test_partner_board_offers_no_move_buttons(client, world):
    login(client, world["partner"])
    page = client.get(board_url(world["inquiry"])).get_data(as_text=True)
    assert world["shared"].title in page  # control: the partner's board shows the shared task
    assert "Move left" not in page and "data-sortable" not in page


def test_sharing_under_any_member_rule_shows_the_task_to_the_partner(client, world):
    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    login(client, world["student"])
    client.post(url(world["private"], "/share"), data={"shared": "y"})
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id).shared_with_partner


def test_sharing_under_consent_opens_a_proposal_and_shares_nothing_yet(client, world):
    login(client, world["student"])
    response = client.post(url(world["private"], "/share"), data={"shared": "y"})
    assert "/decisions/" in response.headers["Location"]
    db.session.expire_all()
    assert not db.session.get(Task, world["private"].id).shared_with_partner
    assert db.session.scalar(select(Proposal.action)) == "tasks.share"


# --- mentions and notifications ---------------------------------------------------------


def _notified(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def test_mention_by_email_local_part_notifies_that_member(client, world):
    mentioned = world["students"][1]
    login(client, world["student"])
    local = mentioned.email.split("@")[0]
    client.post(url(world["private"], "/comments"), data={"body": f"Tu peux relire, @{local} ?"})
    assert _notified("task.mentioned") == {mentioned.id}


def test_mention_of_the_partner_on_a_task_not_shared_notifies_nobody(client, world):
    login(client, world["student"])
    local = world["partner"].email.split("@")[0]
    client.post(url(world["private"], "/comments"), data={"body": f"@{local} voit-il ceci ?"})
    assert _notified("task.mentioned") == set()


def test_assigning_notifies_the_assignee(client, world):
    login(client, world["student"])
    data = {**_edit_data(world, world["private"]), "assignee_ids": [world["students"][2].id]}
    client.post(url(world["private"], "/edit"), data=data)
    assert _notified("task.assigned") == {world["students"][2].id}


def test_notification_reads_as_a_sentence(client, world):
    login(client, world["student"])
    local = world["students"][1].email.split("@")[0]
    client.post(url(world["private"], "/comments"), data={"body": f"@{local}"})
    client.post("/auth/logout")
    login(client, world["students"][1])
    page = client.get("/notifications/").get_data(as_text=True)
    assert "mentioned you on the task" in page


# --- Markdown is inert ------------------------------------------------------------------

HOSTILE = (
    "<script>alert('x')</script>\n\n"
    "[clique](javascript:alert(1))\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    '[autre](JaVaScRiPt:alert(1) "t")'
)


def _assert_inert(page: str) -> None:
    assert "<script>alert" not in page
    assert not re.search(r"<[^>]*href=\"\s*javascript:", page, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", page, re.IGNORECASE)
    assert "<img" not in page


def test_markdown_in_a_description_renders_inert(client, world):
    make_task(world["inquiry"], world["student"], "Piège", description=HOSTILE)
    task = db.session.scalar(select(Task).where(Task.title == "Piège"))
    login(client, world["student"])
    _assert_inert(client.get(url(task)).get_data(as_text=True))


def test_markdown_in_a_comment_renders_inert(client, world):
    login(client, world["student"])
    client.post(url(world["private"], "/comments"), data={"body": HOSTILE})
    _assert_inert(client.get(url(world["private"])).get_data(as_text=True))


# --- constant query count ---------------------------------------------------------------


def _fill(team, n: int) -> None:
    """n tasks spread over the columns, each with an assignee, a label, a checklist, a comment."""
    inquiry, student = team["inquiry"], team["student"]
    columns = tasks.columns_of(inquiry)
    label = tasks.labels_from_text(inquiry, "terrain")[0]
    rows = [
        Task(
            inquiry_id=inquiry.id,
            column_id=columns[i % len(columns)].id,
            title=f"Tâche {i}",
            position=i,
            due_on=utcnow().date() + timedelta(days=i % 20 - 10),
            labels=[label],
            checklist=[ChecklistItem(text="a"), ChecklistItem(text="b", done=True)],
            comments=[TaskComment(author_id=student.id, body="ok")],
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(TaskAssignee(task_id=t.id, user_id=team["students"][t.id % 3].id) for t in rows)
    db.session.commit()


def _queries(client, path: str) -> int:
    client.get(path)  # warm up: the test shares its session with the requests
    db.session.expire_all()
    with count_queries() as n:
        response = client.get(path)
    assert response.status_code == 200
    return n()


@pytest.mark.parametrize("page", ["", "list", "list?mine=y&sort=due&due=overdue", "calendar"])
def test_query_count_does_not_grow_with_the_tasks(client, team, page):
    login(client, team["student"])
    _fill(team, 10)
    few = _queries(client, board_url(team["inquiry"], page))
    _fill(team, 290)
    many = _queries(client, board_url(team["inquiry"], page))
    assert few == many


@pytest.mark.parametrize(
    "page", ["", "list", "list?mine=y&sort=due&due=overdue", "list?column=1&sort=updated"]
)
def test_task_pages_stay_within_15_queries(client, team, page):
    login(client, team["student"])
    _fill(team, 300)
    assert _queries(client, board_url(team["inquiry"], page)) <= 15


# --- the board shows open tasks and only the last done ones -------------------------------


def _done_tasks(team, n: int, shared_every: int = 0) -> list[Task]:
    """n tasks in the done column, positions 0 to n - 1 (the last one landed last)."""
    done = column(team["inquiry"], "done")
    rows = [
        Task(
            inquiry_id=team["inquiry"].id,
            column_id=done.id,
            title=f"Fini {i:02}",
            position=i,
            shared_with_partner=bool(shared_every) and i % shared_every == 0,
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _card_titles(page: str, column_id: int) -> list[str]:
    start = page.index(f'data-column-id="{column_id}"')
    return re.findall(
        r'<h3 class="task-title"><a href="[^"]+">([^<]+)</a>', page[start : page.index("</ol>", start)]
    )


def test_board_shows_only_the_last_done_tasks(client, team):
    _done_tasks(team, tasks.DONE_ON_BOARD + 5)
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"])).get_data(as_text=True)
    shown = _card_titles(page, column(team["inquiry"], "done").id)
    assert shown == [f"Fini {i:02}" for i in range(5, tasks.DONE_ON_BOARD + 5)]


def test_board_shows_every_open_task(client, team):
    todo = column(team["inquiry"])
    db.session.add_all(
        Task(inquiry_id=team["inquiry"].id, column_id=todo.id, title=f"Ouverte {i:02}", position=i)
        for i in range(tasks.DONE_ON_BOARD + 5)
    )
    db.session.commit()
    _done_tasks(team, tasks.DONE_ON_BOARD + 5)
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"])).get_data(as_text=True)
    assert len(_card_titles(page, todo.id)) == tasks.DONE_ON_BOARD + 5


def test_done_column_counts_every_done_task_and_links_to_them(client, team):
    _done_tasks(team, tasks.DONE_ON_BOARD + 5)
    done = column(team["inquiry"], "done")
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"])).get_data(as_text=True)
    section = page[page.index(f'id="column-{done.id}"') :]
    assert f">{tasks.DONE_ON_BOARD + 5}</span>" in section[:400]
    assert 'data-offset="5"' in section
    link = html.unescape(re.search(r'<a href="([^"]+)">Show all 25 done tasks</a>', section).group(1))
    listed = client.get(link).get_data(as_text=True)
    assert len(_titles(listed)) == tasks.DONE_ON_BOARD + 5


def test_done_column_without_hidden_tasks_has_no_link(client, team):
    _done_tasks(team, 3)
    done = column(team["inquiry"], "done")
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"])).get_data(as_text=True)
    assert len(_card_titles(page, done.id)) == 3  # control: the done tasks are on the board
    assert "done tasks</a>" not in page
    assert "data-offset" not in page


def test_partner_board_counts_only_shared_done_tasks(client, team):
    _done_tasks(team, 60, shared_every=2)
    done = column(team["inquiry"], "done")
    login(client, team["partner"])
    page = client.get(board_url(team["inquiry"])).get_data(as_text=True)
    shown = _card_titles(page, done.id)
    assert len(shown) == tasks.DONE_ON_BOARD
    assert all(int(title.split()[-1]) % 2 == 0 for title in shown)
    assert "Show all 30 done tasks" in page


def test_dropping_a_card_among_the_shown_done_tasks_counts_the_hidden_ones(client, team):
    rows = _done_tasks(team, tasks.DONE_ON_BOARD + 5)
    task = make_task(team["inquiry"], team["student"], "À finir")
    login(client, team["student"])
    # board.js sends the hidden cards' number (data-offset) plus the index among the shown ones.
    data = {"column_id": str(rows[0].column_id), "position": str(5 + 1), "version": str(task.version)}
    response = client.post(url(task, "/move"), data=data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    # Dropped between the first two shown cards, "Fini 05" and "Fini 06".
    titles = db.session.scalars(
        select(Task.title).where(Task.column_id == rows[0].column_id).order_by(Task.position)
    ).all()
    assert titles[5:8] == ["Fini 05", "À finir", "Fini 06"]


def test_keyboard_move_left_from_the_done_column_still_works(client, team):
    rows = _done_tasks(team, tasks.DONE_ON_BOARD + 5)
    last = rows[-1]
    login(client, team["student"])
    response = client.post(url(last, "/move"), data={"direction": "left", "version": str(last.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, last.id).column_id == column(team["inquiry"], "review").id


# --- bulk actions -------------------------------------------------------------------------


def _bulk(client, w, ids, **data):
    return client.post(board_url(w["inquiry"], "bulk"), data={"task_ids": ids, **data})


def test_bulk_move_puts_the_ticked_tasks_in_the_column(client, world):
    login(client, world["student"])
    done = column(world["inquiry"], "done")
    ids = [world["private"].id, world["shared"].id]
    _bulk(client, world, ids, action="move", column_id=done.id)
    db.session.expire_all()
    assert {t.column_id for t in db.session.scalars(select(Task))} == {done.id}


def test_bulk_assign_adds_the_person_and_notifies(client, world):
    login(client, world["student"])
    other = world["students"][1]
    _bulk(client, world, [world["private"].id, world["shared"].id], action="assign", assignee_id=other.id)
    assert db.session.scalar(select(func.count()).select_from(TaskAssignee)) == 2
    assert _notified("task.assigned") == {other.id}


def test_bulk_phase_can_clear_the_phase(client, world):
    world["private"].phase = world["inquiry"].phases[0]
    db.session.commit()
    login(client, world["student"])
    _bulk(client, world, [world["private"].id], action="phase", phase_id="")
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id).phase_id is None


def test_bulk_delete_asks_for_confirmation_first(client, world):
    login(client, world["student"])
    response = _bulk(client, world, [world["private"].id], action="delete")
    assert response.status_code == 200
    assert 'name="confirm"' in response.get_data(as_text=True)
    assert db.session.get(Task, world["private"].id) is not None


def test_confirmed_bulk_delete_deletes(client, world):
    login(client, world["student"])
    _bulk(client, world, [world["private"].id, world["shared"].id], action="delete", confirm="1")
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_bulk_ignores_tasks_of_another_inquiry(client, world):
    foreign = make_task(world["other_inquiry"], world["outsider"], "Ailleurs")
    login(client, world["student"])
    _bulk(client, world, [foreign.id], action="delete", confirm="1")
    assert db.session.get(Task, foreign.id) is not None
    _bulk(client, world, [world["private"].id], action="delete", confirm="1")  # control: an own task goes
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id) is None


def test_bulk_move_without_a_column_changes_nothing(client, world):
    login(client, world["student"])
    response = _bulk(client, world, [world["private"].id], action="move")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, world["private"].id).version == world["private"].version


def test_bulk_returns_to_the_same_filters(client, world):
    login(client, world["student"])
    response = _bulk(
        client, world, [world["private"].id], action="phase", phase_id="", back="q=grille&due=week"
    )
    assert response.headers["Location"].endswith("/tasks/list?q=grille&due=week")


def test_list_offers_bulk_actions_to_students_only(client, world):
    login(client, world["student"])  # control: a student has the form
    assert 'id="bulk-form"' in client.get(board_url(world["inquiry"], "list")).get_data(as_text=True)
    login(client, world["tutor"])
    response = client.get(board_url(world["inquiry"], "list"))
    assert response.status_code == 200
    assert 'id="bulk-form"' not in response.get_data(as_text=True)


# --- columns ----------------------------------------------------------------------------


def test_added_column_appears_on_the_board(client, world):
    login(client, world["student"])
    client.post(board_url(world["inquiry"], "columns"), data={"name": "Bloqué"})
    assert "Bloqué" in client.get(board_url(world["inquiry"])).get_data(as_text=True)


def test_renamed_column_shows_its_new_name(client, world):
    login(client, world["student"])
    review = column(world["inquiry"], "review")
    client.post(
        board_url(world["inquiry"], f"columns/{review.id}"),
        data={f"column-{review.id}-name": "Relecture croisée", "action": "rename"},
    )
    assert "Relecture croisée" in client.get(board_url(world["inquiry"])).get_data(as_text=True)


def test_column_moves_right(client, world):
    login(client, world["student"])
    todo = column(world["inquiry"], "todo")
    client.post(board_url(world["inquiry"], f"columns/{todo.id}"), data={"action": "right"})
    db.session.expire_all()
    assert [c.kind for c in tasks.columns_of(world["inquiry"])][:2] == ["doing", "todo"]


def test_column_with_tasks_is_not_deleted(client, world):
    login(client, world["student"])
    todo = column(world["inquiry"], "todo")
    client.post(board_url(world["inquiry"], f"columns/{todo.id}"), data={"action": "delete"})
    assert len(tasks.columns_of(world["inquiry"])) == 4


def test_empty_column_is_deleted(client, world):
    login(client, world["student"])
    review = column(world["inquiry"], "review")
    client.post(board_url(world["inquiry"], f"columns/{review.id}"), data={"action": "delete"})
    db.session.expire_all()
    assert [c.kind for c in tasks.columns_of(world["inquiry"])] == ["todo", "doing", "done"]


def test_column_of_another_inquiry_is_404(client, world):
    foreign = column(world["other_inquiry"])
    db.session.commit()
    login(client, world["student"])
    response = client.post(board_url(world["inquiry"], f"columns/{foreign.id}"), data={"action": "delete"})
    assert response.status_code == 404


def test_new_column_needs_a_name(client, world):
    login(client, world["student"])
    response = client.post(board_url(world["inquiry"], "columns"), data={"name": ""})
    assert response.status_code == 422
    assert len(tasks.columns_of(world["inquiry"])) == 4


# --- CSRF ---------------------------------------------------------------------------------


def test_move_without_csrf_token_is_400(client, world, csrf_enabled):
    login_with_csrf(client, world["student"])
    data = {"direction": "right", "version": world["private"].version}
    assert client.post(url(world["private"], "/move"), data=data).status_code == 400


def test_move_with_the_board_meta_token_is_accepted(client, world, csrf_enabled):
    login_with_csrf(client, world["student"])
    page = client.get(board_url(world["inquiry"])).get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    data = {
        "csrf_token": token,
        "column_id": column(world["inquiry"], "done").id,
        "position": 0,
        "version": 1,
    }
    response = client.post(url(world["private"], "/move"), data=data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200


def login_with_csrf(client, user) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page
    )
    value = token.group(1) or token.group(2)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": value}
    )
    assert response.status_code == 302
