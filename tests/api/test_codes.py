"""``/api/v1/inquiries/<id>/codes`` and ``/api/v1/codes/<id>``: the codebook through the policy.

Deleting or merging a code others used is a collective action, as on the web.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Code, Excerpt
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.inquiries.models import Proposal
from tests.conftest import count_queries

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
READ = {"student": 200, "tutor": 200, "read_only": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
CREATE = {"student": 201, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
EDIT = {"student": 200, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
DELETE = {"student": 204, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.fixture
def book(world):
    """Two codes (one under the other) of the student, and a code of another inquiry."""
    student = world["student"]
    parent = coding.create_code(world["inquiry"], student, name="Engagement")
    child = coding.create_code(world["inquiry"], student, name="Militantisme", parent=parent)
    foreign = coding.create_code(world["other_inquiry"], world["outsider"], name="Ailleurs")
    db.session.commit()
    return {**world, "parent": parent, "child": child, "foreign": foreign}


def _etag(api, code_id):
    return api.get(f"/api/v1/codes/{code_id}").headers["ETag"]


@pytest.mark.parametrize("who", READ)
def test_list_codes_by_caller(as_, book, who):
    assert as_(who).get(f"/api/v1/inquiries/{book['inquiry'].id}/codes").status_code == READ[who]


@pytest.mark.parametrize("who", READ)
def test_read_code_by_caller(as_, book, who):
    assert as_(who).get(f"/api/v1/codes/{book['child'].id}").status_code == READ[who]


@pytest.mark.parametrize("who", CREATE)
def test_create_code_by_caller(as_, book, who):
    response = as_(who).post(f"/api/v1/inquiries/{book['inquiry'].id}/codes", json={"name": "Précarité"})
    assert response.status_code == CREATE[who]
    created = db.session.scalar(select(func.count(Code.id)).where(Code.name == "Précarité"))
    assert created == (1 if CREATE[who] == 201 else 0)


@pytest.mark.parametrize("who", EDIT)
def test_edit_code_by_caller(as_, book, who):
    etag = _etag(as_("student"), book["child"].id)
    response = as_(who).patch(
        f"/api/v1/codes/{book['child'].id}", json={"name": "Militance"}, headers={"If-Match": etag}
    )
    assert response.status_code == EDIT[who]
    db.session.expire_all()
    assert (db.session.get(Code, book["child"].id).name == "Militance") == (EDIT[who] == 200)


@pytest.mark.parametrize("who", DELETE)
def test_delete_unused_code_by_caller(as_, book, who):
    response = as_(who).delete(f"/api/v1/codes/{book['child'].id}")
    assert response.status_code == DELETE[who]
    db.session.expire_all()
    assert (db.session.get(Code, book["child"].id) is None) == (DELETE[who] == 204)


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_merge_refused_to_non_members_of_fieldwork(as_, book, who):
    response = as_(who).post(f"/api/v1/codes/{book['child'].id}/merge", json={"target_id": book["parent"].id})
    assert response.status_code == 404


def test_codes_of_another_inquiry_are_404(as_, book):
    api, foreign = as_("student"), book["foreign"]
    statuses = [
        api.get(f"/api/v1/codes/{foreign.id}").status_code,
        api.patch(f"/api/v1/codes/{foreign.id}", json={"name": "x"}, headers={"If-Match": "*"}).status_code,
        api.delete(f"/api/v1/codes/{foreign.id}").status_code,
        api.get(f"/api/v1/inquiries/{book['other_inquiry'].id}/codes").status_code,
    ]
    assert statuses == [404] * 4
    assert db.session.get(Code, foreign.id).name == "Ailleurs"


def test_created_code_under_a_parent(as_, book):
    response = as_("student").post(
        f"/api/v1/inquiries/{book['inquiry'].id}/codes",
        json={"name": "  Bénévolat ", "colour": "#00aa00", "parent_id": book["parent"].id},
    )
    body = response.get_json()
    assert response.status_code == 201 and response.headers["ETag"]
    assert body["name"] == "Bénévolat" and body["parent_id"] == book["parent"].id
    assert body["colour"] == "#00aa00" and body["excerpt_count"] == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": 12}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": "ok", "description": "x" * 5001}, "description"),
        ({"name": "ok", "parent_id": "1"}, "parent_id"),
        ({"name": "ok", "unknown": 1}, "unknown"),
    ],
)
def test_bad_code_bodies_are_422(as_, book, payload, field):
    before = db.session.scalar(select(func.count(Code.id)))
    response = as_("student").post(f"/api/v1/inquiries/{book['inquiry'].id}/codes", json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert db.session.scalar(select(func.count(Code.id))) == before


def test_parent_from_another_inquiry_is_422(as_, book):
    response = as_("student").post(
        f"/api/v1/inquiries/{book['inquiry'].id}/codes", json={"name": "x", "parent_id": book["foreign"].id}
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == ["parent_id"]
    assert db.session.scalar(select(func.count(Code.id)).where(Code.name == "x")) == 0


def test_moving_a_code_under_itself_is_422_and_changes_nothing(as_, book):
    api, parent = as_("student"), book["parent"]
    response = api.patch(
        f"/api/v1/codes/{parent.id}",
        json={"parent_id": book["child"].id, "name": "Renamed"},
        headers={"If-Match": _etag(api, parent.id)},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Code, parent.id).parent_id is None
    assert db.session.get(Code, parent.id).name == "Engagement"


def test_moving_to_top_level_with_null_parent(as_, book):
    api, child = as_("student"), book["child"]
    response = api.patch(
        f"/api/v1/codes/{child.id}", json={"parent_id": None}, headers={"If-Match": _etag(api, child.id)}
    )
    assert response.status_code == 200 and response.get_json()["parent_id"] is None


def test_patch_without_if_match_is_428(as_, book):
    response = as_("student").patch(f"/api/v1/codes/{book['child'].id}", json={"name": "Militance"})
    assert response.status_code == 428
    assert response.get_json()["error"]["code"] == "precondition_required"
    assert db.session.get(Code, book["child"].id).name == "Militantisme"


def test_stale_if_match_is_412_and_nothing_is_overwritten(as_, book):
    api, code_id = as_("student"), book["child"].id
    etag = _etag(api, code_id)
    assert (
        api.patch(
            f"/api/v1/codes/{code_id}", json={"name": "Premier"}, headers={"If-Match": etag}
        ).status_code
        == 200
    )
    response = api.patch(f"/api/v1/codes/{code_id}", json={"name": "Second"}, headers={"If-Match": etag})
    assert response.status_code == 412
    assert api.get(f"/api/v1/codes/{code_id}").get_json()["name"] == "Premier"


def test_stale_if_match_on_delete_is_412(as_, book):
    api, code_id = as_("student"), book["child"].id
    etag = _etag(api, code_id)
    api.patch(f"/api/v1/codes/{code_id}", json={"name": "Premier"}, headers={"If-Match": etag})
    assert api.delete(f"/api/v1/codes/{code_id}", headers={"If-Match": etag}).status_code == 412
    assert db.session.get(Code, code_id) is not None


def _code_excerpt(note, coder, code):
    excerpt = coding.code_span(note, coder, 0, 5, [code.id])
    db.session.commit()
    return excerpt


def test_deleting_a_code_others_used_proposes_it(as_, book):
    _code_excerpt(book["note"], book["students"][1], book["child"])
    response = as_("student").delete(f"/api/v1/codes/{book['child'].id}")
    assert response.status_code == 202
    proposal = response.get_json()["proposal"]
    assert proposal["action"] == "fieldwork.delete_code" and proposal["status"] == "open"
    assert proposal["url"] == f"/inquiries/{book['inquiry'].id}/decisions/{proposal['id']}"
    assert db.session.get(Proposal, proposal["id"]) is not None
    assert db.session.get(Code, book["child"].id) is not None


def test_deleting_an_own_used_code_drops_its_lone_excerpts(as_, book):
    excerpt_id = _code_excerpt(book["note"], book["student"], book["child"]).id
    assert as_("student").delete(f"/api/v1/codes/{book['child'].id}").status_code == 204
    db.session.expire_all()
    assert db.session.get(Excerpt, excerpt_id) is None
    assert db.session.get(Code, book["parent"].id) is not None


def test_merge_unused_codes_at_once(as_, book):
    _code_excerpt(book["note"], book["student"], book["child"])
    response = as_("student").post(
        f"/api/v1/codes/{book['child'].id}/merge", json={"target_id": book["parent"].id}
    )
    assert response.status_code == 200
    assert response.get_json()["id"] == book["parent"].id and response.get_json()["excerpt_count"] == 1
    db.session.expire_all()
    assert db.session.get(Code, book["child"].id) is None


def test_merge_of_a_code_others_used_is_proposed(as_, book):
    _code_excerpt(book["note"], book["students"][2], book["child"])
    response = as_("student").post(
        f"/api/v1/codes/{book['child'].id}/merge", json={"target_id": book["parent"].id}
    )
    assert response.status_code == 202
    assert response.get_json()["proposal"]["action"] == "fieldwork.merge_codes"
    assert db.session.get(Code, book["child"].id) is not None


@pytest.mark.parametrize("target", ["self", "foreign", "missing"])
def test_merge_into_a_bad_target_is_422(as_, book, target):
    target_id = {"self": book["child"].id, "foreign": book["foreign"].id, "missing": 999_999}[target]
    response = as_("student").post(f"/api/v1/codes/{book['child'].id}/merge", json={"target_id": target_id})
    assert response.status_code == 422
    assert "target_id" in response.get_json()["error"]["details"]["json"]


def test_merge_by_read_only_token_is_403(as_, book):
    response = as_("read_only").post(
        f"/api/v1/codes/{book['child'].id}/merge", json={"target_id": book["parent"].id}
    )
    assert response.status_code == 403


def test_code_list_is_paginated_with_links(as_, book):
    response = as_("tutor").get(f"/api/v1/inquiries/{book['inquiry'].id}/codes?per_page=1&page=2")
    assert [c["name"] for c in response.get_json()] == ["Militantisme"]
    assert response.headers["X-Total-Count"] == "2"
    assert 'rel="prev"' in response.headers["Link"] and 'rel="next"' not in response.headers["Link"]


def test_code_list_counts_excerpts(as_, book):
    _code_excerpt(book["note"], book["student"], book["child"])
    body = as_("tutor").get(f"/api/v1/inquiries/{book['inquiry'].id}/codes").get_json()
    assert {c["name"]: c["excerpt_count"] for c in body} == {"Engagement": 0, "Militantisme": 1}


def test_code_list_query_count_is_constant(as_, book):
    api, inquiry = as_("tutor"), book["inquiry"]

    def queries_with(total):
        existing = db.session.scalar(select(func.count(Code.id)).where(Code.inquiry_id == inquiry.id))
        for n in range(existing, total):
            code = coding.create_code(inquiry, book["student"], name=f"Code {n:03d}")
            coding.code_span(book["note"], book["student"], 0, 3, [code.id])
        db.session.commit()
        api.get(f"/api/v1/inquiries/{inquiry.id}/codes?per_page=100")
        with count_queries() as n:
            response = api.get(f"/api/v1/inquiries/{inquiry.id}/codes?per_page=100")
        assert len(response.get_json()) == total
        return n()

    assert queries_with(10) == queries_with(50)


@pytest.mark.parametrize("colour", ["#ffd966\n", "ffd966", "#ffd96", "#GGGGGG"])
def test_colour_must_be_exactly_rrggbb(as_, book, colour):
    response = as_("student").post(
        f"/api/v1/inquiries/{book['inquiry'].id}/codes", json={"name": "x", "colour": colour}
    )
    assert response.status_code == 422
