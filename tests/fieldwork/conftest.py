"""Fieldwork fixtures: an inquiry with one interview whose identity is in the vault."""

from __future__ import annotations

from datetime import date

import pytest

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork

#: The interviewee's real identity: must never appear in clear outside a student's reveal.
REAL_NAME = "Léa Dupont-Ferrand"
ALIASES = "Léa\nLulu Ferrand"
CONTACT = "lea.secret@example.org"


@pytest.fixture
def fw(team):
    """The team, an interview "E07" with its identity key, and a note about it."""
    inquiry, student = team["inquiry"], team["student"]
    interview = fieldwork.create_interview(
        inquiry,
        student,
        {"pseudonym": "E07", "status": "conducted", "conducted_on": date(2026, 11, 3), "place": "Lyon"},
    )
    fieldwork.set_identity(interview, student, REAL_NAME, CONTACT, ALIASES)
    note = fieldwork.create_note(
        inquiry,
        student,
        title="Entretien E07",
        body="Léa raconte son arrivée dans les entreprises d'insertion.\n\nElle parle de l'énergie du collectif.",
        kind="transcript",
        interview=interview,
        written_on=date(2026, 11, 3),
    )
    db.session.commit()
    return {**team, "interview": interview, "note": note}


def base(inquiry) -> str:
    return f"/inquiries/{inquiry.id}/fieldwork"


@pytest.fixture
def client(english_client):
    """This room's tests read English UI text (the fixture is in tests/conftest.py)."""
    return english_client
