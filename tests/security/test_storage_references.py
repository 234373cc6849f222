"""Stored bytes are shared by content across rooms: purging one room's file must never delete
bytes that a row of another room (a deliverable version) still refers to."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import inspect as sa_inspect
from werkzeug.datastructures import FileStorage

from inquiry_hub import storage
from inquiry_hub.db import Base
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from tests.conftest import login
from tests.deliverables.conftest import make_deliverable
from tests.test_storage_failures import png


def _interview_with_file(inquiry, student, pseudonym: str, data: bytes):
    interview = fieldwork.create_interview(
        inquiry, student, {"pseudonym": pseudonym, "status": "conducted", "conducted_on": date(2026, 11, 3)}
    )
    upload = FileStorage(stream=io.BytesIO(data), filename="photo.png", content_type="image/png")
    row = fieldwork.add_file(interview, student, upload)
    db.session.commit()
    return interview, row


def test_purging_an_interview_keeps_bytes_a_deliverable_version_shares(client, team):
    inquiry, student = team["inquiry"], team["student"]
    shared = png(4_000, seed=7)
    interview, shared_file = _interview_with_file(inquiry, student, "Camille", shared)
    _other, own_file = _interview_with_file(inquiry, student, "Dominique", png(4_000, seed=9))
    deliverable = make_deliverable(inquiry, student)
    version = deliverables.add_file_version(deliverable, student, shared, "jardin.png", "Photo")
    db.session.commit()
    assert version.sha256 == shared_file.sha256  # identical bytes are stored once

    fieldwork.purge_material(interview)
    fieldwork.purge_material(_other)
    db.session.commit()

    store = storage.get_storage()
    assert not store.exists(own_file.sha256)  # positive control: the purge really deletes
    login(client, student)
    response = client.get(
        f"/inquiries/{inquiry.id}/deliverables/{deliverable.id}/versions/{version.id}/download"
    )
    assert response.status_code == 200
    assert response.data == shared


def test_every_column_holding_a_stored_file_is_declared():
    declared = storage.REFERENCES
    holding = {
        (mapper.local_table.name, column.name)
        for mapper in (m for m in Base.registry.mappers)
        for column in sa_inspect(mapper.class_).columns
        if column.name in ("sha256", "file_sha256", "digest")
    }
    assert holding, "no file column found: the test looks at the wrong names"
    assert holding <= declared
