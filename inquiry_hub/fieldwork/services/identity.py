"""The identity vault: writing, revealing (logged), and the names used for pseudonymisation."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure, vault
from inquiry_hub.fieldwork.models import IdentityKey, IdentityReveal, Interview


@dataclass(frozen=True)
class Identity:
    full_name: str
    contact: str
    aliases: list[str]

    @property
    def aliases_text(self) -> str:
        """The aliases as the form edits them: one per line."""
        return "\n".join(self.aliases)


def split_aliases(text: str) -> list[str]:
    """Aliases typed one per line or separated by commas or semicolons."""
    return [a.strip() for a in (text or "").replace(";", "\n").replace(",", "\n").splitlines() if a.strip()]


_DEBRIS = "[]'\"\\ "


def _looks_corrupted(aliases: list[str]) -> bool:
    return any(a[:1] in "['\"" or a[-1:] in "]'\"" for a in aliases)


def repair_aliases(aliases: list[str]) -> list[str]:
    """Aliases saved through the old edit form, which showed them as a Python list literal.

    ``['Lulu', 'Mme Dubois']`` was split on its commas and stored as ``['Lulu'`` and
    ``'Mme Dubois']`` (nested deeper at each further save); undo that, and leave sound aliases alone.
    """
    for _ in range(10):  # one level of nesting per save of the broken form
        if not _looks_corrupted(aliases):
            return aliases
        try:
            value = ast.literal_eval(", ".join(aliases))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            break
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            break
        aliases = split_aliases("\n".join(value))
    # Not a literal any more (typed over by hand): strip the brackets and quotes left at the edges.
    return [a.strip(_DEBRIS) for a in aliases if a.strip(_DEBRIS)] if _looks_corrupted(aliases) else aliases


def set_identity(interview: Interview, actor, full_name: str, contact: str, aliases: str) -> IdentityKey:
    """Store (encrypted) who is behind the pseudonym; replaces what was there."""
    key = db.session.scalar(select(IdentityKey).where(IdentityKey.interview_id == interview.id))
    if key is None:
        key = IdentityKey(inquiry_id=interview.inquiry_id, interview_id=interview.id)
        db.session.add(key)
    key.full_name_token = vault.encrypt((full_name or "").strip())
    key.contact_token = vault.encrypt((contact or "").strip())
    key.aliases_token = vault.encrypt("\n".join(split_aliases(aliases)))
    db.session.flush()
    activity.record(
        interview.inquiry, actor, "fieldwork.identity_saved", interview, summary=interview.pseudonym
    )
    disclosure.material_changed(interview.inquiry)
    return key


def has_identity(interview: Interview) -> bool:
    return (
        db.session.scalar(select(IdentityKey.id).where(IdentityKey.interview_id == interview.id)) is not None
    )


def _decrypted(key: IdentityKey) -> Identity:
    return Identity(
        full_name=vault.decrypt(key.full_name_token),
        contact=vault.decrypt(key.contact_token),
        aliases=repair_aliases(split_aliases(vault.decrypt(key.aliases_token))),
    )


def reveal(interview: Interview, user) -> Identity | None:
    """The identity behind the pseudonym; the reveal is recorded (who, when)."""
    key = db.session.scalar(select(IdentityKey).where(IdentityKey.interview_id == interview.id))
    if key is None:
        return None
    db.session.add(
        IdentityReveal(inquiry_id=interview.inquiry_id, interview_id=interview.id, user_id=user.id)
    )
    # The log line names the pseudonym only, never the person.
    activity.record(
        interview.inquiry, user, "fieldwork.identity_revealed", interview, summary=interview.pseudonym
    )
    db.session.flush()
    return _decrypted(key)


def reveals_of(interview: Interview) -> list[IdentityReveal]:
    return list(
        db.session.scalars(
            select(IdentityReveal)
            .where(IdentityReveal.interview_id == interview.id)
            .options(db.selectinload(IdentityReveal.user))
            .order_by(IdentityReveal.revealed_at.desc(), IdentityReveal.id.desc())
        )
    )


def names_by_pseudonym(inquiry) -> list[tuple[str, list[str]]]:
    """[(pseudonym, [full name, aliases...])] of the inquiry, for replacing names in texts."""
    rows = db.session.execute(
        select(Interview.pseudonym, IdentityKey)
        .join(IdentityKey, IdentityKey.interview_id == Interview.id)
        .where(Interview.inquiry_id == inquiry.id)
    ).all()
    result = []
    for pseudonym, key in rows:
        identity = _decrypted(key)
        result.append((pseudonym, [n for n in [identity.full_name, *identity.aliases] if n]))
    return result


def purge_identity(interview: Interview) -> None:
    """Delete the identity key of an interview (consent withdrawn, retention passed)."""
    key = db.session.scalar(select(IdentityKey).where(IdentityKey.interview_id == interview.id))
    if key is not None:
        db.session.delete(key)
        db.session.flush()


def rotate_keys() -> int:
    """Re-encrypt every identity key under the current vault key; returns how many."""
    count = 0
    for key in db.session.scalars(select(IdentityKey)):
        key.full_name_token = vault.rotate(key.full_name_token)
        key.contact_token = vault.rotate(key.contact_token)
        key.aliases_token = vault.rotate(key.aliases_token)
        count += 1
    db.session.flush()
    return count
