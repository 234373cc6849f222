"""Browsers send a textarea's lines ending in CRLF: notes are stored with LF, so that paragraphs are
found and the offsets the coding view reads in the page (where CRLF is LF) match the stored text."""

from __future__ import annotations

import re

from sqlalchemy import select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Excerpt, Note
from inquiry_hub.fieldwork.services import coding
from tests.conftest import login
from tests.fieldwork.conftest import base

CRLF_BODY = "Premier paragraphe.\r\n\r\nOn se met d'accord\r\nen marchant.\rFin."


def test_a_note_written_in_a_browser_is_stored_with_lf_line_ends(client, fw):
    login(client, fw["student"])
    data = {"title": "Notes CRLF", "kind": "field_notes", "body": CRLF_BODY, "interview_id": ""}
    response = client.post(base(fw["inquiry"]) + "/notes/new", data=data)
    assert response.status_code == 302
    note = db.session.scalars(select(Note).where(Note.title == "Notes CRLF")).one()
    assert note.body == "Premier paragraphe.\n\nOn se met d'accord\nen marchant.\nFin."
    assert len(coding.paragraphs(note.body)) == 2

    page = client.get(base(fw["inquiry"]) + f"/notes/{note.id}/coding").get_data(as_text=True)
    starts = [int(s) for s in re.findall(r'class="paragraph-text" data-start="(\d+)"', page)]
    assert starts == [0, len("Premier paragraphe.\n\n")]


def test_an_edited_note_is_stored_with_lf_line_ends(client, fw):
    login(client, fw["student"])
    note = fw["note"]
    data = {"title": note.title, "kind": note.kind, "body": CRLF_BODY, "version": str(note.version)}
    response = client.post(base(fw["inquiry"]) + f"/notes/{note.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert "\r" not in db.session.get(Note, note.id).body


def test_a_passage_after_a_line_break_is_coded_with_the_offsets_the_page_shows(client, fw):
    note = fieldwork.create_note(
        fw["inquiry"], fw["student"], title="Notes CRLF", body=CRLF_BODY, kind="field_notes"
    )
    code = coding.create_code(fw["inquiry"], fw["student"], name="Accord", colour="#4e79a7")
    db.session.commit()
    shown = "Premier paragraphe.\n\nOn se met d'accord\nen marchant.\nFin."  # the page's textContent
    start = shown.index("en marchant")
    login(client, fw["student"])
    response = client.post(
        base(fw["inquiry"]) + f"/notes/{note.id}/excerpts",
        data={"start": start, "end": start + len("en marchant"), "codes": [code.id]},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Excerpt.text).where(Excerpt.note_id == note.id)).one() == "en marchant"
