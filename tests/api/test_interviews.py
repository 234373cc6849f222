"""``/api/v1/inquiries/<id>/interviews`` and ``/api/v1/interviews/<id>``: confidential, reveal logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import IdentityReveal, Interview
from tests.api.conftest import CONTACT, REAL_NAME

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
READ = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
CREATE = {"student": 201, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
REVEAL = {"student": 200, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


def _reveals() -> int:
    return db.session.scalar(select(func.count(IdentityReveal.id)))


@pytest.mark.parametrize("who", READ)
def test_list_interviews_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/inquiries/{world['inquiry'].id}/interviews").status_code == READ[who]


@pytest.mark.parametrize("who", READ)
def test_read_interview_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/interviews/{world['interview'].id}").status_code == READ[who]


@pytest.mark.parametrize("who", CREATE)
def test_create_interview_by_caller(as_, world, who):
    response = as_(who).post(f"/api/v1/inquiries/{world['inquiry'].id}/interviews", json={"pseudonym": "E08"})
    assert response.status_code == CREATE[who]


@pytest.mark.parametrize("who", REVEAL)
def test_reveal_identity_by_caller(as_, world, who):
    response = as_(who).get(f"/api/v1/interviews/{world['interview'].id}?reveal=1")
    assert response.status_code == REVEAL[who]


def test_partner_gets_404_on_every_fieldwork_endpoint(as_, world):
    api, inquiry, interview = as_("partner"), world["inquiry"], world["interview"]
    statuses = [
        api.get(f"/api/v1/inquiries/{inquiry.id}/interviews").status_code,
        api.post(f"/api/v1/inquiries/{inquiry.id}/interviews", json={"pseudonym": "P1"}).status_code,
        api.get(f"/api/v1/interviews/{interview.id}").status_code,
        api.get(f"/api/v1/interviews/{interview.id}?reveal=1").status_code,
        api.get(f"/api/v1/interviews/{interview.id}/notes").status_code,
        api.post(f"/api/v1/interviews/{interview.id}/notes", json={"title": "t"}).status_code,
        api.get(f"/api/v1/inquiries/{inquiry.id}/search?q=collectif").status_code,
    ]
    assert statuses == [404] * 7


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_identity_never_appears_without_reveal(as_, world, who):
    api = as_(who)
    bodies = [
        api.get(f"/api/v1/inquiries/{world['inquiry'].id}/interviews").get_data(as_text=True),
        api.get(f"/api/v1/interviews/{world['interview'].id}").get_data(as_text=True),
        api.get(f"/api/v1/interviews/{world['interview'].id}?reveal=0").get_data(as_text=True),
        api.get(f"/api/v1/interviews/{world['interview'].id}/notes").get_data(as_text=True),
    ]
    assert not any(REAL_NAME in b or CONTACT in b for b in bodies)
    assert _reveals() == 0


def test_tutor_reveal_attempt_shows_nothing_and_logs_nothing(as_, world):
    body = as_("tutor").get(f"/api/v1/interviews/{world['interview'].id}?reveal=1").get_data(as_text=True)
    assert REAL_NAME not in body
    assert _reveals() == 0


def test_student_reveal_returns_identity_and_is_logged_like_the_web(as_, world):
    response = as_("student").get(f"/api/v1/interviews/{world['interview'].id}?reveal=1")
    assert response.get_json()["identity"] == {"full_name": REAL_NAME, "contact": CONTACT, "aliases": []}
    reveals = fieldwork.reveals_of(world["interview"])
    assert [r.user_id for r in reveals] == [world["student"].id]
    logged = db.session.scalar(
        select(func.count(Activity.id)).where(Activity.verb == "fieldwork.identity_revealed")
    )
    assert logged == 1
    assert response.headers["Cache-Control"] == "no-store"


def test_create_interview_with_identity_stores_it_encrypted(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/interviews",
        json={
            "pseudonym": "E09",
            "conducted_on": "2026-11-20",
            "identity": {"full_name": "Marc Petit", "contact": "06 00 00 00 00"},
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert "Marc Petit" not in response.get_data(as_text=True)
    assert body["status"] == "conducted"
    interview = db.session.get(Interview, body["id"])
    assert fieldwork.has_identity(interview)


def test_duplicate_pseudonym_is_409(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/interviews", json={"pseudonym": "e07"}
    )
    assert response.status_code == 409


def test_identity_without_full_name_is_422(as_, world):
    response = as_("student").post(
        f"/api/v1/inquiries/{world['inquiry'].id}/interviews",
        json={"pseudonym": "E10", "identity": {"contact": "x"}},
    )
    assert response.status_code == 422
    assert "identity" in response.get_json()["error"]["details"]["json"]


def test_interview_list_is_paginated(as_, world):
    api = as_("student")
    api.post(f"/api/v1/inquiries/{world['inquiry'].id}/interviews", json={"pseudonym": "E01"})
    response = api.get(f"/api/v1/inquiries/{world['inquiry'].id}/interviews?per_page=1")
    assert [i["pseudonym"] for i in response.get_json()] == ["E01"]
    assert response.headers["X-Total-Count"] == "2"
