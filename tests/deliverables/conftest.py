import io

import pytest

from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.extensions import db


@pytest.fixture
def client(english_client):
    """This room's tests read English UI text (the fixture is in tests/conftest.py)."""
    return english_client


def make_deliverable(inquiry, author, title="Rapport final", kind="final_report"):
    deliverable = deliverables.create_deliverable(
        inquiry, author, title=title, kind=kind, due_on=None, phase=""
    )
    db.session.commit()
    return deliverable


def text_version(deliverable, author, body="# Rapport\n\nPremier jet.", changelog="v1"):
    version = deliverables.add_text_version(deliverable, author, body, changelog)
    db.session.commit()
    return version


def share_now(version):
    """Share a version directly, as the collective action would once passed."""
    deliverables.share_action(version.inquiry, {"version_id": version.id}, None)
    db.session.commit()


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
