"""``/api/v1/interviews/<id>/notes``: list and create through the policy; names pseudonymised."""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from tests.api.conftest import REAL_NAME

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
READ = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
CREATE = {"student": 201, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.mark.parametrize("who", READ)
def test_list_notes_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/interviews/{world['interview'].id}/notes").status_code == READ[who]


@pytest.mark.parametrize("who", CREATE)
def test_create_note_by_caller(as_, world, who):
    response = as_(who).post(
        f"/api/v1/interviews/{world['interview'].id}/notes", json={"title": "Relecture", "body": "Texte"}
    )
    assert response.status_code == CREATE[who]


def test_created_note_has_vault_names_replaced(as_, world):
    response = as_("student").post(
        f"/api/v1/interviews/{world['interview'].id}/notes",
        json={"title": "Relecture", "body": f"{REAL_NAME} a parlé longtemps."},
    )
    body = response.get_json()
    assert REAL_NAME not in body["body"] and "E07" in body["body"]
    assert body["version"] == 1 and body["interview_id"] == world["interview"].id


def test_notes_list_shows_the_interviews_notes(as_, world):
    body = as_("tutor").get(f"/api/v1/interviews/{world['interview'].id}/notes").get_json()
    assert [n["id"] for n in body] == [world["note"].id]


def test_no_note_after_consent_withdrawal(as_, world):
    fieldwork.withdraw_consent(world["interview"], world["student"])
    db.session.commit()
    response = as_("student").post(f"/api/v1/interviews/{world['interview'].id}/notes", json={"title": "t"})
    assert response.status_code == 409


def test_blank_title_is_422(as_, world):
    response = as_("student").post(f"/api/v1/interviews/{world['interview'].id}/notes", json={"title": "  "})
    assert response.status_code == 422


READ_ONE = READ
EDIT = {"student": 200, "tutor": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.mark.parametrize("who", READ_ONE)
def test_read_note_by_caller(as_, world, who):
    assert as_(who).get(f"/api/v1/notes/{world['note'].id}").status_code == READ_ONE[who]


@pytest.mark.parametrize("who", EDIT)
def test_edit_note_by_caller(as_, world, who):
    note = world["note"]
    response = as_(who).patch(f"/api/v1/notes/{note.id}", json={"version": note.version, "body": "Nouveau"})
    assert response.status_code == EDIT[who]


def test_note_edit_with_current_etag_saves_a_revision(as_, world):
    api, note_id = as_("student"), world["note"].id
    etag = api.get(f"/api/v1/notes/{note_id}").headers["ETag"]
    response = api.patch(
        f"/api/v1/notes/{note_id}", json={"body": "Version deux"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.get_json()["body"] == "Version deux"
    assert response.headers["ETag"] != etag
    assert len(fieldwork.revisions_of(world["note"])) == 2


def test_note_edit_with_stale_version_is_409(as_, world):
    api, note_id, version = as_("student"), world["note"].id, world["note"].version
    api.patch(f"/api/v1/notes/{note_id}", json={"version": version, "body": "Premier"})
    response = api.patch(f"/api/v1/notes/{note_id}", json={"version": version, "body": "Second"})
    assert response.status_code == 409
    assert as_("student").get(f"/api/v1/notes/{note_id}").get_json()["body"] == "Premier"


def test_note_edit_with_stale_if_match_is_412(as_, world):
    api, note_id = as_("student"), world["note"].id
    etag = api.get(f"/api/v1/notes/{note_id}").headers["ETag"]
    api.patch(f"/api/v1/notes/{note_id}", json={"body": "Premier"}, headers={"If-Match": etag})
    response = api.patch(f"/api/v1/notes/{note_id}", json={"body": "Second"}, headers={"If-Match": etag})
    assert response.status_code == 412


def test_note_edit_replaces_vault_names(as_, world):
    note = world["note"]
    response = as_("student").patch(
        f"/api/v1/notes/{note.id}", json={"version": note.version, "body": f"{REAL_NAME} revient."}
    )
    assert response.status_code == 200 and "revient." in response.get_json()["body"]
    assert REAL_NAME not in response.get_data(as_text=True)


DELETE = {"student": 202, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}


@pytest.mark.parametrize("who", DELETE)
def test_delete_note_by_caller_proposes_it(as_, world, who):
    from sqlalchemy import func, select

    from inquiry_hub.inquiries.models import Proposal

    response = as_(who).delete(f"/api/v1/notes/{world['note'].id}")
    assert response.status_code == DELETE[who]
    assert db.session.scalar(select(func.count(Proposal.id))) == (1 if DELETE[who] == 202 else 0)
    assert as_("student").get(f"/api/v1/notes/{world['note'].id}").status_code == 200
    if DELETE[who] == 202:
        proposal = response.get_json()["proposal"]
        assert proposal["action"] == "fieldwork.delete" and proposal["status"] == "open"


def test_delete_note_at_once_under_any_member_rule(as_, world):
    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    note_id = world["note"].id
    assert as_("student").delete(f"/api/v1/notes/{note_id}").status_code == 204
    assert as_("student").get(f"/api/v1/notes/{note_id}").status_code == 404
    assert as_("student").get(f"/api/v1/interviews/{world['interview'].id}").status_code == 200


def test_delete_note_with_stale_if_match_is_412(as_, world):
    world["inquiry"].governance_rule = "any_member"
    db.session.commit()
    api, note_id = as_("student"), world["note"].id
    etag = api.get(f"/api/v1/notes/{note_id}").headers["ETag"]
    api.patch(f"/api/v1/notes/{note_id}", json={"body": "Autre"}, headers={"If-Match": etag})
    assert api.delete(f"/api/v1/notes/{note_id}", headers={"If-Match": etag}).status_code == 412
    assert api.get(f"/api/v1/notes/{note_id}").status_code == 200


def test_note_of_another_inquiry_cannot_be_deleted(as_, world):
    other = fieldwork.create_note(
        world["other_inquiry"], world["outsider"], title="A", body="B", kind="field_notes"
    )
    db.session.commit()
    assert as_("student").delete(f"/api/v1/notes/{other.id}").status_code == 404
