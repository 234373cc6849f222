"""Hardening attacks (issue 15, part 6): each with its positive control.

If-Match wildcards, pseudonyms the web refuses, interview attachments served as active
content, zip bombs in transcript imports.
"""

from __future__ import annotations

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Code, Excerpt, Interview
from tests.api.conftest import Api, make_token
from tests.security._hardening import make_field


@pytest.fixture
def field(team):
    return make_field(team)


@pytest.fixture
def api(client, field):
    return Api(client, make_token(field["student"]))


# --- If-Match: only the current ETag -----------------------------------------------------


def _patches(field) -> dict:
    """resource → (url, body): objects whose writes require If-Match."""
    return {
        "interview": (f"/api/v1/interviews/{field['interview'].id}", {"place": "Mairie"}),
        "code": (f"/api/v1/codes/{field['code'].id}", {"name": "Décider"}),
        "excerpt": (f"/api/v1/excerpts/{field['excerpt'].id}", {"start": 0, "end": 9}),
    }


def _state(field) -> tuple:
    db.session.expire_all()
    return (
        db.session.get(Interview, field["interview"].id).place,
        db.session.get(Code, field["code"].id).name,
        db.session.get(Excerpt, field["excerpt"].id).start,
    )


@pytest.mark.parametrize("resource", ["interview", "code", "excerpt"])
def test_if_match_star_is_refused_where_an_etag_is_required(api, field, resource):
    url, body = _patches(field)[resource]
    before = _state(field)
    response = api.patch(url, json=body, headers={"If-Match": "*"})
    assert response.status_code == 412
    assert response.json["error"]["code"] == "precondition_failed"
    assert _state(field) == before


@pytest.mark.parametrize("resource", ["interview", "code", "excerpt"])
def test_if_match_missing_is_428(api, field, resource):
    url, body = _patches(field)[resource]
    assert api.patch(url, json=body).status_code == 428


@pytest.mark.parametrize("resource", ["interview", "code", "excerpt"])
def test_the_current_etag_passes(api, field, resource):
    url, body = _patches(field)[resource]
    before = _state(field)
    etag = api.get(url).headers["ETag"]
    response = api.patch(url, json=body, headers={"If-Match": etag})
    assert response.status_code == 200
    assert _state(field) != before


def test_if_match_star_among_others_is_refused_on_a_note(api, field):
    url = f"/api/v1/notes/{field['note'].id}"
    response = api.patch(url, json={"title": "Autre"}, headers={"If-Match": '"v999", *'})
    assert response.status_code == 412
    etag = api.get(url).headers["ETag"]
    assert api.patch(url, json={"title": "Autre"}, headers={"If-Match": etag}).status_code == 200
