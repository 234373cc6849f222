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


# --- edit and delete ------------------------------------------------------------------------

EDIT = {"student": 200, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
DELETE = {"student": 202, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


def _etag(as_, interview_id):
    return as_("student").get(f"/api/v1/interviews/{interview_id}").headers["ETag"]


@pytest.mark.parametrize("who", EDIT)
def test_edit_interview_by_caller(as_, world, who):
    interview_id = world["interview"].id
    etag = _etag(as_, interview_id)
    response = as_(who).patch(
        f"/api/v1/interviews/{interview_id}", json={"place": "Mairie"}, headers={"If-Match": etag}
    )
    assert response.status_code == EDIT[who]
    db.session.expire_all()
    assert (db.session.get(Interview, interview_id).place == "Mairie") == (EDIT[who] == 200)


@pytest.mark.parametrize("who", DELETE)
def test_delete_interview_by_caller_proposes_it(as_, world, who):
    from inquiry_hub.inquiries.models import Proposal

    response = as_(who).delete(f"/api/v1/interviews/{world['interview'].id}")
    assert response.status_code == DELETE[who]
    proposals = db.session.scalars(select(Proposal)).all()
    assert len(proposals) == (1 if DELETE[who] == 202 else 0)
    assert db.session.get(Interview, world["interview"].id) is not None


def test_delete_answers_the_proposal(as_, world):
    body = as_("student").delete(f"/api/v1/interviews/{world['interview'].id}").get_json()
    assert body["proposal"]["action"] == "fieldwork.delete"
    assert body["proposal"]["kind"] == "consent" and body["proposal"]["status"] == "open"


def test_delete_under_any_member_rule_deletes_at_once(as_, world):
    from inquiry_hub.fieldwork.models import Note

    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    interview_id, note_id = world["interview"].id, world["note"].id
    response = as_("student").delete(f"/api/v1/interviews/{interview_id}")
    assert response.status_code == 204 and response.get_data() == b""
    db.session.expire_all()
    assert db.session.get(Interview, interview_id) is None and db.session.get(Note, note_id) is None


def test_delete_with_stale_if_match_is_412(as_, world):
    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    api, interview_id = as_("student"), world["interview"].id
    etag = _etag(as_, interview_id)
    api.patch(f"/api/v1/interviews/{interview_id}", json={"place": "Gare"}, headers={"If-Match": etag})
    assert api.delete(f"/api/v1/interviews/{interview_id}", headers={"If-Match": etag}).status_code == 412
    assert db.session.get(Interview, interview_id) is not None


def test_edit_all_form_fields(as_, world):
    from inquiry_hub.fieldwork.models import InterviewGuide, ProfileAttribute

    inquiry, student = world["inquiry"], world["student"]
    attribute = fieldwork.save_attribute(inquiry, student, "Âge", "18-30, 31-50")
    guide = InterviewGuide(inquiry_id=inquiry.id, version=1, body="Guide", author_id=student.id)
    db.session.add(guide)
    db.session.commit()
    assert db.session.get(ProfileAttribute, attribute.id) is not None
    interview_id = world["interview"].id
    response = as_("student").patch(
        f"/api/v1/interviews/{interview_id}",
        json={
            "pseudonym": "E07-bis",
            "status": "transcribed",
            "planned_on": "2026-11-01",
            "duration_minutes": 75,
            "interviewer_ids": [world["students"][1].id, student.id],
            "guide_id": guide.id,
            "profile": {str(attribute.id): "31-50"},
        },
        headers={"If-Match": _etag(as_, interview_id)},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pseudonym"] == "E07-bis" and body["status"] == "transcribed"
    assert body["duration_minutes"] == 75 and body["guide_id"] == guide.id
    assert sorted(body["interviewer_ids"]) == sorted([student.id, world["students"][1].id])
    assert body["profile"] == {str(attribute.id): "31-50"}
    assert REAL_NAME not in response.get_data(as_text=True)


def test_edit_without_if_match_is_428(as_, world):
    response = as_("student").patch(f"/api/v1/interviews/{world['interview'].id}", json={"place": "Mairie"})
    assert response.status_code == 428
    assert db.session.get(Interview, world["interview"].id).place == ""


def test_edit_with_stale_if_match_is_412_and_keeps_the_first_write(as_, world):
    api, interview_id = as_("student"), world["interview"].id
    etag = _etag(as_, interview_id)
    url = f"/api/v1/interviews/{interview_id}"
    assert api.patch(url, json={"place": "Mairie"}, headers={"If-Match": etag}).status_code == 200
    assert api.patch(url, json={"place": "Gare"}, headers={"If-Match": etag}).status_code == 412
    assert api.get(url).get_json()["place"] == "Mairie"


def _fresh(api, url) -> dict:
    """``If-Match`` with the interview's current ETag (``*`` is refused)."""
    return {"If-Match": api.get(url).headers["ETag"]}


def test_edit_to_a_taken_pseudonym_is_409(as_, world):
    api = as_("student")
    api.post(f"/api/v1/inquiries/{world['inquiry'].id}/interviews", json={"pseudonym": "E08"})
    interview_id = world["interview"].id
    url = f"/api/v1/interviews/{interview_id}"
    response = api.patch(url, json={"pseudonym": "e08"}, headers=_fresh(api, url))
    assert response.status_code == 409
    assert api.get(f"/api/v1/interviews/{interview_id}").get_json()["pseudonym"] == "E07"


def test_edit_after_withdrawal_is_409(as_, world):
    fieldwork.withdraw_consent(world["interview"], world["student"])
    db.session.commit()
    api, url = as_("student"), f"/api/v1/interviews/{world['interview'].id}"
    response = api.patch(url, json={"place": "Mairie"}, headers=_fresh(api, url))
    assert response.status_code == 409


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"pseudonym": ""}, "pseudonym"),
        ({"pseudonym": "x" * 41}, "pseudonym"),
        ({"pseudonym": "<b>"}, "pseudonym"),
        ({"pseudonym": "E09\n"}, "pseudonym"),
        ({"status": "lost"}, "status"),
        ({"planned_on": "tomorrow"}, "planned_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": "60"}, "duration_minutes"),
        ({"place": "x" * 201}, "place"),
        ({"interviewer_ids": [999_999]}, "interviewer_ids"),
        ({"interviewer_ids": "1"}, "interviewer_ids"),
        ({"guide_id": 999_999}, "guide_id"),
        ({"profile": {"999999": "x"}}, "profile"),
        ({"profile": ["x"]}, "profile"),
        ({"identity": {"full_name": "x"}}, "identity"),
    ],
)
def test_bad_interview_edits_are_422_and_change_nothing(as_, world, payload, field):
    interview_id = world["interview"].id
    etag = _etag(as_, interview_id)
    response = as_("student").patch(
        f"/api/v1/interviews/{interview_id}", json=payload, headers={"If-Match": etag}
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert _etag(as_, interview_id) == etag


def test_interviewers_and_profile_from_another_inquiry_are_422(as_, world):
    other = world["other_inquiry"]
    attribute = fieldwork.save_attribute(other, world["outsider"], "Âge", "18-30")
    db.session.commit()
    api, url = as_("student"), f"/api/v1/interviews/{world['interview'].id}"
    assert (
        api.patch(url, json={"interviewer_ids": [world["outsider"].id]}, headers=_fresh(api, url)).status_code
        == 422
    )
    assert (
        api.patch(url, json={"interviewer_ids": [world["tutor"].id]}, headers=_fresh(api, url)).status_code
        == 422
    )
    response = api.patch(url, json={"profile": {str(attribute.id): "18-30"}}, headers=_fresh(api, url))
    assert response.status_code == 422


def test_profile_value_must_be_one_of_the_attributes(as_, world):
    attribute = fieldwork.save_attribute(world["inquiry"], world["student"], "Âge", "18-30")
    db.session.commit()
    api, url = as_("student"), f"/api/v1/interviews/{world['interview'].id}"
    assert (
        api.patch(url, json={"profile": {str(attribute.id): "99"}}, headers=_fresh(api, url)).status_code
        == 422
    )
    assert (
        api.patch(url, json={"profile": {str(attribute.id): "18-30"}}, headers=_fresh(api, url)).status_code
        == 200
    )
    response = api.patch(url, json={"profile": {str(attribute.id): None}}, headers=_fresh(api, url))
    assert response.get_json()["profile"] == {}


def test_partner_gets_404_on_interview_writes(as_, world):
    api, url = as_("partner"), f"/api/v1/interviews/{world['interview'].id}"
    assert api.patch(url, json={"place": "x"}, headers={"If-Match": "*"}).status_code == 404
    assert api.delete(url).status_code == 404


def test_research_question_link_like_the_web_form(as_, world):
    from inquiry_hub.governance.services import commission

    question = commission.sync_questions(world["inquiry"], ["Qui s'engage ?"])[0]
    foreign = commission.sync_questions(world["other_inquiry"], ["Ailleurs ?"])[0]
    db.session.commit()
    api, url = as_("student"), f"/api/v1/interviews/{world['interview'].id}"
    response = api.patch(url, json={"research_question_id": question.id}, headers=_fresh(api, url))
    assert response.status_code == 200 and response.get_json()["research_question_id"] == question.id
    response = api.patch(url, json={"research_question_id": foreign.id}, headers=_fresh(api, url))
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == ["research_question_id"]
    response = api.patch(url, json={"research_question_id": None}, headers=_fresh(api, url))
    assert response.get_json()["research_question_id"] is None
