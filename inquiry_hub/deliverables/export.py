"""What the deliverables room puts in the inquiry archive: every version, text or file."""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub.deliverables.models import Deliverable, Review, ReviewComment, Version
from inquiry_hub.export_rows import rows_naming
from inquiry_hub.extensions import db

#: Models whose rows name a person (author, reviewer, commenter).
PERSONAL_MODELS = (Deliverable, Version, Review, ReviewComment)


def export_for_archive(out, inquiry) -> None:
    """deliverables.md listing each version, with uploaded files beside it."""
    items = db.session.scalars(
        select(Deliverable).where(Deliverable.inquiry_id == inquiry.id).order_by(Deliverable.id)
    ).all()
    if not items:
        return
    parts = []
    for item in items:
        parts.append(f"## {item.title}\n\n*{item.kind} — {item.status}*\n")
        for version in item.versions:
            if version.sha256:
                path = f"deliverables/{item.id}-{version.number}-{out.slug(version.filename or 'file')}"
                if out.file(path, version.sha256):
                    parts.append(f"- v{version.number}: [{out.clean(version.filename)}]({path})")
            else:
                parts.append(f"### v{version.number}\n\n{version.body}\n")
    out.markdown("deliverables.md", "Deliverables", "\n".join(parts))


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → this room's rows that name the person, secrets left out."""
    return rows_naming(user, PERSONAL_MODELS)
