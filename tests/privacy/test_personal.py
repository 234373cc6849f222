"""My data: the personal ZIP; closing an account."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from inquiry_hub.accounts.models import ApiToken
from inquiry_hub.accounts.services import create_api_token
from inquiry_hub.activity.models import Notification
from inquiry_hub.export_rows import user_columns
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import LogbookEntry
from inquiry_hub.governance.services import logbook
from inquiry_hub.privacy.services import audit, personal
from inquiry_hub.tasks.models import Task
from tests.conftest import PASSWORD, login
from tests.privacy.conftest import NAMES


def _zip(client, user) -> zipfile.ZipFile:
    login(client, user)
    response = client.get("/me/data.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def _everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_personal_zip_holds_the_account_and_what_the_person_wrote(client, world):
    data = json.loads(_zip(client, world["student"]).read("data.json"))
    assert data["account"]["email"] == world["student"].email
    assert [row["title"] for row in data["rows"]["tasks"]] == ["Relancer la mairie"]
    assert data["rows"]["memberships"][0]["inquiry_id"] == world["inquiry"].id


def test_personal_zip_holds_no_identity_data_of_interviewees(client, world):
    text = _everything(_zip(client, world["student"]))
    assert world["student"].email in text  # control: the person's own data is there
    assert NAMES["main"] not in text and "e07@secret.example" not in text
    assert "form E07" not in text and "audio E07" not in text


def test_personal_zip_holds_nothing_of_other_people(client, world):
    text = _everything(_zip(client, world["student"]))
    assert world["student"].email in text  # control: the person's own data is there
    assert world["students"][1].email not in text and world["outsider"].email not in text
    assert "B12" not in text


def test_personal_zip_leaves_out_secrets(client, world):
    create_api_token(world["student"], "laptop")
    db.session.commit()
    data = json.loads(_zip(client, world["student"]).read("data.json"))
    assert all("token_hash" not in row for row in data["rows"]["api_tokens"])


def test_personal_zip_needs_a_login(client):
    assert client.get("/me/data.zip").status_code in (302, 401)


def _close(client, user, password=PASSWORD):
    login(client, user)
    return client.post("/me/close", data={"password": password, "confirm": "y"})


def test_closing_an_account_needs_the_password(client, world):
    response = _close(client, world["student"], password="not the password")
    assert response.status_code == 422
    db.session.expire_all()
    assert world["student"].name == "Student 0"


def test_closed_account_cannot_log_in(client, world):
    email = world["student"].email
    _close(client, world["student"])
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, no redirect


def test_closed_account_keeps_team_content_as_former_member(client, world):
    _close(client, world["student"])
    db.session.expire_all()
    task = db.session.get(Task, world["task"].id)
    assert task.created_by.name == "former member"
    assert world["student"].email.endswith("@closed.invalid")


def test_closed_account_loses_tokens_notifications_and_personal_logbook(client, world):
    student = world["student"]
    create_api_token(student, "laptop")
    logbook.write_entry(
        world["inquiry"],
        student,
        written_on=world["task"].created_at.date(),
        title="Moi",
        body="…",
        personal=True,
    )
    logbook.write_entry(
        world["inquiry"],
        student,
        written_on=world["task"].created_at.date(),
        title="Équipe",
        body="…",
        personal=False,
    )
    db.session.add(Notification(user_id=student.id, kind="x", params={}))
    db.session.commit()
    _close(client, student)
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(ApiToken.id)).where(
                ApiToken.user_id == student.id, ApiToken.revoked_at.is_(None)
            )
        )
        == 0
    )
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == student.id)) == 0
    )
    assert [e.title for e in db.session.scalars(select(LogbookEntry))] == ["Équipe"]


def test_close_page_asks_for_confirmation(client, world):
    login(client, world["student"])
    page = client.get("/me/close").get_data(as_text=True)
    assert 'name="password"' in page and 'name="confirm"' in page


def test_each_room_lists_only_tables_that_name_a_person_and_never_the_vault():
    for room in personal.ROOMS:
        for model in room.PERSONAL_MODELS:
            assert user_columns(model.__table__), model.__tablename__
            assert model.__tablename__ not in personal.SKIPPED_TABLES, model.__tablename__


def test_tables_no_room_claims_are_still_exported(client, world):
    # Memberships (inquiries room) and the sensitive-read log (privacy) belong to no exporting room.
    audit.record_read(world["inquiry"], world["student"], "archive")
    db.session.commit()
    rows = json.loads(_zip(client, world["student"]).read("data.json"))["rows"]
    assert {"memberships", "sensitive_reads", "tasks", "interviews", "notes"} <= set(rows)
