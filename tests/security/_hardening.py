"""Hardening test world (the test_hardening_* files build their fixtures on it): an inquiry with field material, a code, an attribute and an excerpt."""

from __future__ import annotations

from datetime import date

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.services import coding

#: Larger than any integer column of either database.
HUGE = "99999999999999999999999"


def make_field(team) -> dict:
    """The team, an interview "E07" with a note, a code, a profile attribute and one excerpt."""
    inquiry, student = team["inquiry"], team["student"]
    interview = fieldwork.create_interview(
        inquiry, student, {"pseudonym": "E07", "status": "conducted", "conducted_on": date(2026, 11, 3)}
    )
    note = fieldwork.create_note(
        inquiry,
        student,
        title="Entretien E07",
        body="Le collectif m'a accueillie.\n\nOn décide ensemble, même quand c'est long.",
        kind="transcript",
        interview=interview,
        written_on=date(2026, 11, 3),
    )
    code = coding.create_code(inquiry, student, name="Gouvernance")
    attribute = fieldwork.save_attribute(inquiry, student, "Âge", "18-30\n31-50")
    excerpt = coding.code_paragraph(note, student, 2, [code.id])
    fieldwork.save_guide(inquiry, student, "1. Votre arrivée ?", "first version")
    db.session.commit()
    return {
        **team,
        "interview": interview,
        "note": note,
        "code": code,
        "attribute": attribute,
        "excerpt": excerpt,
    }
