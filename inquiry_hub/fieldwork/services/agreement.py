"""Inter-coder agreement at paragraph level: percentage agreement, Cohen's kappa, disagreements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Excerpt, Note
from inquiry_hub.fieldwork.services.coding import codes_of, paragraphs


def percent_agreement(pairs: list[tuple[bool, bool]]) -> float | None:
    """Share of units on which both coders made the same decision, or None without units."""
    if not pairs:
        return None
    return sum(a == b for a, b in pairs) / len(pairs)


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of two coders' yes/no decisions; None when chance agreement is total."""
    n = len(pairs)
    if not n:
        return None
    both = sum(a and b for a, b in pairs)
    only_a = sum(a and not b for a, b in pairs)
    only_b = sum(b and not a for a, b in pairs)
    neither = n - both - only_a - only_b
    observed = (both + neither) / n
    expected = ((both + only_a) * (both + only_b) + (only_b + neither) * (only_a + neither)) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass
class Unit:
    """One paragraph of a note coded by both coders, with the code ids each gave it."""

    note: Note
    number: int
    text: str
    codes_a: set[int]
    codes_b: set[int]


@dataclass
class CodeAgreement:
    code: object
    units: int
    percent: float | None
    kappa: float | None


def units(inquiry, coder_a, coder_b) -> list[Unit]:
    """Paragraphs of the notes both coders coded, with each coder's codes on them."""
    excerpts = list(
        db.session.scalars(
            select(Excerpt)
            .where(Excerpt.inquiry_id == inquiry.id, Excerpt.coder_id.in_([coder_a.id, coder_b.id]))
            .options(db.selectinload(Excerpt.codes), db.joinedload(Excerpt.note))
        )
    )
    coders_by_note: dict[int, set[int]] = {}
    for e in excerpts:
        coders_by_note.setdefault(e.note_id, set()).add(e.coder_id)
    shared = {note_id for note_id, coders in coders_by_note.items() if len(coders) == 2}
    notes = {e.note_id: e.note for e in excerpts if e.note_id in shared}
    result = []
    for note_id in sorted(notes):
        note = notes[note_id]
        mine = [e for e in excerpts if e.note_id == note_id]
        for number, (start, end) in enumerate(paragraphs(note.body), 1):
            hit = [e for e in mine if e.start < end and start < e.end]
            result.append(
                Unit(
                    note=note,
                    number=number,
                    text=note.body[start:end],
                    codes_a={c.id for e in hit if e.coder_id == coder_a.id for c in e.codes},
                    codes_b={c.id for e in hit if e.coder_id == coder_b.id for c in e.codes},
                )
            )
    return result


def agreement(inquiry, coder_a, coder_b) -> tuple[list[CodeAgreement], list[Unit]]:
    """Agreement per code of the codebook, and the paragraphs on which the coders differ."""
    found = units(inquiry, coder_a, coder_b)
    table = []
    for code in codes_of(inquiry):
        pairs = [(code.id in u.codes_a, code.id in u.codes_b) for u in found]
        if any(a or b for a, b in pairs):
            table.append(CodeAgreement(code, len(pairs), percent_agreement(pairs), cohen_kappa(pairs)))
    return table, [u for u in found if u.codes_a != u.codes_b]
