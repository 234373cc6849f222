"""Analysis and exchange of the coding: matrices, the REFI-QDA codebook, excerpts of a code as files.

Every count and export starts from the blind-coding rule of ``coding.visible_query``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.export_rows import csv_text
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import refi
from inquiry_hub.fieldwork.models import Code, Excerpt, ProfileAttribute
from inquiry_hub.fieldwork.services.coding import (
    excerpts_for,
    overlap,
    profile_value,
    tree,
    visible_query,
    with_context,
)

# --- matrices ---------------------------------------------------------------------------


def _all_excerpts(inquiry, viewer) -> list[Excerpt]:
    return list(db.session.scalars(with_context(visible_query(inquiry, viewer))))


def attribute_matrix(inquiry, attribute: ProfileAttribute, *, viewer) -> dict[tuple[int, str], int]:
    """(code id, attribute value) → number of excerpts with that code from interviews with that value."""
    counts: Counter = Counter()
    for excerpt in _all_excerpts(inquiry, viewer):
        value = profile_value(excerpt, attribute.id)
        if value:
            for code in excerpt.codes:
                counts[(code.id, value)] += 1
    return dict(counts)


def cooccurrence(inquiry, *, viewer) -> dict[tuple[int, int], int]:
    """(code id, code id), lower id first → pairs of overlapping excerpts (or one excerpt) carrying both."""
    counts: Counter = Counter()
    by_note = defaultdict(list)
    for excerpt in _all_excerpts(inquiry, viewer):
        by_note[excerpt.note_id].append(excerpt)
    for excerpts in by_note.values():
        pairs = [(e, e) for e in excerpts] + [(a, b) for a, b in combinations(excerpts, 2) if overlap(a, b)]
        for a, b in pairs:
            found = {tuple(sorted((x.id, y.id))) for x in a.codes for y in b.codes if x.id != y.id}
            for key in found:
                counts[key] += 1
    return dict(counts)


def interview_month(excerpt: Excerpt) -> str:
    """ "YYYY-MM" of the interview (conducted, else planned), else of the note."""
    interview = excerpt.note.interview
    day = (interview.conducted_on or interview.planned_on) if interview is not None else None
    return (day or excerpt.note.written_on).strftime("%Y-%m")


def codes_over_time(inquiry, *, viewer) -> dict[tuple[int, str], int]:
    """(code id, "YYYY-MM") → number of excerpts with that code from that month."""
    counts: Counter = Counter()
    for excerpt in _all_excerpts(inquiry, viewer):
        month = interview_month(excerpt)
        for code in excerpt.codes:
            counts[(code.id, month)] += 1
    return dict(counts)


def coders_of(inquiry) -> list:
    """Members who coded at least one excerpt."""
    from inquiry_hub.accounts.models import User

    ids = select(Excerpt.coder_id).where(Excerpt.inquiry_id == inquiry.id).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


# --- exchange ---------------------------------------------------------------------------


def export_qdc(inquiry) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document."""
    codes = list(
        db.session.scalars(
            select(Code).where(Code.inquiry_id == inquiry.id).order_by(Code.position, Code.name)
        )
    )
    return refi.export_codebook(tree(codes))


def import_qdc(inquiry, actor, data: bytes) -> int:
    """Add the codes of a ``.qdc`` file to the codebook; raises RefiError and adds nothing when malformed."""
    specs = refi.parse_codebook(data)
    taken = set(db.session.scalars(select(Code.guid).where(Code.inquiry_id == inquiry.id)))
    count = 0

    def add(spec: refi.CodeSpec, parent: Code | None) -> None:
        nonlocal count
        description, _sep, example = spec.description.partition("\n\nExample: ")
        code = Code(
            inquiry_id=inquiry.id,
            parent_id=parent.id if parent is not None else None,
            guid=spec.guid if spec.guid not in taken else refi.new_guid(),
            name=spec.name,
            colour=spec.colour,
            description=description,
            example=example,
            position=count,
            author_id=actor.id,
        )
        db.session.add(code)
        db.session.flush()
        count += 1
        for child in spec.children:
            add(child, code)

    for spec in specs:
        add(spec, None)
    activity.record(inquiry, actor, "fieldwork.codebook_imported", summary=str(count))
    return count


def excerpt_rows(inquiry, code: Code, viewer) -> list[dict]:
    """The excerpts of a code as rows for CSV and Markdown: pseudonyms only, never vault data."""
    from inquiry_hub.fieldwork.services.interviews import attributes_of

    attributes = attributes_of(inquiry)
    rows = []
    for e in excerpts_for(inquiry, code, viewer=viewer):
        interview = e.note.interview
        profile = "; ".join(
            f"{a.name}: {(interview.profile or {}).get(str(a.id))}"
            for a in attributes
            if interview is not None and (interview.profile or {}).get(str(a.id))
        )
        rows.append(
            {
                "excerpt": e.id,
                "code": code.name,
                "interview": interview.pseudonym if interview is not None else "",
                "profile": profile,
                "note": e.note.title,
                "coder": e.coder.name if e.coder else "",
                "text": e.text,
            }
        )
    return rows


def excerpts_csv(inquiry, code: Code, viewer) -> str:
    """Excerpts of a code that ``viewer`` may see, as CSV."""
    fields = ["excerpt", "code", "interview", "profile", "note", "coder", "text"]
    return csv_text(fields, ([row[k] for k in fields] for row in excerpt_rows(inquiry, code, viewer)))


def excerpts_markdown(inquiry, code: Code, viewer) -> str:
    """Excerpts of a code that ``viewer`` may see, as a Markdown document to write with."""
    lines = [f"# {code.name}", ""]
    if code.description:
        lines += [code.description, ""]
    for row in excerpt_rows(inquiry, code, viewer):
        quote = "\n".join(f"> {line}" for line in row["text"].splitlines() or [""])
        source = " · ".join(part for part in (row["interview"], row["profile"], row["note"]) if part)
        lines += [quote, "", f"— {source} [[excerpt:{row['excerpt']}]]", ""]
    return "\n".join(lines)
