"""Collective coding: codebook, excerpts and their re-anchoring, blind mode, memos, retrieval.

Matrices, the REFI-QDA exchange and excerpt files live in ``coding_analysis``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import (
    BlindCoding,
    Code,
    Excerpt,
    Interview,
    Memo,
    Note,
    excerpt_codes,
)
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed, collective_action


class CodingError(ValueError):
    """A coding request that cannot be carried out; the message is shown to users."""


class UnknownCode(CodingError):
    """No code chosen, or a code that is not in the inquiry."""


# --- citations (used by the deliverables room) ------------------------------------------


@dataclass(frozen=True)
class Citation:
    excerpt: Excerpt
    text: str
    #: Interview pseudonym, or "" for free field notes.
    pseudonym: str
    #: Consent quotation term ("named", "anonymised", "forbidden"), or None without an interview.
    quotation: str | None
    consent_status: str | None
    note_title: str
    interview: Interview | None = None


def excerpt_for_citation(inquiry, excerpt_id: int, viewer=None) -> Citation | None:
    """An excerpt of the inquiry with its interview's pseudonym and consent terms, or None.

    With ``viewer``, only an excerpt they may see: not another coder's on a note they code blind.
    """
    excerpt = db.session.scalar(
        visible_query(inquiry, viewer)
        .where(Excerpt.id == excerpt_id)
        .options(db.joinedload(Excerpt.note).joinedload(Note.interview).joinedload(Interview.consent))
    )
    if excerpt is None:
        return None
    interview = excerpt.note.interview
    if interview is not None and interview.withdrawn:
        return None
    consent = interview.consent if interview is not None else None
    return Citation(
        excerpt=excerpt,
        text=excerpt.text,
        pseudonym=interview.pseudonym if interview is not None else "",
        quotation=(consent.quotation if consent else "anonymised") if interview is not None else None,
        consent_status=consent.status if consent else None,
        note_title=excerpt.note.title,
        interview=interview,
    )


# --- codebook ---------------------------------------------------------------------------


def codes_of(inquiry) -> list[Code]:
    """Every code of the inquiry, in tree order (parents before their children)."""
    codes = list(
        db.session.scalars(
            select(Code).where(Code.inquiry_id == inquiry.id).order_by(Code.position, func.lower(Code.name))
        )
    )
    return [code for code, _depth in tree(codes)]


def tree(codes: list[Code]) -> list[tuple[Code, int]]:
    """Codes with their depth, each parent followed by its children."""
    ids = {c.id for c in codes}
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)
    result: list[tuple[Code, int]] = []

    def walk(parent_id, depth):
        for code in children[parent_id]:
            result.append((code, depth))
            walk(code.id, depth + 1)

    walk(None, 0)
    return result


def usage(inquiry) -> dict[int, int]:
    """code id → number of excerpts tagged with it."""
    rows = db.session.execute(
        select(excerpt_codes.c.code_id, func.count())
        .join(Code, Code.id == excerpt_codes.c.code_id)
        .where(Code.inquiry_id == inquiry.id)
        .group_by(excerpt_codes.c.code_id)
    )
    return dict(rows.all())


def _descendants(code: Code) -> set[int]:
    codes = db.session.scalars(select(Code).where(Code.inquiry_id == code.inquiry_id)).all()
    found, frontier = set(), {code.id}
    while frontier:
        frontier = {c.id for c in codes if c.parent_id in frontier} - found
        found |= frontier
    return found


def _check_parent(code: Code | None, parent: Code | None, inquiry) -> None:
    if parent is None:
        return
    if parent.inquiry_id != inquiry.id:
        raise CodingError(_l("That code is not in this inquiry."))
    if code is not None and (parent.id == code.id or parent.id in _descendants(code)):
        raise CodingError(_l("A code cannot be moved under itself."))


def create_code(
    inquiry, actor, *, name: str, colour="#ffd966", description="", example="", parent=None
) -> Code:
    """A new code of the codebook, logged."""
    name = (name or "").strip()
    if not name:
        raise CodingError(_l("A code needs a name."))
    _check_parent(None, parent, inquiry)
    code = Code(
        inquiry_id=inquiry.id,
        parent_id=parent.id if parent is not None else None,
        name=name[:120],
        colour=colour or "#ffd966",
        description=description or "",
        example=example or "",
        author_id=actor.id if actor is not None else None,
    )
    db.session.add(code)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.code_created", code, summary=code.name)
    return code


def update_code(code: Code, actor, *, name: str, colour: str, description: str, example: str, parent) -> Code:
    """Rename, recolour, redefine or move a code in the tree; logged."""
    name = (name or "").strip()
    if not name:
        raise CodingError(_l("A code needs a name."))
    _check_parent(code, parent, code.inquiry)
    moved = (parent.id if parent else None) != code.parent_id
    renamed = name != code.name
    code.name, code.colour, code.description, code.example = name[:120], colour, description, example
    code.parent_id = parent.id if parent is not None else None
    db.session.flush()
    verb = "fieldwork.code_moved" if moved and not renamed else "fieldwork.code_edited"
    activity.record(code.inquiry, actor, verb, code, summary=code.name)
    return code


def used_by_others(code: Code, actor) -> bool:
    """Whether someone other than ``actor`` tagged an excerpt with this code."""
    query = (
        select(func.count())
        .select_from(excerpt_codes.join(Excerpt, Excerpt.id == excerpt_codes.c.excerpt_id))
        .where(
            excerpt_codes.c.code_id == code.id, or_(Excerpt.coder_id != actor.id, Excerpt.coder_id.is_(None))
        )
    )
    return bool(db.session.scalar(query))


def _merge(source: Code, target: Code) -> int:
    """Move excerpts, children and memos of ``source`` to ``target``; delete ``source``."""
    moved = 0
    excerpts = db.session.scalars(
        select(Excerpt).join(excerpt_codes).where(excerpt_codes.c.code_id == source.id)
    ).all()
    for excerpt in excerpts:
        excerpt.codes = [c for c in excerpt.codes if c.id != source.id]
        if target not in excerpt.codes:
            excerpt.codes.append(target)
        moved += 1
    for child in db.session.scalars(select(Code).where(Code.parent_id == source.id)):
        child.parent_id = target.id if child.id != target.id else source.parent_id
    db.session.execute(db.update(Memo).where(Memo.code_id == source.id).values(code_id=target.id))
    db.session.flush()
    db.session.delete(source)
    db.session.flush()
    return moved


def _delete(code: Code) -> None:
    """Delete a code: untag its excerpts and drop those left without any code."""
    excerpt_ids = db.session.scalars(
        select(excerpt_codes.c.excerpt_id).where(excerpt_codes.c.code_id == code.id)
    ).all()
    for child in db.session.scalars(select(Code).where(Code.parent_id == code.id)):
        child.parent_id = code.parent_id
    db.session.execute(delete(excerpt_codes).where(excerpt_codes.c.code_id == code.id))
    db.session.delete(code)
    db.session.flush()
    still_coded = select(excerpt_codes.c.excerpt_id)
    if excerpt_ids:
        db.session.execute(delete(Excerpt).where(Excerpt.id.in_(excerpt_ids), Excerpt.id.not_in(still_coded)))
    db.session.expire_all()


def _code_of(inquiry, code_id) -> Code:
    code = db.session.scalar(select(Code).where(Code.id == int(code_id), Code.inquiry_id == inquiry.id))
    if code is None:
        raise ActionFailed(_l("That code no longer exists."))
    return code


def _validate_merge(inquiry, payload: dict) -> None:
    source, target = _code_of(inquiry, payload["source"]), _code_of(inquiry, payload["target"])
    if source.id == target.id:
        raise ActionFailed(_l("Choose two different codes."))


@collective_action(
    "fieldwork.merge_codes",
    describe=lambda p: _l("Merge the code “%(source)s” into “%(target)s”", **p["names"]),
    validate=_validate_merge,
)
def merge_action(inquiry, payload: dict, actor) -> None:
    """Merge one code into another: its excerpts follow."""
    source, target = _code_of(inquiry, payload["source"]), _code_of(inquiry, payload["target"])
    summary = f"{source.name} → {target.name}"
    _merge(source, target)
    activity.record(inquiry, actor, "fieldwork.codes_merged", target, summary=summary)


@collective_action(
    "fieldwork.delete_code",
    describe=lambda p: _l("Delete the code “%(name)s”", name=p["name"]),
    validate=lambda inquiry, p: _code_of(inquiry, p["id"]) and None,
)
def delete_code_action(inquiry, payload: dict, actor) -> None:
    """Delete a code; excerpts left without a code go with it."""
    code = _code_of(inquiry, payload["id"])
    name = code.name
    _delete(code)
    activity.record(inquiry, actor, "fieldwork.code_deleted", summary=name)


def merge_codes(source: Code, target: Code, actor):
    """Merge now, or propose it to the team when others used the code; the Proposal or None."""
    payload = {
        "source": source.id,
        "target": target.id,
        "names": {"source": source.name, "target": target.name},
    }
    if used_by_others(source, actor) or used_by_others(target, actor):
        return engine.start(source.inquiry, actor, "fieldwork.merge_codes", payload)
    _validate_merge(source.inquiry, payload)
    merge_action(source.inquiry, payload, actor)
    return None


def delete_code(code: Code, actor):
    """Delete now, or propose it to the team when others used the code; the Proposal or None."""
    payload = {"id": code.id, "name": code.name}
    if used_by_others(code, actor):
        return engine.start(code.inquiry, actor, "fieldwork.delete_code", payload)
    delete_code_action(code.inquiry, payload, actor)
    return None


# --- excerpts ---------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the non-blank paragraphs of a text."""
    spans, start = [], 0
    for match in _PARAGRAPH_BREAK.finditer(body):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(body)))
    result = []
    for a, b in spans:
        chunk = body[a:b]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            result.append((a + lead, a + len(chunk.rstrip())))
    return result


def _codes_by_id(inquiry, code_ids) -> list[Code]:
    ids = {int(i) for i in code_ids}
    if not ids:
        raise UnknownCode(_l("Choose at least one code."))
    codes = list(db.session.scalars(select(Code).where(Code.id.in_(ids), Code.inquiry_id == inquiry.id)))
    if len(codes) != len(ids):
        raise UnknownCode(_l("That code is not in this inquiry."))
    return codes


def is_blind(note: Note, user) -> bool:
    """Whether ``user`` codes this note blind."""
    return bool(
        db.session.scalar(
            select(func.count()).where(BlindCoding.note_id == note.id, BlindCoding.user_id == user.id)
        )
    )


def set_blind(note: Note, user, on: bool) -> None:
    """Enter or leave blind mode on a note."""
    row = db.session.scalar(
        select(BlindCoding).where(BlindCoding.note_id == note.id, BlindCoding.user_id == user.id)
    )
    if on and row is None:
        db.session.add(BlindCoding(inquiry_id=note.inquiry_id, note_id=note.id, user_id=user.id))
    elif not on and row is not None:
        db.session.delete(row)
    db.session.flush()


def code_span(note: Note, actor, start: int, end: int, code_ids) -> Excerpt:
    """Tag the span [start, end) of a note with codes."""
    if not (0 <= start < end <= len(note.body)):
        raise CodingError(_l("The selected passage is outside the note."))
    codes = _codes_by_id(note.inquiry, code_ids)
    excerpt = Excerpt(
        inquiry_id=note.inquiry_id,
        note_id=note.id,
        start=start,
        end=end,
        text=note.body[start:end],
        coder_id=actor.id,
        blind=is_blind(note, actor),
        codes=codes,
    )
    db.session.add(excerpt)
    db.session.flush()
    names = ", ".join(c.name for c in codes)
    activity.record(note.inquiry, actor, "fieldwork.excerpt_coded", excerpt, summary=names)
    return excerpt


def code_paragraph(note: Note, actor, number: int, code_ids) -> Excerpt:
    """Tag a whole paragraph (numbered from 1) with codes: the form that needs no JavaScript."""
    spans = paragraphs(note.body)
    if not 1 <= number <= len(spans):
        raise CodingError(_l("There is no such paragraph in the note."))
    return code_span(note, actor, *spans[number - 1], code_ids)


def update_excerpt(excerpt: Excerpt, actor, *, start: int, end: int, code_ids) -> Excerpt:
    """Move an excerpt to another span of its note and/or change its codes; checked as ``code_span``."""
    note = excerpt.note
    if not (0 <= start < end <= len(note.body)):
        raise CodingError(_l("The selected passage is outside the note."))
    codes = _codes_by_id(note.inquiry, code_ids)
    excerpt.start, excerpt.end, excerpt.text, excerpt.stale = start, end, note.body[start:end], False
    excerpt.codes = codes
    db.session.flush()
    names = ", ".join(c.name for c in codes)
    activity.record(note.inquiry, actor, "fieldwork.excerpt_edited", excerpt, summary=names)
    return excerpt


def delete_excerpt(excerpt: Excerpt, actor) -> None:
    """Remove an excerpt (the coded text stays in the note)."""
    activity.record(excerpt.inquiry, actor, "fieldwork.excerpt_deleted", summary=excerpt.note.title)
    db.session.delete(excerpt)
    db.session.flush()


def reanchor(note: Note, old_body: str) -> int:
    """After an edit, find each excerpt's quote again nearest its old offset; mark stale the lost ones."""
    stale = 0
    for excerpt in db.session.scalars(select(Excerpt).where(Excerpt.note_id == note.id)):
        if note.body[excerpt.start : excerpt.end] == excerpt.text:
            continue
        found = [m.start() for m in re.finditer(re.escape(excerpt.text), note.body)] if excerpt.text else []
        if found:
            start = min(found, key=lambda i: abs(i - excerpt.start))
            excerpt.start, excerpt.end, excerpt.stale = start, start + len(excerpt.text), False
        else:
            excerpt.stale = True
            stale += 1
    db.session.flush()
    return stale


def excerpts_of_note(note: Note, viewer) -> list[Excerpt]:
    """The note's excerpts that ``viewer`` may see: only their own while they code it blind."""
    query = (
        visible_query(note.inquiry, viewer)
        .where(Excerpt.note_id == note.id)
        .options(db.selectinload(Excerpt.codes), db.joinedload(Excerpt.coder))
        .order_by(Excerpt.start, Excerpt.id)
    )
    return list(db.session.scalars(query))


def blind_note_ids(viewer) -> set[int]:
    """Notes ``viewer`` codes blind."""
    return set(db.session.scalars(_blind_notes(viewer)))


def _blind_notes(viewer):
    return select(BlindCoding.note_id).where(BlindCoding.user_id == viewer.id)


def visible_query(inquiry, viewer):
    """THE blind-coding rule, in SQL: the inquiry's excerpts minus others' on notes ``viewer`` codes blind.

    Every list, page, export, matrix, API answer and citation of excerpts starts from this query;
    ``viewer=None`` is the whole team's view (the inquiry archive).
    """
    query = select(Excerpt).where(Excerpt.inquiry_id == inquiry.id)
    if viewer is None:
        return query
    return query.where(or_(Excerpt.note_id.not_in(_blind_notes(viewer)), Excerpt.coder_id == viewer.id))


def visible_excerpts(inquiry, viewer, code: Code | None = None, interview: Interview | None = None):
    """A query of the inquiry's excerpts ``viewer`` may see, to page.

    Optionally only those tagged with ``code`` or taken from notes of ``interview``.
    """
    query = visible_query(inquiry, viewer)
    if code is not None:
        query = query.where(
            Excerpt.id.in_(select(excerpt_codes.c.excerpt_id).where(excerpt_codes.c.code_id == code.id))
        )
    if interview is not None:
        query = query.where(Excerpt.note_id.in_(select(Note.id).where(Note.interview_id == interview.id)))
    return query.options(db.selectinload(Excerpt.codes), db.joinedload(Excerpt.note)).order_by(
        Excerpt.note_id, Excerpt.start, Excerpt.id
    )


def hide_blind(excerpts: list[Excerpt], viewer) -> list[Excerpt]:
    """Those of ``excerpts`` that ``viewer`` may see (the rule of ``visible_query``)."""
    if not excerpts:
        return []
    inquiry = excerpts[0].inquiry
    ids = [e.id for e in excerpts]
    seen = set(
        db.session.scalars(
            visible_query(inquiry, viewer).where(Excerpt.id.in_(ids)).with_only_columns(Excerpt.id)
        )
    )
    return [e for e in excerpts if e.id in seen]


def with_context(query):
    return query.options(
        db.selectinload(Excerpt.codes),
        db.joinedload(Excerpt.coder),
        db.joinedload(Excerpt.note).joinedload(Note.interview),
    ).order_by(Excerpt.note_id, Excerpt.start, Excerpt.id)


def excerpts_for(
    inquiry, code: Code, attribute_id: int | None = None, value: str | None = None, *, viewer
) -> list[Excerpt]:
    """Excerpts ``viewer`` may see tagged with a code, optionally for interviews with a profile value."""
    query = visible_query(inquiry, viewer).join(excerpt_codes).where(excerpt_codes.c.code_id == code.id)
    excerpts = list(db.session.scalars(with_context(query)))
    if attribute_id is not None:
        excerpts = [e for e in excerpts if profile_value(e, attribute_id) == value]
    return excerpts


def profile_value(excerpt: Excerpt, attribute_id: int) -> str | None:
    """The excerpt's interview's value for a profile attribute, if any."""
    interview = excerpt.note.interview
    return (interview.profile or {}).get(str(attribute_id)) if interview is not None else None


def overlap(a: Excerpt, b: Excerpt) -> bool:
    """Whether two excerpts share characters of the same note."""
    return a.note_id == b.note_id and a.start < b.end and b.start < a.end


def retrieve(
    inquiry, code_a: Code, code_b: Code | None = None, attribute_id=None, value=None, *, viewer
) -> list[Excerpt]:
    """Excerpts of code A that also carry code B or overlap an excerpt of code B; optionally by profile."""
    excerpts = excerpts_for(inquiry, code_a, attribute_id, value, viewer=viewer)
    if code_b is None:
        return excerpts
    others = excerpts_for(inquiry, code_b, viewer=viewer)
    by_note = defaultdict(list)
    for other in others:
        by_note[other.note_id].append(other)
    return [e for e in excerpts if any(overlap(e, o) for o in by_note[e.note_id])]


# --- memos ------------------------------------------------------------------------------


def create_memo(inquiry, actor, *, title: str, body: str, code=None, excerpt=None) -> Memo:
    """An analytic memo on a code, an excerpt or the inquiry."""
    title = (title or "").strip()
    if not title:
        raise CodingError(_l("A memo needs a title."))
    memo = Memo(
        inquiry_id=inquiry.id,
        code_id=code.id if code is not None else None,
        excerpt_id=excerpt.id if excerpt is not None else None,
        title=title[:200],
        body=body or "",
        author_id=actor.id,
    )
    db.session.add(memo)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.memo_written", memo, summary=memo.title)
    return memo


def memos_of(inquiry, query: str = "", code=None, excerpt=None, viewer=None) -> list[Memo]:
    """Memos of the inquiry, newest first; ``query`` searches titles and bodies.

    With ``viewer``, memos on an excerpt they may not see (blind coding) are left out.
    """
    stmt = (
        select(Memo)
        .where(Memo.inquiry_id == inquiry.id)
        .options(db.joinedload(Memo.author), db.joinedload(Memo.code), db.joinedload(Memo.excerpt))
        .order_by(Memo.created_at.desc(), Memo.id.desc())
    )
    if viewer is not None:
        visible = visible_query(inquiry, viewer).with_only_columns(Excerpt.id)
        stmt = stmt.where(or_(Memo.excerpt_id.is_(None), Memo.excerpt_id.in_(visible)))
    if code is not None:
        stmt = stmt.where(Memo.code_id == code.id)
    if excerpt is not None:
        stmt = stmt.where(Memo.excerpt_id == excerpt.id)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Memo.title).like(like), func.lower(Memo.body).like(like)))
    return list(db.session.scalars(stmt))
