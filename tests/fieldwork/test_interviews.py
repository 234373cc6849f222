"""Interviews, consent terms and uploads, withdrawal purge, deletion, guide and sampling grid."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import (
    IdentityKey,
    Interview,
    InterviewFile,
    InterviewGuide,
    Note,
)
from inquiry_hub.fieldwork.models.hiding import SEE_WITHDRAWN
from inquiry_hub.storage import get_storage
from tests.conftest import login
from tests.fieldwork.conftest import base


def _count(model, hidden: bool = False) -> int:
    """Rows of the model; with ``hidden``, those a pending withdrawal hides too."""
    query = select(func.count()).select_from(model)
    return db.session.scalar(query.execution_options(**SEE_WITHDRAWN) if hidden else query)


def test_student_creates_an_interview_with_its_identity(client, fw):
    login(client, fw["student"])
    data = {"pseudonym": "E08", "status": "planned", "planned_on": "2026-12-01", "full_name": "Jean Valjean"}
    response = client.post(base(fw["inquiry"]) + "/interviews/new", data=data)
    assert response.status_code == 302
    interview = db.session.scalars(select(Interview).where(Interview.pseudonym == "E08")).one()
    assert interview.planned_on == date(2026, 12, 1) and fieldwork.has_identity(interview)


def test_duplicate_pseudonym_is_refused(client, fw):
    login(client, fw["student"])
    response = client.post(
        base(fw["inquiry"]) + "/interviews/new", data={"pseudonym": "e07", "status": "planned"}
    )
    assert response.status_code == 422 and "already uses this pseudonym" in response.get_data(as_text=True)
    assert _count(Interview) == 1


def test_same_pseudonym_is_fine_in_another_inquiry(fw):
    fieldwork.create_interview(fw["other_inquiry"], fw["outsider"], {"pseudonym": "E07"})
    assert _count(Interview) == 2


def test_profile_values_come_from_the_inquiry_attributes(client, fw):
    attribute = fieldwork.save_attribute(fw["inquiry"], fw["student"], "Statut", "salarié·e\nbénévole")
    db.session.commit()
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/edit"
    ok = client.post(url, data={"pseudonym": "E07", "status": "coded", f"attr_{attribute.id}": "bénévole"})
    bad = client.post(url, data={"pseudonym": "E07", "status": "coded", f"attr_{attribute.id}": "1962-03-04"})
    assert ok.status_code == 302 and bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(Interview, fw["interview"].id).profile == {str(attribute.id): "bénévole"}


def _consent(client, fw, **files):
    data = {
        "status": "written",
        "given_on": "2026-11-03",
        "notice_version": "v2",
        "quotation": "forbidden",
        **files,
    }
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/consent"
    return client.post(url, data=data, content_type="multipart/form-data")


def test_consent_terms_and_signed_form_are_stored(client, fw):
    login(client, fw["student"])
    response = _consent(client, fw, signed_form=(io.BytesIO(b"%PDF signed"), "form.pdf"))
    assert response.status_code == 302
    consent = fieldwork.consent_of(db.session.get(Interview, fw["interview"].id))
    assert (consent.status, consent.quotation, consent.notice_version) == ("written", "forbidden", "v2")
    row = db.session.scalars(select(InterviewFile)).one()
    assert row.kind == "consent_form" and get_storage().open(row.sha256).read() == b"%PDF signed"


def test_signed_form_is_for_students_only(client, fw):
    login(client, fw["student"])
    _consent(client, fw, signed_form=(io.BytesIO(b"%PDF signed"), "form.pdf"))
    row = db.session.scalars(select(InterviewFile)).one()
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/files/{row.id}"
    assert client.get(url).status_code == 200
    login(client, fw["tutor"])
    assert client.get(url).status_code == 403


def test_oversized_upload_gets_413_and_nothing_is_stored(app, client, fw):
    login(client, fw["student"])
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = _consent(client, fw, signed_form=(io.BytesIO(b"x" * 4096), "big.pdf"))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413
    assert _count(InterviewFile) == 0
    consent = fieldwork.consent_of(db.session.get(Interview, fw["interview"].id))
    assert consent.status == "not_asked"


def test_withdrawal_asks_for_confirmation_first(client, fw):
    login(client, fw["student"])
    page = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/withdraw")
    assert page.status_code == 200 and "Confirm" in page.get_data(as_text=True)
    assert _count(IdentityKey) == 1


def test_withdrawal_purges_identity_files_and_notes_after_the_delay(client, fw):
    login(client, fw["student"])
    _consent(client, fw, signed_form=(io.BytesIO(b"%PDF signed"), "form.pdf"))
    digest = db.session.scalars(select(InterviewFile.sha256)).one()
    assert get_storage().exists(digest)
    response = client.post(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/withdraw")
    assert response.status_code == 302
    assert fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY) == 1
    db.session.commit()
    assert (_count(IdentityKey), _count(InterviewFile, hidden=True), _count(Note, hidden=True)) == (0, 0, 0)
    assert not get_storage().exists(digest)
    interview = db.session.get(Interview, fw["interview"].id)
    assert interview.withdrawn and interview.consent.status == "withdrawn"


def test_withdrawal_leaves_a_tombstone_without_personal_data(client, fw):
    login(client, fw["student"])
    client.post(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/withdraw")
    tomb = db.session.scalars(select(Activity).where(Activity.verb == "fieldwork.consent_withdrawn")).one()
    assert tomb.summary == "" and tomb.object_id == fw["interview"].id


def test_withdrawal_keeps_files_another_interview_still_uses(fw):
    other = fieldwork.create_interview(fw["inquiry"], fw["student"], {"pseudonym": "E09"})
    for interview in (fw["interview"], other):
        db.session.add(
            InterviewFile(
                inquiry_id=fw["inquiry"].id,
                interview_id=interview.id,
                sha256=get_storage().save(b"same"),
                filename="f",
            )
        )
    db.session.flush()
    fieldwork.withdraw_consent(fw["interview"], fw["student"])
    fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY)
    db.session.commit()
    assert get_storage().exists(db.session.scalars(select(InterviewFile.sha256)).one())


def test_deleting_an_interview_is_a_collective_action(client, fw):
    login(client, fw["student"])
    response = client.post(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/delete")
    assert response.status_code == 302 and "/decisions/" in response.headers["Location"]
    assert _count(Interview) == 1  # waits for the team's consent


def test_any_member_rule_deletes_the_interview_at_once(client, fw):
    fw["inquiry"].governance_rule = "any_member"
    db.session.commit()
    login(client, fw["student"])
    client.post(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/delete")
    assert (_count(Interview), _count(Note), _count(IdentityKey)) == (0, 0, 0)


def test_guide_versions_are_kept(client, fw):
    login(client, fw["student"])
    url = base(fw["inquiry"]) + "/guide"
    client.post(url, data={"body": "## Parcours\n- Comment êtes-vous arrivé·e ?", "changelog": "première"})
    client.post(url, data={"body": "## Parcours\n- Racontez votre arrivée.", "changelog": "reformulation"})
    assert [g.version for g in fieldwork.guides_of(fw["inquiry"])] == [2, 1]
    page = client.get(url + "?version=1").get_data(as_text=True)
    assert "Comment êtes-vous arrivé·e ?" in page
    assert _count(InterviewGuide) == 2


def test_sampling_grid_shows_targets_against_counts(client, fw):
    attribute = fieldwork.save_attribute(fw["inquiry"], fw["student"], "Statut", "salarié·e\nbénévole")
    fieldwork.update_interview(fw["interview"], fw["student"], {"profile": {attribute.id: "bénévole"}})
    planned = fieldwork.create_interview(
        fw["inquiry"], fw["student"], {"pseudonym": "E10", "status": "planned"}
    )
    fieldwork.update_interview(planned, fw["student"], {"profile": {attribute.id: "bénévole"}})
    db.session.commit()
    login(client, fw["student"])
    client.post(
        base(fw["inquiry"]) + "/sampling",
        data={f"target-{attribute.id}-0": "4", f"target-{attribute.id}-1": "3"},
    )
    ((attr, rows),) = fieldwork.sampling_grid(fw["inquiry"])
    assert [(r.value, r.target, r.planned, r.conducted, r.uncovered) for r in rows] == [
        ("salarié·e", 4, 0, 0, 4),
        ("bénévole", 3, 1, 1, 1),
    ]


def test_sampling_targets_must_be_numbers(client, fw):
    fieldwork.save_attribute(fw["inquiry"], fw["student"], "Statut", "a\nb")
    db.session.commit()
    login(client, fw["student"])
    attribute_id = fieldwork.attributes_of(fw["inquiry"])[0].id
    response = client.post(base(fw["inquiry"]) + "/sampling", data={f"target-{attribute_id}-0": "-3"})
    assert response.status_code == 422


def test_attachment_is_stored_with_a_pseudonymised_name(client, fw):
    login(client, fw["student"])
    url = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/files"
    data = {"attachment": (io.BytesIO(b"photo"), "plan Lea Dupont-Ferrand.jpg")}
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    row = db.session.scalars(select(InterviewFile)).one()
    assert (row.kind, row.filename) == ("attachment", "plan E07.jpg")
    login(client, fw["tutor"])
    download = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/files/{row.id}")
    assert download.status_code == 200 and download.data == b"photo"


def test_nothing_more_is_recorded_after_a_withdrawal(client, fw):
    fieldwork.withdraw_consent(fw["interview"], fw["student"])
    fieldwork.delete_due(utcnow() + fieldwork.WITHDRAWAL_DELAY)
    db.session.commit()
    login(client, fw["student"])
    prefix = base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}"
    client.post(prefix + "/identity", data={"full_name": "Léa Dupont-Ferrand"})
    client.post(prefix + "/edit", data={"pseudonym": "E07", "status": "coded", "place": "Lyon"})
    assert _count(IdentityKey) == 0
    assert db.session.get(Interview, fw["interview"].id).place == ""
    assert (
        client.get(base(fw["inquiry"]) + f"/notes/new?interview_id={fw['interview'].id}").status_code == 409
    )


def test_interview_list_query_count_does_not_grow_with_rows(client, fw):
    from tests.conftest import count_queries

    login(client, fw["tutor"])
    url = base(fw["inquiry"]) + "/"
    client.get(url)
    db.session.expire_all()
    with count_queries() as few:
        client.get(url)
    for n in range(12):
        interview = fieldwork.create_interview(fw["inquiry"], fw["student"], {"pseudonym": f"X{n}"})
        interview.interviewers = fw["students"][:2]
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        client.get(url)
    assert many() == few()
