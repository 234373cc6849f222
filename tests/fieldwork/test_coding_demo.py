"""The demo inquiries' coding (issue 5's acceptance)."""

from __future__ import annotations

from sqlalchemy import func, select

from inquiry_hub import seed
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import BlindCoding, Code, Excerpt, Memo
from inquiry_hub.inquiries.models import Inquiry


def test_demo_has_a_two_level_codebook_excerpts_memos_and_a_blind_double_coding():
    seed.seed_demo()
    db.session.commit()
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.id.in_(select(Code.inquiry_id)))).all()
    assert len(inquiries) >= 2
    for inquiry in inquiries:
        codes = db.session.scalars(select(Code).where(Code.inquiry_id == inquiry.id)).all()
        assert 14 <= len(codes) <= 17
        assert {c.parent_id is None for c in codes} == {True, False}
        coders = db.session.scalars(
            select(Excerpt.coder_id).where(Excerpt.inquiry_id == inquiry.id).distinct()
        ).all()
        assert len(coders) >= 2
        assert (
            db.session.scalar(select(func.count()).select_from(Memo).where(Memo.inquiry_id == inquiry.id))
            >= 2
        )
        blind = db.session.execute(
            select(BlindCoding.note_id, func.count())
            .where(BlindCoding.inquiry_id == inquiry.id)
            .group_by(BlindCoding.note_id)
        ).all()
        assert any(n == 2 for _note, n in blind)
        assert db.session.scalar(
            select(func.count()).select_from(Excerpt).where(Excerpt.inquiry_id == inquiry.id, Excerpt.blind)
        )
