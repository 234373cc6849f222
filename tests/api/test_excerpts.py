"""``/api/v1/inquiries/<id>/excerpts``, ``/api/v1/notes/<id>/excerpts``, ``/api/v1/excerpts/<id>``.

Coding through the same service as the web; blind coding hides the others' excerpts exactly
as the web's coding page does.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Code, Excerpt
from inquiry_hub.fieldwork.services import coding
from tests.api.conftest import Api, make_token
from tests.conftest import count_queries

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}
READ = {"student": 200, "tutor": 200, "read_only": 200, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
CREATE = {"student": 201, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
EDIT = {"student": 200, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}
DELETE = {"student": 204, "tutor": 403, "read_only": 403, "partner": 404, "outsider": 404, **UNAUTHENTICATED}

BODY = "Le collectif et son énergie."


@pytest.fixture
def coded(world):
    """Two codes; an excerpt of the note coded by a second student; a code of another inquiry."""
    inquiry, student, other = world["inquiry"], world["student"], world["students"][1]
    engagement = coding.create_code(inquiry, student, name="Engagement")
    energie = coding.create_code(inquiry, student, name="Énergie")
    excerpt = coding.code_span(world["note"], other, 3, 12, [engagement.id])
    foreign = coding.create_code(world["other_inquiry"], world["outsider"], name="Ailleurs")
    db.session.commit()
    return {**world, "engagement": engagement, "energie": energie, "excerpt": excerpt, "foreign": foreign}


def _url(excerpt_id):
    return f"/api/v1/excerpts/{excerpt_id}"


def _count() -> int:
    return db.session.scalar(select(func.count(Excerpt.id)))


@pytest.mark.parametrize("who", READ)
def test_list_excerpts_by_caller(as_, coded, who):
    response = as_(who).get(f"/api/v1/inquiries/{coded['inquiry'].id}/excerpts")
    assert response.status_code == READ[who]


@pytest.mark.parametrize("who", READ)
def test_read_excerpt_by_caller(as_, coded, who):
    assert as_(who).get(_url(coded["excerpt"].id)).status_code == READ[who]


@pytest.mark.parametrize("who", CREATE)
def test_code_a_passage_by_caller(as_, coded, who):
    before = _count()
    response = as_(who).post(
        f"/api/v1/notes/{coded['note'].id}/excerpts",
        json={"start": 0, "end": 2, "code_ids": [coded["energie"].id]},
    )
    assert response.status_code == CREATE[who]
    assert _count() == before + (1 if CREATE[who] == 201 else 0)


@pytest.mark.parametrize("who", EDIT)
def test_edit_excerpt_by_caller(as_, coded, who):
    excerpt_id = coded["excerpt"].id
    etag = as_("student").get(_url(excerpt_id)).headers["ETag"]
    response = as_(who).patch(
        _url(excerpt_id), json={"code_ids": [coded["energie"].id]}, headers={"If-Match": etag}
    )
    assert response.status_code == EDIT[who]
    db.session.expire_all()
    codes = [c.id for c in db.session.get(Excerpt, excerpt_id).codes]
    assert codes == ([coded["energie"].id] if EDIT[who] == 200 else [coded["engagement"].id])


@pytest.mark.parametrize("who", DELETE)
def test_delete_excerpt_by_caller(as_, coded, who):
    excerpt_id = coded["excerpt"].id
    assert as_(who).delete(_url(excerpt_id)).status_code == DELETE[who]
    db.session.expire_all()
    assert (db.session.get(Excerpt, excerpt_id) is None) == (DELETE[who] == 204)
    assert db.session.get(type(coded["note"]), coded["note"].id).body == BODY


def test_partner_gets_404_on_every_coding_endpoint(as_, coded):
    api, excerpt, code = as_("partner"), coded["excerpt"], coded["engagement"]
    statuses = [
        api.get(f"/api/v1/inquiries/{coded['inquiry'].id}/codes").status_code,
        api.post(f"/api/v1/inquiries/{coded['inquiry'].id}/codes", json={"name": "x"}).status_code,
        api.get(f"/api/v1/codes/{code.id}").status_code,
        api.delete(f"/api/v1/codes/{code.id}").status_code,
        api.get(f"/api/v1/inquiries/{coded['inquiry'].id}/excerpts").status_code,
        api.post(
            f"/api/v1/notes/{coded['note'].id}/excerpts", json={"quote": "Le", "code_ids": [code.id]}
        ).status_code,
        api.get(_url(excerpt.id)).status_code,
        api.patch(_url(excerpt.id), json={"start": 0}, headers={"If-Match": "*"}).status_code,
        api.delete(_url(excerpt.id)).status_code,
    ]
    assert statuses == [404] * 9


def test_created_excerpt_quotes_the_note(as_, coded):
    response = as_("student").post(
        f"/api/v1/notes/{coded['note'].id}/excerpts",
        json={"start": 20, "end": 27, "code_ids": [coded["energie"].id, coded["engagement"].id]},
    )
    body = response.get_json()
    assert response.status_code == 201 and response.headers["ETag"]
    assert body["text"] == "énergie" and body["interview_id"] == coded["interview"].id
    assert sorted(body["code_ids"]) == sorted([coded["energie"].id, coded["engagement"].id])
    assert body["coder_id"] == coded["student"].id and body["blind"] is False


def test_code_by_quote(as_, coded):
    response = as_("student").post(
        f"/api/v1/notes/{coded['note'].id}/excerpts",
        json={"quote": "son énergie", "code_ids": [coded["energie"].id]},
    )
    assert response.status_code == 201
    assert (response.get_json()["start"], response.get_json()["end"]) == (16, 27)


def test_code_by_paragraph(as_, coded):
    note = fieldwork.create_note(
        coded["inquiry"],
        coded["student"],
        title="Carnet",
        body="Premier.\n\n  Second paragraphe.  ",
        kind="field_notes",
    )
    db.session.commit()
    response = as_("student").post(
        f"/api/v1/notes/{note.id}/excerpts", json={"paragraph": 2, "code_ids": [coded["energie"].id]}
    )
    assert response.status_code == 201 and response.get_json()["text"] == "Second paragraphe."


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"start": 0, "end": 2}, "code_ids"),
        ({"start": 0, "end": 2, "code_ids": []}, "code_ids"),
        ({"start": 0, "end": 2, "code_ids": ["1"]}, "code_ids"),
        ({"start": 0, "end": 2, "code_ids": 3}, "code_ids"),
        ({"start": "0", "end": 2, "code_ids": [1]}, "start"),
        ({"start": 0, "code_ids": [1]}, "end"),
        ({"end": 4, "code_ids": [1]}, "start"),
        ({"code_ids": [1]}, "_schema"),
        ({"start": 0, "end": 2, "quote": "Le", "code_ids": [1]}, "_schema"),
        ({"start": -1, "end": 2, "code_ids": [1]}, "start"),
        ({"paragraph": 0, "code_ids": [1]}, "paragraph"),
        ({"quote": "", "code_ids": [1]}, "quote"),
        ({"quote": "x" * 20_001, "code_ids": [1]}, "quote"),
        ({"quote": "a\x00b", "code_ids": [1]}, "quote"),
        ({"start": 0, "end": 2, "code_ids": [1], "colour": "red"}, "colour"),
    ],
)
def test_bad_excerpt_bodies_are_422(as_, coded, payload, field):
    before = _count()
    response = as_("student").post(f"/api/v1/notes/{coded['note'].id}/excerpts", json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert _count() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"start": 5, "end": 5}, "start"),
        ({"start": 6, "end": 2}, "start"),
        ({"start": 0, "end": len(BODY) + 1}, "start"),
        ({"paragraph": 2}, "paragraph"),
        ({"quote": "absent du texte"}, "quote"),
        ({"quote": "e"}, "quote"),
    ],
)
def test_passage_outside_the_note_is_422(as_, coded, payload, field):
    before = _count()
    response = as_("student").post(
        f"/api/v1/notes/{coded['note'].id}/excerpts", json={**payload, "code_ids": [coded["energie"].id]}
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == [field]
    assert _count() == before


@pytest.mark.parametrize("code", ["foreign", "missing"])
def test_code_of_another_inquiry_is_422(as_, coded, code):
    code_id = coded["foreign"].id if code == "foreign" else 999_999
    before = _count()
    response = as_("student").post(
        f"/api/v1/notes/{coded['note'].id}/excerpts",
        json={"start": 0, "end": 2, "code_ids": [coded["energie"].id, code_id]},
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["json"]) == ["code_ids"]
    assert _count() == before


def test_note_of_another_inquiry_is_404(as_, coded):
    other = coded["other_inquiry"]
    note = fieldwork.create_note(other, coded["outsider"], title="Ailleurs", body="Texte", kind="field_notes")
    db.session.commit()
    response = as_("student").post(
        f"/api/v1/notes/{note.id}/excerpts", json={"start": 0, "end": 2, "code_ids": [coded["foreign"].id]}
    )
    assert response.status_code == 404
    assert _count() == 1


def test_patch_moves_and_recodes_with_the_current_etag(as_, coded):
    api, excerpt_id = as_("student"), coded["excerpt"].id
    etag = api.get(_url(excerpt_id)).headers["ETag"]
    response = api.patch(
        _url(excerpt_id),
        json={"start": 20, "end": 27, "code_ids": [coded["energie"].id]},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["text"] == "énergie" and body["code_ids"] == [coded["energie"].id]
    assert response.headers["ETag"] != etag


def test_patch_without_if_match_is_428(as_, coded):
    response = as_("student").patch(_url(coded["excerpt"].id), json={"start": 0})
    assert response.status_code == 428
    assert db.session.get(Excerpt, coded["excerpt"].id).start == 3


def test_stale_if_match_is_412(as_, coded):
    api, excerpt_id = as_("student"), coded["excerpt"].id
    etag = api.get(_url(excerpt_id)).headers["ETag"]
    assert api.patch(_url(excerpt_id), json={"start": 0}, headers={"If-Match": etag}).status_code == 200
    assert api.patch(_url(excerpt_id), json={"start": 1}, headers={"If-Match": etag}).status_code == 412
    assert api.delete(_url(excerpt_id), headers={"If-Match": etag}).status_code == 412
    assert api.get(_url(excerpt_id)).get_json()["start"] == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"start": 40}, "start"),
        ({"end": 2}, "start"),
        ({"code_ids": []}, "code_ids"),
        ({"code_ids": [999_999]}, "code_ids"),
        ({"start": True}, "start"),
    ],
)
def test_bad_patches_are_422_and_change_nothing(as_, coded, payload, field):
    api, excerpt_id = as_("student"), coded["excerpt"].id
    etag = api.get(_url(excerpt_id)).headers["ETag"]
    response = api.patch(_url(excerpt_id), json=payload, headers={"If-Match": etag})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert api.get(_url(excerpt_id)).headers["ETag"] == etag


# --- blind coding ---------------------------------------------------------------------------


@pytest.fixture
def blind(as_, coded):
    """The first student codes the note blind: the second student's excerpt is hidden from them."""
    coding.set_blind(coded["note"], coded["student"], True)
    db.session.commit()
    return coded


def test_blind_coder_does_not_see_others_excerpts(as_, blind):
    api, excerpt_id = as_("student"), blind["excerpt"].id
    etag = as_("tutor").get(_url(excerpt_id)).headers["ETag"]
    statuses = [
        api.get(_url(excerpt_id)).status_code,
        api.patch(_url(excerpt_id), json={"start": 0}, headers={"If-Match": etag}).status_code,
        api.delete(_url(excerpt_id)).status_code,
    ]
    assert statuses == [404, 404, 404]
    listed = api.get(f"/api/v1/inquiries/{blind['inquiry'].id}/excerpts").get_json()
    assert excerpt_id not in [e["id"] for e in listed]
    assert db.session.get(Excerpt, excerpt_id).start == 3


def test_blind_coder_sees_own_excerpts_marked_blind(as_, blind):
    api = as_("student")
    created = api.post(
        f"/api/v1/notes/{blind['note'].id}/excerpts",
        json={"quote": "énergie", "code_ids": [blind["energie"].id]},
    ).get_json()
    assert created["blind"] is True
    listed = api.get(f"/api/v1/inquiries/{blind['inquiry'].id}/excerpts").get_json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert api.get(_url(created["id"])).status_code == 200


def test_api_list_matches_the_web_rule(as_, blind):
    """The API's list is what ``hide_blind`` leaves, for the blind coder and for the others."""
    coding.code_span(blind["note"], blind["student"], 0, 2, [blind["energie"].id])
    db.session.commit()
    everything = list(db.session.scalars(select(Excerpt).where(Excerpt.inquiry_id == blind["inquiry"].id)))
    for who, user in (("student", blind["student"]), ("tutor", blind["tutor"])):
        listed = as_(who).get(f"/api/v1/inquiries/{blind['inquiry'].id}/excerpts").get_json()
        assert sorted(e["id"] for e in listed) == sorted(e.id for e in coding.hide_blind(everything, user))
    assert len(as_("tutor").get(f"/api/v1/inquiries/{blind['inquiry'].id}/excerpts").get_json()) == 2


def test_blind_filtering_by_code_still_hides(as_, blind):
    url = f"/api/v1/inquiries/{blind['inquiry'].id}/excerpts?code={blind['engagement'].id}"
    assert as_("student").get(url).get_json() == []
    assert [e["id"] for e in as_("tutor").get(url).get_json()] == [blind["excerpt"].id]


# --- list filters and pages -----------------------------------------------------------------


def test_filters_by_code_and_interview(as_, coded):
    api, inquiry = as_("tutor"), coded["inquiry"]
    free = fieldwork.create_note(
        inquiry, coded["student"], title="Carnet", body="Marché du samedi", kind="field_notes"
    )
    db.session.commit()
    on_free = coding.code_span(free, coded["student"], 0, 6, [coded["energie"].id]).id
    db.session.commit()
    base = f"/api/v1/inquiries/{inquiry.id}/excerpts"
    ids = lambda url: [e["id"] for e in api.get(url).get_json()]  # noqa: E731
    assert sorted(ids(base)) == sorted([coded["excerpt"].id, on_free])
    assert ids(f"{base}?code={coded['energie'].id}") == [on_free]
    assert ids(f"{base}?interview={coded['interview'].id}") == [coded["excerpt"].id]
    assert ids(f"{base}?interview={coded['interview'].id}&code={coded['energie'].id}") == []


def test_filters_with_another_inquirys_ids_are_404(as_, coded):
    other_interview = fieldwork.create_interview(
        coded["other_inquiry"], coded["outsider"], {"pseudonym": "Z1"}
    )
    db.session.commit()
    api, base = as_("student"), f"/api/v1/inquiries/{coded['inquiry'].id}/excerpts"
    assert api.get(f"{base}?code={coded['foreign'].id}").status_code == 404
    assert api.get(f"{base}?interview={other_interview.id}").status_code == 404
    assert api.get(f"{base}?code=abc").status_code == 422


def test_excerpt_list_is_paginated(as_, coded):
    for start in range(3):
        coding.code_span(coded["note"], coded["student"], start, start + 1, [coded["energie"].id])
    db.session.commit()
    response = as_("tutor").get(f"/api/v1/inquiries/{coded['inquiry'].id}/excerpts?per_page=2&page=2")
    assert len(response.get_json()) == 2
    assert response.headers["X-Total-Count"] == "4"
    assert 'rel="prev"' in response.headers["Link"] and 'rel="last"' in response.headers["Link"]
    assert as_("tutor").get(f"/api/v1/inquiries/{coded['inquiry'].id}/excerpts?per_page=0").status_code == 422


def test_excerpt_list_query_count_is_constant(as_, coded):
    api, inquiry = as_("student"), coded["inquiry"]
    url = f"/api/v1/inquiries/{inquiry.id}/excerpts?per_page=100"
    coding.set_blind(coded["note"], coded["student"], True)

    def queries_with(total):
        while _count() < total:
            n = _count()
            interview = fieldwork.create_interview(
                inquiry, coded["student"], {"pseudonym": f"Q{n}", "conducted_on": date(2026, 11, 1)}
            )
            note = fieldwork.create_note(
                inquiry,
                coded["student"],
                title=f"N{n}",
                body="Un texte à coder.",
                kind="transcript",
                interview=interview,
            )
            coding.code_span(
                note, coded["students"][n % 2], 0, 3, [coded["energie"].id, coded["engagement"].id]
            )
        db.session.commit()
        api.get(url)
        with count_queries() as n:
            response = api.get(url)
        assert len(response.get_json()) == total - 1  # the blind note's other excerpt is hidden
        return n()

    assert queries_with(10) == queries_with(50)


def test_read_only_token_cannot_code(client, coded):
    api = Api(client, make_token(coded["student"], read_only=True))
    response = api.post(
        f"/api/v1/notes/{coded['note'].id}/excerpts",
        json={"quote": "énergie", "code_ids": [coded["energie"].id]},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def _fieldwork_api_urls(app, w) -> list[tuple[str, str]]:
    """Every (method, URL) of the fieldwork resources of the API, ids filled with real objects."""
    ids = {
        "inquiry_id": w["inquiry"].id,
        "interview_id": w["interview"].id,
        "note_id": w["note"].id,
        "code_id": w["engagement"].id,
        "excerpt_id": w["excerpt"].id,
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("api.interviews.", "api.notes.", "api.codes.", "api.excerpts.")):
            continue
        path = rule.rule
        for name, value in ids.items():
            path = re.sub(rf"<[^>]*:{name}>", str(value), path)
        assert "<" not in path, path
        found.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def _valid_body(path: str) -> dict:
    """A body each write accepts, so that only the policy can refuse it."""
    bodies = [
        (r"/inquiries/\d+/interviews$", {"pseudonym": "P1"}),
        (r"/inquiries/\d+/codes$", {"name": "x"}),
        (r"/interviews/\d+/notes$", {"title": "t"}),
        (r"/interviews/\d+/files$", {}),
        (r"/notes/\d+/excerpts$", {"quote": "Le", "code_ids": [1]}),
        (r"/codes/\d+/merge$", {"target_id": 1}),
        (r"/interviews/\d+$", {"place": "x"}),
        (r"/notes/\d+$", {"body": "x"}),
        (r"/codes/\d+$", {"name": "x"}),
        (r"/excerpts/\d+$", {"start": 0}),
    ]
    return next(body for pattern, body in bodies if re.search(pattern, path))


def test_every_fieldwork_api_url_is_listed(app, coded):
    assert len(_fieldwork_api_urls(app, coded)) >= 17


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_non_readers_get_404_on_every_fieldwork_api_url(app, as_, coded, who):
    api = as_(who)
    before = (_count(), db.session.scalar(select(func.count(Code.id))))
    for method, path in _fieldwork_api_urls(app, coded):
        call = getattr(api, method.lower())
        kwargs = {}
        if method in ("POST", "PATCH"):
            kwargs = {"json": _valid_body(path), "headers": {"If-Match": "*"}}
        response = call(path, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.get_json()["error"]["code"] == "not_found"
    assert (_count(), db.session.scalar(select(func.count(Code.id)))) == before
