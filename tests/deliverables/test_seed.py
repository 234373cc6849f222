"""The demo data of the deliverables room (issue 6's acceptance)."""

from sqlalchemy import select

from inquiry_hub import seed
from inquiry_hub.deliverables.models import Deliverable
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Inquiry


def test_each_demo_inquiry_has_an_approved_note_and_a_report_under_review():
    seed.seed_demo()
    db.session.commit()
    for inquiry in db.session.scalars(select(Inquiry)):
        rows = {
            d.kind: d
            for d in db.session.scalars(select(Deliverable).where(Deliverable.inquiry_id == inquiry.id))
        }
        assert rows["framing_note"].status == "approved"
        report = rows["final_report"]
        assert len(report.versions) == 2
        assert report.versions[0].shared_at is None and report.versions[1].shared_at is not None
        assert report.status == "shared"
