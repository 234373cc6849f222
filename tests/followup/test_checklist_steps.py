"""Checklist steps given to someone: the form on the task page, its notification, "my work"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inquiry_hub.activity.models import Notification
from inquiry_hub.extensions import db
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.models import ChecklistItem
from tests.conftest import count_queries, login, make_inquiry, make_user
from tests.followup.conftest import main_of
from tests.tasks.helpers import make_task, url
from tests.tasks.test_routes import login_with_csrf

WHO = ("student", "tutor", "partner", "outsider", "admin")


@pytest.fixture
def steps(team):
    """A task kept from the partner and a shared one, each with one checklist step."""
    student = team["student"]
    private = make_task(team["inquiry"], student, "Préparer la grille")
    shared = make_task(team["inquiry"], student, "Planifier la restitution", shared=True)
    items = {
        "private": tasks.add_checklist_item(private, "Relire les questions", student),
        "shared": tasks.add_checklist_item(shared, "Réserver la salle", student),
    }
    db.session.commit()
    return {**team, "private": private, "shared": shared, "items": items}


def _assign_url(task, item) -> str:
    return url(task, f"/checklist/{item.id}/assign")


def _assignee_id(item) -> int | None:
    db.session.expire_all()
    return db.session.get(ChecklistItem, item.id).assignee_id


def _kinds_of(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def _assign(client, w, which: str, value):
    return client.post(_assign_url(w[which], w["items"][which]), data={"assignee_id": str(value)})


# --- permissions ----------------------------------------------------------------------------

# Status per role (student, tutor, partner, outsider, admin not a member) on the private task's
# step, then on the shared task's step: only students write; the partner never learns of
# an unshared task.
EXPECTED = {
    "private": (302, 403, 404, 404, 404),
    "shared": (302, 403, 403, 404, 404),
}


@pytest.mark.parametrize("which", ["private", "shared"])
@pytest.mark.parametrize("who", WHO)
def test_assign_step_status_by_role(client, steps, who, which):
    login(client, steps[who])
    response = _assign(client, steps, which, steps["students"][1].id)
    assert response.status_code == EXPECTED[which][WHO.index(who)]
    expected = steps["students"][1].id if who == "student" else None
    assert _assignee_id(steps["items"][which]) == expected


def test_anonymous_is_sent_to_login(client, steps):
    response = _assign(client, steps, "private", steps["students"][1].id)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert _assignee_id(steps["items"]["private"]) is None


def test_step_of_another_task_is_404(client, steps):
    login(client, steps["student"])
    other = steps["items"]["shared"]
    response = client.post(_assign_url(steps["private"], other), data={"assignee_id": steps["student"].id})
    assert response.status_code == 404
    assert _assignee_id(other) is None


def test_step_of_another_inquiry_is_404(client, steps):
    foreign_task = make_task(steps["other_inquiry"], steps["outsider"], "Ailleurs")
    foreign = tasks.add_checklist_item(foreign_task, "Étape", steps["outsider"])
    db.session.commit()
    login(client, steps["student"])
    response = client.post(
        f"/inquiries/{steps['inquiry'].id}/tasks/{foreign_task.id}/checklist/{foreign.id}/assign",
        data={"assignee_id": steps["student"].id},
    )
    assert response.status_code == 404
    assert _assignee_id(foreign) is None


def test_forged_csrf_is_refused_and_changes_nothing(client, steps, csrf_enabled):
    login_with_csrf(client, steps["student"])
    for token in ("forged", None):
        data = {"assignee_id": steps["students"][1].id}
        if token:
            data["csrf_token"] = token
        response = client.post(_assign_url(steps["private"], steps["items"]["private"]), data=data)
        assert response.status_code == 400
    assert _assignee_id(steps["items"]["private"]) is None


# --- bad inputs: a form error, never a 500, nothing changed ------------------------------------


@pytest.mark.parametrize(
    "value", ["partner", "tutor", "outsider", "abc", "999999", "9" * 60, "-1", "1.5", None]
)
def test_bad_assignee_is_a_form_error(client, steps, value):
    item = steps["items"]["private"]
    tasks.assign_checklist_item(item, steps["students"][2], steps["student"])
    db.session.commit()
    login(client, steps["student"])
    chosen = steps[value].id if value in ("partner", "tutor", "outsider") else value
    data = {} if chosen is None else {"assignee_id": str(chosen)}
    response = client.post(_assign_url(steps["private"], item), data=data)
    assert response.status_code == 422
    page = main_of(response)
    assert f'id="assign-{item.id}-error"' in page and 'aria-invalid="true"' in page
    assert _assignee_id(item) == steps["students"][2].id


# --- behaviour ----------------------------------------------------------------------------------


def test_assigning_a_step_notifies_the_assignee_and_nobody_else(client, steps):
    login(client, steps["student"])
    response = _assign(client, steps, "private", steps["students"][1].id)
    assert response.status_code == 302
    assert _assignee_id(steps["items"]["private"]) == steps["students"][1].id
    recipients = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == "task.checklist_assigned"))
    )
    assert recipients == {steps["students"][1].id}


def test_the_notification_names_the_step_and_links_the_task(client, steps):
    login(client, steps["student"])
    _assign(client, steps, "private", steps["students"][1].id)
    notification = db.session.scalar(
        select(Notification).where(Notification.kind == "task.checklist_assigned")
    )
    assert notification.url == url(steps["private"])
    assert notification.params["item"] == "Relire les questions"


def test_taking_a_step_oneself_notifies_nobody(client, steps):
    login(client, steps["student"])
    _assign(client, steps, "private", steps["student"].id)
    assert _assignee_id(steps["items"]["private"]) == steps["student"].id
    assert "task.checklist_assigned" not in _kinds_of(steps["student"])


def test_assigning_the_same_person_again_notifies_once(client, steps):
    login(client, steps["student"])
    _assign(client, steps, "private", steps["students"][1].id)
    _assign(client, steps, "private", steps["students"][1].id)
    assert _kinds_of(steps["students"][1]).count("task.checklist_assigned") == 1


def test_a_step_can_be_given_to_someone_else_then_to_nobody(client, steps):
    login(client, steps["student"])
    _assign(client, steps, "private", steps["students"][1].id)
    _assign(client, steps, "private", steps["students"][2].id)
    assert _assignee_id(steps["items"]["private"]) == steps["students"][2].id
    assert "task.checklist_assigned" in _kinds_of(steps["students"][2])
    _assign(client, steps, "private", "")
    assert _assignee_id(steps["items"]["private"]) is None


def test_the_task_page_shows_who_takes_each_step(client, steps):
    login(client, steps["student"])
    _assign(client, steps, "private", steps["students"][1].id)
    client.post("/auth/logout")
    login(client, steps["tutor"])
    page = main_of(client.get(url(steps["private"])))
    assert "Assigned to Student 1" in page
    assert "/assign" not in page  # the tutor reads, only students assign


def test_the_select_offers_only_people_who_can_be_assigned(client, steps):
    login(client, steps["student"])
    page = main_of(client.get(url(steps["private"])))
    select_html = page.split(f'id="assign-{steps["items"]["private"].id}"', 1)[1].split("</select>", 1)[0]
    for student in steps["students"]:
        assert f'value="{student.id}"' in select_html
    for other in ("tutor", "partner", "outsider"):
        assert f'value="{steps[other].id}"' not in select_html
    assert f'<label for="assign-{steps["items"]["private"].id}"' in page


def test_task_page_queries_do_not_grow_with_assigned_steps(client, steps):
    from inquiry_hub import policy
    from inquiry_hub.accounts.models import User
    from inquiry_hub.inquiries import services as inquiries
    from inquiry_hub.tasks.models import Task

    people = [make_user(f"Extra {i}") for i in range(6)]
    for person in people:
        inquiries.add_member(steps["inquiry"], person, policy.Role.STUDENT)
    task_id, path, actor_id = steps["private"].id, url(steps["private"]), steps["student"].id
    person_ids = [p.id for p in people]
    db.session.commit()

    def count():
        assert client.get(path).status_code == 200  # warm-up: caches filled once per app
        db.session.expunge_all()  # as in production: nothing of the page already loaded
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        return queries()

    def assign(text, person_id):
        task, actor = db.session.get(Task, task_id), db.session.get(User, actor_id)
        item = tasks.add_checklist_item(task, text, actor)
        tasks.assign_checklist_item(item, db.session.get(User, person_id), actor)
        db.session.commit()

    login(client, steps["tutor"])  # a reader: no list of assignable people loads them anyway
    assign("Étape", person_ids[0])
    few = count()
    for i, person_id in enumerate(person_ids[1:]):
        assign(f"Autre {i}", person_id)
    assert count() == few


# --- my work ---------------------------------------------------------------------------------------


def test_my_work_lists_my_open_steps_with_their_task(client, steps):
    me = steps["students"][1]
    tasks.assign_checklist_item(steps["items"]["private"], me, steps["student"])
    ticked = tasks.add_checklist_item(steps["private"], "Déjà fait", steps["student"])
    tasks.assign_checklist_item(ticked, me, steps["student"])
    tasks.set_checklist_item(ticked, True, steps["student"])
    theirs = tasks.add_checklist_item(steps["private"], "Pour quelqu'un d'autre", steps["student"])
    tasks.assign_checklist_item(theirs, steps["students"][2], steps["student"])
    db.session.commit()
    login(client, me)
    html = main_of(client.get("/me/"))
    section = html.split('id="my-steps"', 1)[1].split("</section>", 1)[0]
    assert "Relire les questions" in section
    assert f'href="{url(steps["private"])}#item-{steps["items"]["private"].id}"' in section
    assert "Déjà fait" not in section and "Pour quelqu" not in section


def _world(n: int):
    """n inquiries sharing one student, each with a task whose steps are given to that student."""
    student, mate = make_user("Student"), make_user("Mate")
    for i in range(n):
        inquiry = make_inquiry(f"Inquiry {i}", students=[student, mate])
        task = make_task(inquiry, mate, f"Task {i}")
        for j in range(2):
            item = tasks.add_checklist_item(task, f"Step {i}.{j}", mate)
            tasks.assign_checklist_item(item, student, mate)
    db.session.commit()
    return student


def test_my_work_queries_do_not_grow_with_assigned_steps(app):
    counts = []
    for n in (2, 6):
        student = _world(n)
        client = app.test_client()
        login(client, student)
        assert client.get("/me/").status_code == 200
        with count_queries() as queries:
            response = client.get("/me/")
        assert response.status_code == 200 and f"Step {n - 1}.1" in response.get_data(as_text=True)
        counts.append(queries())
    assert counts[0] == counts[1], counts
