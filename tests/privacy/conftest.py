"""Privacy fixtures: two inquiries with field material, identity keys and files."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.tasks import services as tasks

#: Real identities: never in an export, gone after the purge.
NAMES = {"main": "Léa Dupont-Ferrand", "other": "Marcel Villeneuve-Abadie"}


def upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/octet-stream")


def field_material(inquiry, student, pseudonym: str, real_name: str) -> dict:
    """An interview with its identity key, a consent form, an audio file and a note."""
    interview = fieldwork.create_interview(
        inquiry, student, {"pseudonym": pseudonym, "status": "conducted", "conducted_on": date(2026, 11, 3)}
    )
    fieldwork.set_identity(interview, student, real_name, f"{pseudonym.lower()}@secret.example", "")
    # Written consent to recording and archiving: the audio file and the archived notes are allowed.
    terms = {"status": "written", "given_on": date(2026, 11, 3), "notice_version": "v2"}
    fieldwork.update_consent(
        interview,
        student,
        {**terms, "recording_allowed": True, "quotation": "anonymised", "archiving_allowed": True},
    )
    form = fieldwork.add_file(
        interview, student, upload("consent.pdf", f"form {pseudonym}".encode()), kind="consent_form"
    )
    audio = fieldwork.add_file(interview, student, upload("audio.ogg", f"audio {pseudonym}".encode()))
    note = fieldwork.create_note(
        inquiry,
        student,
        title=f"Entretien {pseudonym}",
        body=f"{real_name} raconte son arrivée au collectif.",
        kind="transcript",
        interview=interview,
    )
    return {"interview": interview, "form": form, "audio": audio, "note": note}


@pytest.fixture
def world(team):
    """The team's inquiry and the other one, each with field material and a task."""
    main = field_material(team["inquiry"], team["student"], "E07", NAMES["main"])
    other = field_material(team["other_inquiry"], team["outsider"], "B12", NAMES["other"])
    column = tasks.columns_of(team["inquiry"])[0]
    task = tasks.create_task(
        team["inquiry"], title="Relancer la mairie", column=column, actor=team["student"]
    )
    db.session.commit()
    return {**team, "main": main, "other": other, "task": task}


@pytest.fixture(autouse=True)
def _no_archive_left(app):
    """The archive folder lives as long as the app: each test starts with it empty."""
    yield
    shutil.rmtree(Path(app.config["UPLOAD_FOLDER"]).parent / "archives", ignore_errors=True)


@pytest.fixture
def client(english_client):
    """This room's tests read English UI text (the fixture is in tests/conftest.py)."""
    return english_client
