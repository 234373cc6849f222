"""The versioned interview guide and the sampling grid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import Interview, InterviewGuide, InterviewStatus, SamplingTarget
from inquiry_hub.fieldwork.services.interviews import attributes_of


def guides_of(inquiry) -> list[InterviewGuide]:
    """Every version, newest first."""
    return list(
        db.session.scalars(
            select(InterviewGuide)
            .where(InterviewGuide.inquiry_id == inquiry.id)
            .options(db.selectinload(InterviewGuide.author))
            .order_by(InterviewGuide.version.desc())
        )
    )


def save_guide(inquiry, actor, body: str, changelog: str) -> InterviewGuide:
    """A new version of the guide; earlier versions stay, interviews keep theirs."""
    last = db.session.scalar(
        select(func.max(InterviewGuide.version)).where(InterviewGuide.inquiry_id == inquiry.id)
    )
    guide = InterviewGuide(
        inquiry_id=inquiry.id,
        version=(last or 0) + 1,
        body=body,
        changelog=changelog.strip(),
        author_id=actor.id,
    )
    db.session.add(guide)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.guide_saved", guide, summary=f"v{guide.version}")
    return guide


@dataclass
class GridRow:
    value: str
    target: int
    planned: int
    conducted: int

    @property
    def gap(self) -> int:
        """Interviews still to conduct to reach the target (never negative)."""
        return max(self.target - self.conducted, 0)

    @property
    def uncovered(self) -> int:
        """Interviews neither conducted nor planned yet to reach the target."""
        return max(self.target - self.conducted - self.planned, 0)


def sampling_grid(inquiry) -> list[tuple]:
    """[(attribute, [GridRow...])]: targets against planned and conducted interviews."""
    targets = {
        (t.attribute_id, t.value): t.target
        for t in db.session.scalars(select(SamplingTarget).where(SamplingTarget.inquiry_id == inquiry.id))
    }
    rows = db.session.execute(
        select(Interview.profile, Interview.status).where(
            Interview.inquiry_id == inquiry.id, Interview.purged_at.is_(None)
        )
    ).all()
    grid = []
    for attribute in attributes_of(inquiry):
        lines = []
        for value in attribute.values:
            chosen = [status for profile, status in rows if (profile or {}).get(str(attribute.id)) == value]
            planned = sum(1 for s in chosen if s == InterviewStatus.PLANNED)
            lines.append(
                GridRow(value, targets.get((attribute.id, value), 0), planned, len(chosen) - planned)
            )
        grid.append((attribute, lines))
    return grid


def set_targets(inquiry, actor, targets: dict[tuple[int, str], int]) -> None:
    """Targets per (attribute id, value); values outside the attribute's list are ignored."""
    allowed = {(a.id, v) for a in attributes_of(inquiry) for v in a.values}
    existing = {
        (t.attribute_id, t.value): t
        for t in db.session.scalars(select(SamplingTarget).where(SamplingTarget.inquiry_id == inquiry.id))
    }
    for key, number in targets.items():
        if key not in allowed:
            continue
        row = existing.get(key)
        if row is None:
            row = SamplingTarget(inquiry_id=inquiry.id, attribute_id=key[0], value=key[1])
            db.session.add(row)
        row.target = max(int(number or 0), 0)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.targets_saved")
