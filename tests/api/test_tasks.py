"""``/api/v1/inquiries/<id>/tasks`` and ``/api/v1/tasks/<id>``: the policy, versions, ETags."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.tasks.models import Task

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}

LIST = {"student": 200, "tutor": 200, "partner": 200, "outsider": 404, **UNAUTHENTICATED}
CREATE = {"student": 201, "tutor": 403, "partner": 403, "outsider": 404, **UNAUTHENTICATED}
READ_PRIVATE = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
READ_SHARED = {"student": 200, "tutor": 200, "partner": 200, "outsider": 404, **UNAUTHENTICATED}
EDIT_PRIVATE = {"student": 200, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
EDIT_SHARED = {"student": 200, "tutor": 403, "partner": 403, "outsider": 404, **UNAUTHENTICATED}
DELETE = {"student": 204, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.mark.parametrize("who", LIST)
def test_list_tasks_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/inquiries/{world['inquiry'].id}/tasks").status_code == LIST[who]


@pytest.mark.parametrize("who", CREATE)
def test_create_task_by_caller(as_, world, who):
    response = as_(who).post(f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "Appeler E07"})
    assert response.status_code == CREATE[who]


@pytest.mark.parametrize("who", READ_PRIVATE)
def test_read_unshared_task_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/tasks/{world['task'].id}").status_code == READ_PRIVATE[who]


@pytest.mark.parametrize("who", READ_SHARED)
def test_read_shared_task_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/tasks/{world['shared_task'].id}").status_code == READ_SHARED[who]


@pytest.mark.parametrize("who", EDIT_PRIVATE)
def test_edit_unshared_task_by_caller(as_, world, who):
    task = world["task"]
    response = as_(who).patch(f"/api/v1/tasks/{task.id}", json={"version": task.version, "title": "Nouveau"})
    assert response.status_code == EDIT_PRIVATE[who]


@pytest.mark.parametrize("who", EDIT_SHARED)
def test_edit_shared_task_by_caller(as_, world, who):
    task = world["shared_task"]
    response = as_(who).patch(f"/api/v1/tasks/{task.id}", json={"version": task.version, "title": "Nouveau"})
    assert response.status_code == EDIT_SHARED[who]


@pytest.mark.parametrize("who", DELETE)
def test_delete_task_by_caller(as_, world, who):
    assert as_(who).delete(f"/api/v1/tasks/{world['task'].id}").status_code == DELETE[who]


def test_partner_lists_only_shared_tasks(as_, world):
    body = as_("partner").get(f"/api/v1/inquiries/{world['inquiry'].id}/tasks").get_json()
    assert [t["id"] for t in body] == [world["shared_task"].id]


def test_task_of_another_inquiry_is_404_for_its_non_members(as_, world):
    other_task = as_("outsider").post(
        f"/api/v1/inquiries/{world['other_inquiry'].id}/tasks", json={"title": "Chez les autres"}
    )
    assert as_("student").get(f"/api/v1/tasks/{other_task.get_json()['id']}").status_code == 404


def test_created_task_is_returned_with_its_etag(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/tasks",
        json={"title": "Transcrire E07", "due_on": "2026-12-01", "assignee_ids": [world["students"][1].id]},
    )
    body = response.get_json()
    assert body["title"] == "Transcrire E07" and body["due_on"] == "2026-12-01"
    assert body["assignee_ids"] == [world["students"][1].id]
    assert response.headers["ETag"] == f'"v{body["version"]}"'


def test_validation_errors_are_422_with_field_details(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "", "colour": "red"}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unprocessable"
    assert set(error["details"]["json"]) == {"title", "colour"}


def test_column_of_another_inquiry_is_422(as_, world):
    from inquiry_hub.tasks import services as tasks

    foreign = tasks.columns_of(world["other_inquiry"])[0]
    db.session.commit()
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "x", "column_id": foreign.id}
    )
    assert response.status_code == 422
    assert "column_id" in response.get_json()["error"]["details"]["json"]


def test_malformed_json_is_400(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/tasks",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_patch_with_current_version_edits_and_bumps_it(as_, world):
    task_id, version = world["task"].id, world["task"].version
    response = as_("student").patch(
        f"/api/v1/tasks/{task_id}", json={"version": version, "title": "Relancer"}
    )
    assert response.status_code == 200
    assert response.get_json()["version"] == version + 1
    assert response.headers["ETag"] == f'"v{version + 1}"'


def test_patch_with_stale_version_is_409_and_writes_nothing(as_, world):
    task, api = world["task"], as_("student")
    stale = task.version
    api.patch(f"/api/v1/tasks/{task.id}", json={"version": stale, "title": "Premier"})
    response = api.patch(f"/api/v1/tasks/{task.id}", json={"version": stale, "title": "Second"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Task, task.id).title == "Premier"


def test_patch_with_stale_if_match_is_412(as_, world):
    task, api = world["task"], as_("student")
    etag = api.get(f"/api/v1/tasks/{task.id}").headers["ETag"]
    api.patch(f"/api/v1/tasks/{task.id}", json={"title": "Premier"}, headers={"If-Match": etag})
    response = api.patch(f"/api/v1/tasks/{task.id}", json={"title": "Second"}, headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.get_json()["error"]["code"] == "precondition_failed"


def test_patch_without_version_nor_if_match_is_refused(as_, world):
    response = as_("student").patch(f"/api/v1/tasks/{world['task'].id}", json={"title": "Aveugle"})
    assert response.status_code == 428
    assert response.get_json()["error"]["code"] == "precondition_required"


def test_patch_moves_a_task_to_another_column(as_, world):
    task, api = world["task"], as_("student")
    target = api.get(f"/api/v1/tasks/{world['shared_task'].id}").get_json()["column_id"]
    response = api.patch(
        f"/api/v1/tasks/{task.id}", json={"version": task.version, "column_id": target, "position": 0}
    )
    body = response.get_json()
    assert (body["column_id"], body["position"]) == (target, 0)


def test_delete_with_stale_if_match_is_412_and_keeps_the_task(as_, world):
    task, api = world["task"], as_("student")
    etag = api.get(f"/api/v1/tasks/{task.id}").headers["ETag"]
    api.patch(f"/api/v1/tasks/{task.id}", json={"title": "Changée"}, headers={"If-Match": etag})
    assert api.delete(f"/api/v1/tasks/{task.id}", headers={"If-Match": etag}).status_code == 412
    assert db.session.get(Task, task.id) is not None


def test_delete_with_current_if_match_deletes(as_, world):
    task, api = world["task"], as_("student")
    etag = api.get(f"/api/v1/tasks/{task.id}").headers["ETag"]
    assert api.delete(f"/api/v1/tasks/{task.id}", headers={"If-Match": etag}).status_code == 204
    db.session.expire_all()
    assert db.session.get(Task, task.id) is None


def test_task_list_is_paginated(as_, world):
    response = as_("student").get(f"/api/v1/inquiries/{world['inquiry'].id}/tasks?per_page=1")
    assert len(response.get_json()) == 1
    assert response.headers["X-Total-Count"] == "2"
    assert 'rel="next"' in response.headers["Link"]


def test_huge_ids_are_404_not_500(as_):
    assert as_("student").get(f"/api/v1/tasks/{2**63}").status_code == 404


def test_body_over_the_size_limit_is_413_json(app, as_, world):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 100
    try:
        response = as_("student").post(
            f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "x", "description": "y" * 500}
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_text_with_nul_character_is_422(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/tasks", json={"title": "a\u0000b"}
    )
    assert response.status_code == 422


def test_task_list_query_count_does_not_grow_with_tasks(as_, world):
    from inquiry_hub.tasks import services as tasks
    from tests.conftest import count_queries

    api = as_("student")
    url = f"/api/v1/inquiries/{world['inquiry'].id}/tasks?per_page=100"
    api.get(url)
    with count_queries() as few:
        api.get(url)
    column = tasks.columns_of(world["inquiry"])[2]
    for n in range(10):
        tasks.create_task(world["inquiry"], title=f"Tâche {n}", column=column, actor=world["student"])
    db.session.commit()
    with count_queries() as many:
        assert len(api.get(url).get_json()) == 12
    assert many() == few()


def test_research_question_link_on_create_and_patch(as_, world):
    from inquiry_hub.governance.services import commission
    from inquiry_hub.tasks.models import Task

    first, second = commission.sync_questions(world["inquiry"], ["Qui s'engage ?", "Pourquoi rester ?"])
    foreign = commission.sync_questions(world["other_inquiry"], ["Ailleurs ?"])[0]
    db.session.commit()
    api, base = as_("student"), f"/api/v1/inquiries/{world['inquiry'].id}/tasks"
    created = api.post(base, json={"title": "Guide Q1", "research_question_id": first.id})
    assert created.status_code == 201 and created.get_json()["research_question_id"] == first.id
    task_id, version = created.get_json()["id"], created.get_json()["version"]
    # A patch that does not send the field keeps the link.
    kept = api.patch(f"/api/v1/tasks/{task_id}", json={"version": version, "title": "Guide"})
    assert kept.get_json()["research_question_id"] == first.id
    version = kept.get_json()["version"]
    refused = api.patch(
        f"/api/v1/tasks/{task_id}", json={"version": version, "research_question_id": foreign.id}
    )
    assert refused.status_code == 422
    assert list(refused.get_json()["error"]["details"]["json"]) == ["research_question_id"]
    assert db.session.get(Task, task_id).research_question_id == first.id
    moved = api.patch(
        f"/api/v1/tasks/{task_id}", json={"version": version, "research_question_id": second.id}
    )
    assert moved.get_json()["research_question_id"] == second.id
    cleared = api.patch(
        f"/api/v1/tasks/{task_id}",
        json={"version": moved.get_json()["version"], "research_question_id": None},
    )
    assert cleared.get_json()["research_question_id"] is None
    assert api.post(base, json={"title": "x", "research_question_id": foreign.id}).status_code == 422
    assert api.post(base, json={"title": "x", "research_question_id": "Q1"}).status_code == 422
