"""A consent form downloaded from the fieldwork room lands in the privacy room's audit (registered)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import InterviewFile
from inquiry_hub.privacy.models import SensitiveRead
from tests.conftest import login
from tests.fieldwork.conftest import base
from tests.fieldwork.test_interviews import _consent


def test_consent_form_download_is_audited(client, fw):
    login(client, fw["student"])
    _consent(client, fw, signed_form=(io.BytesIO(b"%PDF signed"), "form.pdf"))
    row = db.session.scalars(select(InterviewFile)).one()
    response = client.get(base(fw["inquiry"]) + f"/interviews/{fw['interview'].id}/files/{row.id}")
    assert response.status_code == 200 and response.data == b"%PDF signed"
    [read] = db.session.scalars(
        select(SensitiveRead).where(SensitiveRead.inquiry_id == fw["inquiry"].id)
    ).all()
    assert read.kind == "consent_form" and read.user_id == fw["student"].id
    assert fw["interview"].pseudonym in read.summary


def test_a_sensitive_read_without_an_audit_keeper_is_an_error(monkeypatch, fw):
    monkeypatch.setattr(activity, "_audit", [])
    with pytest.raises(RuntimeError, match="audit"):
        activity.sensitive_read(fw["inquiry"], fw["student"], "consent_form", "E01")
    assert db.session.scalars(select(SensitiveRead)).all() == []
    # The privacy room's keeper is what the app registers at start-up.
    from inquiry_hub.privacy.services import audit

    monkeypatch.setattr(activity, "_audit", [audit.record_read])
    activity.sensitive_read(fw["inquiry"], fw["student"], "consent_form", "E01")
    assert len(db.session.scalars(select(SensitiveRead)).all()) == 1
