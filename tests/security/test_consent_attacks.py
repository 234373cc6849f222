"""Consent terms and the identity vault hold against the ways they were broken on main.

Each attack comes with its positive control: the legitimate action really happens (status
and a marker), so that an error page cannot make a test pass.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inquiry_hub.accounts import services as accounts
from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork import vault
from inquiry_hub.fieldwork.models import (
    ConsentWithdrawal,
    Excerpt,
    IdentityKey,
    Interview,
    InterviewFile,
    Note,
)
from inquiry_hub.fieldwork.models.hiding import SEE_WITHDRAWN
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.privacy.services import retention
from inquiry_hub.storage import get_storage
from tests.conftest import login

REAL_NAME = "Louise Dubois"
ALIASES = "Lulu\nMme Dubois"
#: Real MP3 magic (an ID3 header), so content sniffing sees audio whatever the name says.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
#: An MP4 (ftyp box), video.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def _terms(**overrides) -> dict:
    terms = {
        "status": "written",
        "given_on": date(2026, 11, 3),
        "notice_version": "v2",
        "recording_allowed": False,
        "quotation": "anonymised",
        "archiving_allowed": True,
    }
    return {**terms, **overrides}


@pytest.fixture
def fw(team):
    """An interview E07 with its identity (aliases), consent, a transcript coded once, a photo."""
    inquiry, student = team["inquiry"], team["student"]
    interview = fieldwork.create_interview(inquiry, student, {"pseudonym": "E07", "status": "conducted"})
    fieldwork.set_identity(interview, student, REAL_NAME, "louise@secret.example", ALIASES)
    fieldwork.update_consent(interview, student, _terms())
    note = fieldwork.create_note(
        inquiry,
        student,
        title="Entretien E07",
        body="Elle parle de l'énergie du collectif et du jardin partagé.",
        kind="transcript",
        interview=interview,
    )
    code = coding.create_code(
        inquiry, student, name="Collectif", colour="#ffd966", description="", example=""
    )
    start = note.body.index("énergie")
    excerpt = coding.code_span(note, student, start, start + len("énergie du collectif"), [code.id])
    photo = fieldwork.add_file(
        interview, student, _upload("jardin.jpg", b"\xff\xd8\xff\xe0photo", "image/jpeg")
    )
    db.session.commit()
    return {**team, "interview": interview, "note": note, "excerpt": excerpt, "photo": photo}


def _upload(name, data, mimetype="application/octet-stream"):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)


def _url(fw, tail: str = "") -> str:
    return f"/inquiries/{fw['inquiry'].id}/fieldwork/interviews/{fw['interview'].id}{tail}"


def _count(model, hidden: bool = False) -> int:
    query = select(func.count()).select_from(model)
    return db.session.scalar(query.execution_options(**SEE_WITHDRAWN) if hidden else query)


# --- 1. editing an identity must not corrupt its aliases ------------------------------------


def _aliases_field(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="aliases"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "the identity form with its aliases is on the page"
    return html.unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n")


def test_identity_form_shows_aliases_one_per_line(client, fw):
    login(client, fw["student"])
    page = client.post(_url(fw, "/reveal"))
    assert page.status_code == 200
    assert _aliases_field(page.get_data(as_text=True)) == "Lulu\nMme Dubois"


def test_saving_the_identity_form_unchanged_keeps_aliases_replaced_in_new_notes(client, fw):
    login(client, fw["student"])
    aliases = _aliases_field(client.post(_url(fw, "/reveal")).get_data(as_text=True))
    response = client.post(
        _url(fw, "/identity"),
        data={"full_name": REAL_NAME, "contact": "louise@secret.example", "aliases": aliases},
    )
    assert response.status_code == 302
    assert fieldwork.names_by_pseudonym(fw["inquiry"]) == [("E07", [REAL_NAME, "Lulu", "Mme Dubois"])]
    note = fieldwork.create_note(
        fw["inquiry"],
        fw["student"],
        title="Suite",
        body="Lulu et Mme Dubois sont venues.",
        kind="field_notes",
    )
    assert note.body == "E07 et E07 sont venues."


def test_aliases_corrupted_by_the_old_form_are_repaired_on_read(fw):
    key = db.session.scalars(select(IdentityKey)).one()
    # What main stored after one save of the pre-filled form: the list literal split on commas.
    key.aliases_token = vault.encrypt("['Lulu'\n'Mme Dubois']")
    db.session.commit()
    assert fieldwork.names_by_pseudonym(fw["inquiry"]) == [("E07", [REAL_NAME, "Lulu", "Mme Dubois"])]
    assert fieldwork.check_text(fw["inquiry"], "Mme Dubois rit.").text == "E07 rit."


def _migration():
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0015_consent_enforced.py"
    spec = importlib.util.spec_from_file_location("migration_0015", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "stored",
    [
        "['Lulu'\n'Mme Dubois']",  # one save of the broken form
        "[\"['Lulu'\"\n\"'Mme Dubois']\"]",  # two saves
    ],
)
def test_migration_repairs_aliases_stored_by_the_old_form(fw, stored):
    key = db.session.scalars(select(IdentityKey)).one()
    key.aliases_token = vault.encrypt(stored)
    db.session.commit()
    assert _migration().repair_aliases(db.session.connection()) == 1
    db.session.commit()
    db.session.expire_all()
    assert vault.decrypt(db.session.scalars(select(IdentityKey)).one().aliases_token) == "Lulu\nMme Dubois"


def test_migration_leaves_sound_aliases_alone(fw):
    token = db.session.scalars(select(IdentityKey.aliases_token)).one()
    assert _migration().repair_aliases(db.session.connection()) == 0
    assert db.session.scalars(select(IdentityKey.aliases_token)).one() == token


def test_identity_without_any_name_is_422_and_keeps_the_key(client, fw):
    login(client, fw["student"])
    response = client.post(_url(fw, "/identity"), data={"full_name": " ", "contact": "x", "aliases": " \n "})
    assert response.status_code == 422
    assert "Give at least a real name or another name." in response.get_data(as_text=True)
    assert fieldwork.names_by_pseudonym(fw["inquiry"])[0][1][0] == REAL_NAME


def test_identity_with_too_long_aliases_is_422(client, fw):
    login(client, fw["student"])
    response = client.post(_url(fw, "/identity"), data={"full_name": REAL_NAME, "aliases": "x" * 2001})
    assert response.status_code == 422
    assert fieldwork.names_by_pseudonym(fw["inquiry"])[0][1] == [REAL_NAME, "Lulu", "Mme Dubois"]


def test_tutor_cannot_save_an_identity(client, fw):
    login(client, fw["tutor"])
    response = client.post(_url(fw, "/identity"), data={"full_name": "Quelqu'un"})
    assert response.status_code == 403
    assert fieldwork.names_by_pseudonym(fw["inquiry"])[0][1][0] == REAL_NAME


# --- 2. recording refused: no audio or video, web and API ----------------------------------


@pytest.mark.parametrize(
    "name, data, mimetype",
    [
        ("entretien.mp3", b"anything", "application/octet-stream"),  # by its name
        ("entretien.bin", b"anything", "audio/mpeg"),  # by its declared type
        ("notes.pdf", MP3, "application/pdf"),  # by its content, whatever it claims
        ("plan.jpg", MP4, "image/jpeg"),
    ],
)
def test_web_upload_of_a_recording_without_consent_is_422_and_stores_nothing(
    app, client, fw, name, data, mimetype
):
    login(client, fw["student"])
    stored = lambda: sorted(p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file())  # noqa: E731
    files_before = stored()
    response = client.post(
        _url(fw, "/files"),
        data={"attachment": (io.BytesIO(data), name, mimetype)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "does not allow recording" in response.get_data(as_text=True)
    assert _count(InterviewFile) == 1  # the photo of the fixture only
    assert stored() == files_before


def test_web_upload_of_a_recording_with_consent_is_stored(client, fw):
    fieldwork.update_consent(fw["interview"], fw["student"], _terms(recording_allowed=True))
    db.session.commit()
    login(client, fw["student"])
    response = client.post(
        _url(fw, "/files"),
        data={"attachment": (io.BytesIO(MP3), "entretien.mp3", "audio/mpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _count(InterviewFile) == 2


def test_web_upload_of_another_file_without_recording_consent_is_stored(client, fw):
    login(client, fw["student"])
    response = client.post(
        _url(fw, "/files"),
        data={"attachment": (io.BytesIO(b"%PDF-1.4 notes"), "notes.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _count(InterviewFile) == 2


def _api(client, user):
    _token, clear = accounts.create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


def test_api_upload_of_a_recording_without_consent_is_422_and_stores_nothing(client, fw):
    response = client.post(
        f"/api/v1/interviews/{fw['interview'].id}/files",
        data={"file": (io.BytesIO(MP3), "entretien.ogg")},
        content_type="multipart/form-data",
        headers=_api(client, fw["student"]),
    )
    assert response.status_code == 422
    assert "does not allow recording" in response.get_json()["error"]["message"]
    assert _count(InterviewFile) == 1


def test_api_upload_of_a_recording_with_consent_is_201(client, fw):
    fieldwork.update_consent(fw["interview"], fw["student"], _terms(recording_allowed=True))
    db.session.commit()
    response = client.post(
        f"/api/v1/interviews/{fw['interview'].id}/files",
        data={"file": (io.BytesIO(MP3), "entretien.mp3")},
        content_type="multipart/form-data",
        headers=_api(client, fw["student"]),
    )
    assert response.status_code == 201 and response.get_json()["filename"] == "entretien.mp3"
    assert _count(InterviewFile) == 2


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"json": {"file": "x"}}, 415),
        ({"data": {}, "content_type": "multipart/form-data"}, 422),
        (
            {
                "data": {"file": [(io.BytesIO(b"a"), "a.txt"), (io.BytesIO(b"b"), "b.txt")]},
                "content_type": "multipart/form-data",
            },
            422,
        ),
    ],
)
def test_api_upload_bad_requests_get_a_clear_error(client, fw, kwargs, status):
    response = client.post(
        f"/api/v1/interviews/{fw['interview'].id}/files", headers=_api(client, fw["student"]), **kwargs
    )
    assert response.status_code == status and response.get_json()["error"]["message"]
    assert _count(InterviewFile) == 1


@pytest.mark.parametrize("who, status", [("tutor", 403), ("partner", 404), ("outsider", 404)])
def test_api_upload_is_for_students_only(client, fw, who, status):
    response = client.post(
        f"/api/v1/interviews/{fw['interview'].id}/files",
        data={"file": (io.BytesIO(b"%PDF"), "a.pdf")},
        content_type="multipart/form-data",
        headers=_api(client, fw[who]),
    )
    assert response.status_code == status


# --- 3. archiving refused: not in the archive, purged at retention ---------------------------


def _archive(client, fw) -> zipfile.ZipFile:
    login(client, fw["student"])
    page = f"/inquiries/{fw['inquiry'].id}/archive/"
    assert client.post(page).status_code == 302
    (href,) = re.findall(r'href="([^"]+\.zip)"', client.get(page).get_data(as_text=True))
    return zipfile.ZipFile(io.BytesIO(client.get(href).data))


def _second_interview(fw, archiving: bool):
    """E09, with its own transcript and excerpt; archiving allowed or refused."""
    other = fieldwork.create_interview(fw["inquiry"], fw["student"], {"pseudonym": "E09"})
    fieldwork.update_consent(other, fw["student"], _terms(archiving_allowed=archiving))
    note = fieldwork.create_note(
        fw["inquiry"],
        fw["student"],
        title="Entretien E09",
        body="Le potager ouvrier de la rue haute.",
        kind="transcript",
        interview=other,
    )
    code = coding.create_code(
        fw["inquiry"], fw["student"], name="Potager", colour="#ffd966", description="", example=""
    )
    coding.code_span(note, fw["student"], 3, 17, [code.id])
    db.session.commit()
    return other


def _text_of(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_archive_leaves_out_an_interview_that_refused_archiving(client, fw):
    _second_interview(fw, archiving=False)
    archive = _archive(client, fw)
    text = _text_of(archive)
    assert "potager ouvrier" not in text and "E09" not in text
    assert not any("E09" in name for name in archive.namelist())
    # Positive control: the interview that allowed archiving is there, transcript and excerpt.
    assert "énergie du collectif et du jardin" in text and "> énergie du collectif" in text


def test_archive_holds_an_interview_that_allowed_archiving(client, fw):
    _second_interview(fw, archiving=True)
    assert "potager ouvrier" in _text_of(_archive(client, fw))


def test_archive_leaves_out_an_interview_whose_consent_was_not_asked(client, fw):
    other = _second_interview(fw, archiving=True)
    fieldwork.update_consent(other, fw["student"], _terms(status="not_asked", archiving_allowed=True))
    db.session.commit()
    text = _text_of(_archive(client, fw))
    assert "énergie du collectif" in text  # control: E07, whose consent is written, is archived
    assert "potager ouvrier" not in text


def test_retention_purges_the_notes_of_an_interview_that_refused_archiving(fw):
    other = _second_interview(fw, archiving=False)
    retention.set_retention(fw["inquiry"], fw["admin"], date(2027, 1, 1), archive_notes=True)
    db.session.commit()
    retention.purge_expired(date(2027, 1, 2))
    db.session.commit()
    kept = db.session.scalars(select(Note.interview_id)).all()
    assert kept == [fw["interview"].id]  # E07 allowed archiving: its transcript stays
    assert other.id not in kept and _count(IdentityKey) == 0


def test_purge_expired_command_purges_material_hidden_by_a_pending_withdrawal(app, fw):
    fieldwork.withdraw_consent(fw["interview"], fw["student"])
    fw["inquiry"].retention_until = date.today() - timedelta(days=1)
    db.session.commit()
    digest = fw["photo"].sha256
    result = app.test_cli_runner().invoke(args=["purge-expired"], catch_exceptions=False)
    assert "inquiries purged: 1" in result.output
    db.session.expire_all()
    assert (_count(Note, hidden=True), _count(InterviewFile, hidden=True), _count(IdentityKey)) == (0, 0, 0)
    assert not get_storage().exists(digest)


# --- 4. one student alone must not empty an interview ----------------------------------------


def _withdraw(client, fw, who="student"):
    login(client, fw[who])
    response = client.post(_url(fw, "/withdraw"))
    assert response.status_code == 302
    return response


def test_withdrawal_by_one_student_deletes_nothing_at_once(client, fw):
    _withdraw(client, fw)
    assert (_count(Note, hidden=True), _count(Excerpt, hidden=True), _count(InterviewFile, hidden=True)) == (
        1,
        1,
        1,
    )
    assert _count(IdentityKey) == 1 and get_storage().exists(fw["photo"].sha256)


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_withdrawal_hides_the_material_from_everyone_on_the_web(client, fw, who):
    note, excerpt, photo = fw["note"], fw["excerpt"], fw["photo"]
    base = f"/inquiries/{fw['inquiry'].id}/fieldwork"
    login(client, fw[who])
    # Positive control: before the withdrawal the note, its search hit and its excerpt are there.
    assert client.get(f"{base}/notes/{note.id}").status_code == 200
    assert "Entretien E07" in client.get(f"{base}/search?q=collectif").get_data(as_text=True)
    assert fieldwork.excerpt_for_citation(fw["inquiry"], excerpt.id) is not None
    _withdraw(client, fw)
    login(client, fw[who])
    assert client.get(f"{base}/notes/{note.id}").status_code == 404
    assert client.get(f"{base}/notes/{note.id}/history").status_code == 404
    assert client.get(_url(fw, f"/files/{photo.id}")).status_code == 404
    page = client.get(_url(fw)).get_data(as_text=True)
    assert "Entretien E07" not in page and "jardin.jpg" not in page
    assert "Entretien E07" not in client.get(f"{base}/search?q=collectif").get_data(as_text=True)
    assert fieldwork.excerpt_for_citation(fw["inquiry"], excerpt.id) is None


def test_withdrawal_hides_the_material_from_the_api(client, fw):
    headers = _api(client, fw["tutor"])
    notes_url = f"/api/v1/interviews/{fw['interview'].id}/notes"
    assert [n["id"] for n in client.get(notes_url, headers=headers).get_json()] == [fw["note"].id]
    _withdraw(client, fw)
    assert client.get(notes_url, headers=headers).get_json() == []
    search = client.get(f"/api/v1/inquiries/{fw['inquiry'].id}/search?q=collectif", headers=headers)
    assert search.status_code == 200 and search.get_json() == []
    assert client.get(f"/api/v1/excerpts/{fw['excerpt'].id}", headers=headers).status_code == 404


def test_withdrawal_banner_says_when_and_offers_the_mistake_to_another_student(client, fw):
    _withdraw(client, fw)
    own = client.get(_url(fw)).get_data(as_text=True)
    when = (utcnow() + fieldwork.WITHDRAWAL_DELAY).date()
    assert "will be deleted for good on" in own and "This was a mistake" not in own
    login(client, fw["students"][1])
    other = client.get(_url(fw)).get_data(as_text=True)
    assert "This was a mistake" in other and str(when.year) in other
    login(client, fw["tutor"])
    assert "This was a mistake" not in client.get(_url(fw)).get_data(as_text=True)


def test_withdrawal_is_logged_and_notified_to_the_other_students(client, fw):
    _withdraw(client, fw)
    assert db.session.scalar(select(func.count()).where(Activity.verb == "fieldwork.consent_withdrawn")) == 1
    notified = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "fieldwork.withdrawal_recorded")
        )
    )
    assert notified == {fw["students"][1].id, fw["students"][2].id}


def test_the_recorder_cannot_mark_their_own_withdrawal_as_a_mistake(client, fw):
    _withdraw(client, fw)
    response = client.post(_url(fw, "/withdrawal/mistake"))
    assert response.status_code == 403
    assert _count(Note) == 0


@pytest.mark.parametrize("who, status", [("tutor", 403), ("partner", 404), ("outsider", 404)])
def test_only_students_mark_a_withdrawal_as_a_mistake(client, fw, who, status):
    _withdraw(client, fw)
    login(client, fw[who])
    assert client.post(_url(fw, "/withdrawal/mistake")).status_code == status
    assert _count(Note) == 0


def test_another_students_mistake_mark_restores_the_material_and_the_consent(client, fw):
    _withdraw(client, fw)
    login(client, fw["students"][1])
    response = client.post(_url(fw, "/withdrawal/mistake"))
    assert response.status_code == 302
    assert (_count(Note), _count(Excerpt), _count(InterviewFile)) == (1, 1, 1)
    interview = db.session.get(Interview, fw["interview"].id)
    assert interview.consent.status == "written" and not interview.withdrawn
    assert db.session.scalar(select(func.count()).where(Activity.verb == "fieldwork.withdrawal_mistake")) == 1
    # Later runs of run-due leave it alone.
    assert fieldwork.delete_due(utcnow() + 2 * fieldwork.WITHDRAWAL_DELAY) == 0


def test_mistake_mark_without_a_pending_withdrawal_is_404(client, fw):
    login(client, fw["students"][1])
    assert client.post(_url(fw, "/withdrawal/mistake")).status_code == 404


def test_recording_a_withdrawal_twice_keeps_one_record(client, fw):
    _withdraw(client, fw)
    client.post(_url(fw, "/withdraw"))
    assert _count(ConsentWithdrawal) == 1


def test_run_due_deletes_the_material_after_seven_days_only(app, client, fw):
    _withdraw(client, fw)
    digest = fw["photo"].sha256
    assert fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY - timedelta(minutes=1)) == 0
    withdrawal = db.session.scalars(select(ConsentWithdrawal)).one()
    withdrawal.delete_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["run-due"], catch_exceptions=False)
    assert "withdrawn interviews whose material was deleted: 1" in result.output
    db.session.expire_all()
    assert (_count(Note, hidden=True), _count(Excerpt, hidden=True), _count(InterviewFile, hidden=True)) == (
        0,
        0,
        0,
    )
    assert _count(IdentityKey) == 0 and not get_storage().exists(digest)
    interview = db.session.get(Interview, fw["interview"].id)
    assert interview.purged_at is not None and interview.place == ""


def test_a_second_run_due_deletes_nothing_more(fw):
    fieldwork.withdraw_consent(fw["interview"], fw["student"])
    later = utcnow() + fieldwork.WITHDRAWAL_DELAY + timedelta(seconds=1)
    assert fieldwork.delete_due(later) == 1
    assert fieldwork.delete_due(later) == 0


def test_a_withdrawal_already_carried_out_cannot_be_marked_as_a_mistake(fw):
    withdrawal = fieldwork.withdraw_consent(fw["interview"], fw["student"])
    fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY)
    db.session.commit()
    with pytest.raises(fieldwork.WithdrawalError):
        fieldwork.mark_mistake(withdrawal, fw["students"][1])
    assert withdrawal.mistake_at is None


def test_api_upload_after_a_withdrawal_is_409(client, fw):
    fieldwork.withdraw_consent(fw["interview"], fw["student"])
    db.session.commit()
    response = client.post(
        f"/api/v1/interviews/{fw['interview'].id}/files",
        data={"file": (io.BytesIO(b"%PDF"), "a.pdf")},
        content_type="multipart/form-data",
        headers=_api(client, fw["student"]),
    )
    assert response.status_code == 409
    assert _count(InterviewFile, hidden=True) == 1
