"""``/api/v1`` deliverables and versions: the policy, partner visibility, uploads, downloads."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.deliverables.models import Version
from inquiry_hub.extensions import db
from inquiry_hub.storage import get_storage
from tests.conftest import count_queries
from tests.deliverables.conftest import make_deliverable, pdf_bytes, share_now, text_version

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}

LIST = {"student": 200, "tutor": 200, "partner": 200, "outsider": 404, "read_only": 200, **UNAUTHENTICATED}
READ_UNSHARED = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, "read_only": 200}
READ_SHARED = {"student": 200, "tutor": 200, "partner": 200, "outsider": 404, "read_only": 200}
UPLOAD_SHARED = {"student": 201, "tutor": 403, "partner": 403, "outsider": 404, "read_only": 403}
UPLOAD_UNSHARED = {"student": 201, "tutor": 403, "partner": 404, "outsider": 404, "read_only": 403}


@pytest.fixture
def rooms(team):
    """A draft deliverable (never shared) and one whose v1 is shared and v2 is not."""
    inquiry, student = team["inquiry"], team["student"]
    draft = make_deliverable(inquiry, student, title="Note de cadrage", kind="framing_note")
    draft_v1 = text_version(draft, student, body="# Cadrage")
    report = make_deliverable(inquiry, student)
    shared_v1 = text_version(report, student, body="# Rapport partagé")
    share_now(shared_v1)
    internal_v2 = text_version(report, student, body="# Rapport interne", changelog="v2")
    return {
        **team,
        "draft": draft,
        "draft_v1": draft_v1,
        "report": report,
        "shared_v1": shared_v1,
        "internal_v2": internal_v2,
    }


def _stored_files(app) -> int:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def unique_pdf() -> bytes:
    """A PDF no other test stored (files are stored by content)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": uuid.uuid4().hex})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _stored(data: bytes) -> bool:
    return get_storage().exists(hashlib.sha256(data).hexdigest())


def _versions() -> int:
    return db.session.scalar(select(func.count(Version.id)))


def _upload(api, deliverable, data: bytes, name="rapport.pdf", **fields):
    return api.post(
        f"/api/v1/deliverables/{deliverable.id}/versions",
        json=None,
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


# --- the role matrix --------------------------------------------------------------------


@pytest.mark.parametrize("who", LIST)
def test_list_deliverables_by_caller(as_, rooms, who):
    response = as_(who).get(f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables")
    assert response.status_code == LIST[who]


@pytest.mark.parametrize("who", READ_UNSHARED)
def test_read_unshared_deliverable_by_caller(as_, rooms, who):
    assert as_(who).get(f"/api/v1/deliverables/{rooms['draft'].id}").status_code == READ_UNSHARED[who]


@pytest.mark.parametrize("who", READ_SHARED)
def test_read_shared_deliverable_by_caller(as_, rooms, who):
    assert as_(who).get(f"/api/v1/deliverables/{rooms['report'].id}").status_code == READ_SHARED[who]


@pytest.mark.parametrize("who", READ_UNSHARED)
def test_list_versions_of_unshared_deliverable_by_caller(as_, rooms, who):
    response = as_(who).get(f"/api/v1/deliverables/{rooms['draft'].id}/versions")
    assert response.status_code == READ_UNSHARED[who]


@pytest.mark.parametrize("who", READ_UNSHARED)
def test_read_unshared_version_by_caller(as_, rooms, who):
    assert as_(who).get(f"/api/v1/versions/{rooms['internal_v2'].id}").status_code == READ_UNSHARED[who]


@pytest.mark.parametrize("who", READ_SHARED)
def test_read_shared_version_by_caller(as_, rooms, who):
    assert as_(who).get(f"/api/v1/versions/{rooms['shared_v1'].id}").status_code == READ_SHARED[who]


@pytest.mark.parametrize("who", READ_UNSHARED)
def test_download_unshared_version_by_caller(as_, rooms, who):
    response = as_(who).get(f"/api/v1/versions/{rooms['internal_v2'].id}/content")
    assert response.status_code == READ_UNSHARED[who]


@pytest.mark.parametrize("who", READ_SHARED)
def test_download_shared_version_by_caller(as_, rooms, who):
    response = as_(who).get(f"/api/v1/versions/{rooms['shared_v1'].id}/content")
    assert response.status_code == READ_SHARED[who]


@pytest.mark.parametrize("who", {**UPLOAD_SHARED, **UNAUTHENTICATED})
def test_upload_on_shared_deliverable_by_caller(as_, rooms, who):
    response = _upload(as_(who), rooms["report"], pdf_bytes())
    assert response.status_code == {**UPLOAD_SHARED, **UNAUTHENTICATED}[who]


@pytest.mark.parametrize("who", UPLOAD_UNSHARED)
def test_upload_on_unshared_deliverable_by_caller(as_, rooms, who):
    response = _upload(as_(who), rooms["draft"], pdf_bytes())
    assert response.status_code == UPLOAD_UNSHARED[who]


@pytest.mark.parametrize("who", UPLOAD_SHARED)
def test_text_version_by_caller(as_, rooms, who):
    response = as_(who).post(
        f"/api/v1/deliverables/{rooms['report'].id}/versions", json={"body": "# v3", "changelog": "relu"}
    )
    assert response.status_code == UPLOAD_SHARED[who]


# --- what a partner sees ------------------------------------------------------------------


def test_partner_lists_only_shared_deliverables(as_, rooms):
    body = as_("partner").get(f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables").get_json()
    assert [d["id"] for d in body] == [rooms["report"].id]


def test_student_lists_every_deliverable(as_, rooms):
    body = as_("student").get(f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables").get_json()
    assert {d["id"] for d in body} == {rooms["report"].id, rooms["draft"].id}


def test_partner_sees_only_shared_versions_of_a_deliverable(as_, rooms):
    body = as_("partner").get(f"/api/v1/deliverables/{rooms['report'].id}").get_json()
    assert [v["id"] for v in body["versions"]] == [rooms["shared_v1"].id]


def test_partner_lists_only_shared_versions(as_, rooms):
    body = as_("partner").get(f"/api/v1/deliverables/{rooms['report'].id}/versions").get_json()
    assert [v["id"] for v in body] == [rooms["shared_v1"].id]


def test_tutor_sees_every_version_newest_first(as_, rooms):
    body = as_("tutor").get(f"/api/v1/deliverables/{rooms['report'].id}/versions").get_json()
    assert [v["number"] for v in body] == [2, 1]


def test_deliverable_of_another_inquiry_is_404(as_, rooms):
    foreign = make_deliverable(rooms["other_inquiry"], rooms["outsider"], title="Ailleurs")
    assert as_("student").get(f"/api/v1/deliverables/{foreign.id}").status_code == 404


def test_missing_ids_are_404_json(as_, rooms):
    response = as_("student").get("/api/v1/versions/2147483647")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# --- ETag and If-Match ---------------------------------------------------------------------


def test_deliverable_etag_names_its_latest_version(as_, rooms):
    assert as_("student").get(f"/api/v1/deliverables/{rooms['report'].id}").headers["ETag"] == '"v2"'


def test_partner_gets_no_etag_that_would_count_unshared_versions(as_, rooms):
    response = as_("partner").get(f"/api/v1/deliverables/{rooms['report'].id}")
    assert response.status_code == 200 and response.get_json()["id"] == rooms["report"].id
    assert "ETag" not in response.headers


def test_version_with_stale_if_match_is_412_and_nothing_is_added(as_, rooms):
    api, versions = as_("student"), _versions()
    response = api.post(
        f"/api/v1/deliverables/{rooms['report'].id}/versions",
        json={"body": "# v3"},
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 412
    assert response.get_json()["error"]["code"] == "precondition_failed"
    assert _versions() == versions


def test_version_with_current_if_match_is_added(as_, rooms):
    response = as_("student").post(
        f"/api/v1/deliverables/{rooms['report'].id}/versions",
        json={"body": "# v3"},
        headers={"If-Match": '"v2"'},
    )
    assert response.status_code == 201 and response.get_json()["number"] == 3


# --- downloads --------------------------------------------------------------------------


def test_download_is_an_attachment_with_safe_headers_and_logged(as_, rooms):
    response = as_("partner").get(f"/api/v1/versions/{rooms['shared_v1'].id}/content")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.get_data() == "# Rapport partagé".encode()
    logged = select(func.count(Activity.id)).where(Activity.verb == "deliverables.downloaded")
    assert db.session.scalar(logged) == 1


def test_uploaded_pdf_downloads_with_its_sniffed_type(as_, rooms):
    api = as_("student")
    version = _upload(api, rooms["draft"], pdf_bytes(), name="rapport.exe").get_json()
    response = api.get(f"/api/v1/versions/{version['id']}/content")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.get_data() == pdf_bytes()


# --- uploads ----------------------------------------------------------------------------


def test_good_pdf_is_stored_and_listed(app, as_, rooms):
    api, data = as_("student"), unique_pdf()
    response = _upload(api, rooms["draft"], data, changelog="Première mise en page")
    body = response.get_json()
    assert response.status_code == 201
    assert (body["format"], body["mimetype"], body["filename"]) == ("file", "application/pdf", "rapport.pdf")
    assert body["changelog"] == "Première mise en page" and body["number"] == 2
    assert _stored(data)
    listed = api.get(f"/api/v1/deliverables/{rooms['draft'].id}/versions").get_json()
    assert listed[0]["id"] == body["id"]


def test_oversized_upload_is_413_json_and_nothing_is_stored(app, as_, rooms):
    api, before, versions = as_("student"), _stored_files(app), _versions()
    data = unique_pdf() + b"0" * 20_000
    limit, app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"], 10_000
    try:
        response = _upload(api, rooms["draft"], data)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert (_stored_files(app), _versions()) == (before, versions)
    assert not _stored(data)


def test_html_disguised_as_pdf_is_refused_and_nothing_is_stored(app, as_, rooms):
    api, before, versions = as_("student"), _stored_files(app), _versions()
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    response = _upload(api, rooms["draft"], html)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unprocessable" and "file" in error["details"]["form"]
    assert (_stored_files(app), _versions()) == (before, versions)


def test_executable_is_refused(as_, rooms):
    response = _upload(as_("student"), rooms["draft"], b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "a.pdf")
    assert response.status_code == 422


def test_empty_file_is_refused(as_, rooms):
    assert _upload(as_("student"), rooms["draft"], b"").status_code == 422


def test_upload_without_a_file_is_422(as_, rooms):
    response = as_("student").post(
        f"/api/v1/deliverables/{rooms['draft'].id}/versions",
        data={"changelog": "oubli"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]["form"]


def test_two_files_are_422(as_, rooms):
    response = as_("student").post(
        f"/api/v1/deliverables/{rooms['draft'].id}/versions",
        data={"file": [(io.BytesIO(pdf_bytes()), "a.pdf"), (io.BytesIO(pdf_bytes()), "b.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_too_long_changelog_is_422_and_nothing_is_stored(as_, rooms):
    data = unique_pdf()
    response = _upload(as_("student"), rooms["draft"], data, changelog="x" * 301)
    assert response.status_code == 422
    assert "changelog" in response.get_json()["error"]["details"]["form"]
    assert not _stored(data)


def test_unknown_form_field_is_422(as_, rooms):
    assert _upload(as_("student"), rooms["draft"], pdf_bytes(), colour="red").status_code == 422


def test_markdown_upload_becomes_a_text_version(as_, rooms):
    response = _upload(as_("student"), rooms["draft"], "# Synthèse\n\nÀ relire.".encode(), "s.md")
    assert response.status_code == 201
    assert response.get_json()["format"] == "text"


def test_text_version_as_json_is_created(as_, rooms):
    response = as_("student").post(
        f"/api/v1/deliverables/{rooms['draft'].id}/versions", json={"body": "# v2", "changelog": "relu"}
    )
    body = response.get_json()
    assert response.status_code == 201
    assert (body["format"], body["number"], body["changelog"]) == ("text", 2, "relu")


@pytest.mark.parametrize(
    "payload",
    [{}, {"body": ""}, {"body": "   "}, {"body": 3}, {"body": "a\x00b"}, {"body": "x", "colour": "red"}],
)
def test_bad_text_version_is_422(as_, rooms, payload):
    response = as_("student").post(f"/api/v1/deliverables/{rooms['draft'].id}/versions", json=payload)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unprocessable"


def test_json_that_is_not_an_object_is_400(as_, rooms):
    response = as_("student").post(f"/api/v1/deliverables/{rooms['draft'].id}/versions", json=["x"])
    assert response.status_code == 400


def test_other_content_type_is_415(as_, rooms):
    response = as_("student").post(
        f"/api/v1/deliverables/{rooms['draft'].id}/versions",
        data="# v2",
        headers={"Content-Type": "text/markdown"},
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_upload_with_bearer_needs_no_csrf_token(as_, rooms, csrf_enabled):
    assert _upload(as_("student"), rooms["draft"], pdf_bytes()).status_code == 201


def test_upload_with_a_session_cookie_only_is_401(app, client, rooms):
    from tests.conftest import login

    login(client, rooms["student"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"/api/v1/deliverables/{rooms['draft'].id}/versions",
            data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 401


# --- pagination and query counts ----------------------------------------------------------


def test_deliverables_are_paginated_with_a_link_header(as_, rooms):
    response = as_("student").get(f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables?per_page=1")
    assert len(response.get_json()) == 1
    assert response.headers["X-Total-Count"] == "2"
    assert 'rel="next"' in response.headers["Link"]


def test_deliverable_list_query_count_does_not_grow(as_, rooms):
    api = as_("student")
    url = f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables?per_page=100"
    make_deliverable(rooms["inquiry"], rooms["student"], title="Troisième")
    api.get(url)
    with count_queries() as few:
        assert len(api.get(url).get_json()) == 3
    for n in range(12):
        make_deliverable(rooms["inquiry"], rooms["student"], title=f"Livrable {n}")
    with count_queries() as many:
        assert len(api.get(url).get_json()) == 15
    assert many() == few()


def test_version_list_query_count_does_not_grow(as_, rooms):
    api = as_("student")
    url = f"/api/v1/deliverables/{rooms['draft'].id}/versions?per_page=100"
    for n in range(2):
        text_version(rooms["draft"], rooms["student"], body=f"# v{n}")
    api.get(url)
    with count_queries() as few:
        assert len(api.get(url).get_json()) == 3
    for n in range(12):
        text_version(rooms["draft"], rooms["student"], body=f"# w{n}")
    with count_queries() as many:
        assert len(api.get(url).get_json()) == 15
    assert many() == few()


def test_deliverable_names_its_research_question(as_, rooms):
    from inquiry_hub.governance.services import commission

    question = commission.sync_questions(rooms["inquiry"], ["Qui s'engage ?"])[0]
    rooms["report"].research_question_id = question.id
    db.session.commit()
    body = as_("partner").get(f"/api/v1/deliverables/{rooms['report'].id}").get_json()
    assert body["research_question_id"] == question.id
    listed = as_("student").get(f"/api/v1/inquiries/{rooms['inquiry'].id}/deliverables").get_json()
    assert {d["id"]: d["research_question_id"] for d in listed} == {
        rooms["report"].id: question.id,
        rooms["draft"].id: None,
    }
