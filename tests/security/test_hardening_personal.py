"""The personal data download holds what the person wrote and did, not the inquiry's field material.

students[0] wrote the note's first revision and coded an excerpt; students[1] then rewrote the
note and gave the interview a profile and a place. Neither the current note text nor the
profile belongs to students[0]'s data, member or removed; their own revision and excerpt do.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import delete

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.inquiries.models import Membership
from tests.conftest import login
from tests.security._hardening import make_field

OTHERS_TEXT = "Texte réécrit par une autre étudiante : Mme K. habite rue des Lilas."
PROFILE_VALUE = "31-50"
PLACE = "Café du Port, Sète"


@pytest.fixture
def field(team):
    world = make_field(team)
    note, other = world["note"], world["students"][1]
    fieldwork.save_note(
        note, other, title="Entretien E07 (relu)", body=OTHERS_TEXT, base_version=note.version
    )
    attribute = world["attribute"]
    fieldwork.update_interview(
        world["interview"], other, {"place": PLACE, "profile": {str(attribute.id): PROFILE_VALUE}}
    )
    db.session.commit()
    assert world["interview"].place == PLACE and PROFILE_VALUE in world["interview"].profile.values()
    return world


def _data(client, user) -> str:
    login(client, user)
    response = client.get("/me/data.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data)).read("data.json").decode()


def _remove(field, user) -> None:
    db.session.execute(
        delete(Membership).where(Membership.user_id == user.id, Membership.inquiry_id == field["inquiry"].id)
    )
    db.session.commit()


@pytest.mark.parametrize("removed", [False, True], ids=["member", "removed member"])
def test_the_download_holds_what_the_person_wrote_and_did(client, field, removed):
    author = field["students"][0]
    if removed:
        _remove(field, author)
    data = json.loads(_data(client, author))
    rows = data["rows"]
    assert [r["body"] for r in rows["note_revisions"]] == [
        "Le collectif m'a accueillie.\n\nOn décide ensemble, même quand c'est long."
    ]
    assert [r["text"] for r in rows["excerpts"]] == ["On décide ensemble, même quand c'est long."]
    assert {r["id"] for r in rows["notes"]} == {field["note"].id}  # that they created it, not its text


@pytest.mark.parametrize("removed", [False, True], ids=["member", "removed member"])
def test_the_download_holds_no_current_field_material(client, field, removed):
    author = field["students"][0]
    if removed:
        _remove(field, author)
    text = _data(client, author)
    assert author.email in text  # control: the account's own data is there
    assert "Lilas" not in text and "relu" not in text
    assert PROFILE_VALUE not in text and "Sète" not in text


def test_the_person_who_rewrote_it_gets_their_own_revision(client, field):
    text = _data(client, field["students"][1])
    assert "Lilas" in text  # in their revision: they wrote it
    rows = json.loads(text)["rows"]
    assert all("body" not in r for r in rows.get("notes", []))
