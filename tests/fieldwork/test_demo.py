"""The demo field material of CONTRACT.md."""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub import seed
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Consent, IdentityKey, Interview, Note


def test_demo_has_every_status_every_consent_and_one_withdrawal_per_inquiry():
    seed.seed_demo()
    db.session.commit()
    interviews = db.session.scalars(select(Interview)).all()
    assert {i.status for i in interviews} == {"planned", "conducted", "transcribed", "coded"}
    assert {c.status for c in db.session.scalars(select(Consent))} == {
        "not_asked",
        "oral",
        "written",
        "withdrawn",
    }
    assert {c.quotation for c in db.session.scalars(select(Consent))} == {"named", "anonymised", "forbidden"}
    withdrawn = [i for i in interviews if i.withdrawn]
    assert len(withdrawn) == 2 and len({i.inquiry_id for i in withdrawn}) == 2
    # The two withdrawals are recorded, not yet carried out: their keys go after the 7-day delay.
    assert db.session.scalar(select(db.func.count(IdentityKey.id))) == 8


def test_demo_notes_hold_pseudonyms_only():
    seed.seed_demo()
    db.session.commit()
    notes = db.session.scalars(select(Note)).all()
    assert len(notes) >= 6
    leaks = [n.title for n in notes if fieldwork.check_text(n.inquiry, n.body).changed]
    assert leaks == []
