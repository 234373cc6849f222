"""What waits for a person's review or answer ("my work", the partner's portal)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from inquiry_hub import policy
from inquiry_hub.deliverables import services
from inquiry_hub.deliverables.models import (
    Deliverable,
    Review,
    ReviewComment,
    Status,
    Version,
)
from inquiry_hub.extensions import db


@dataclass
class Waiting:
    """One thing waiting for me: a version to review, or reviewers' comments to answer."""

    prompt: object
    title: str
    url: str
    inquiry_title: str
    count: int = 1


def _latest_versions(shared_only: bool = False):
    """Each deliverable's latest version number (latest shared one), as a subquery."""
    query = select(Version.deliverable_id, func.max(Version.number).label("number"))
    if shared_only:
        query = query.where(Version.shared_at.is_not(None), Version.withheld_at.is_(None))
    return query.group_by(Version.deliverable_id).subquery()


def _to_review(user, ids, *, shared_only: bool) -> list:
    """The latest (shared) version of each deliverable not yet approved, that I did not review.

    Tutors review the latest version; partners the latest one shared with them.
    """
    if not ids:
        return []
    latest = _latest_versions(shared_only)
    mine = exists().where(Review.version_id == Version.id, Review.author_id == user.id)
    return db.session.execute(
        select(Version, Deliverable)
        .join(Deliverable, Deliverable.id == Version.deliverable_id)
        .join(
            latest, (latest.c.deliverable_id == Version.deliverable_id) & (latest.c.number == Version.number)
        )
        .where(Version.inquiry_id.in_(ids), Deliverable.status != Status.APPROVED, ~mine)
        .options(db.joinedload(Version.inquiry))
        .order_by(Deliverable.due_on.is_(None), Deliverable.due_on, Version.id)
    ).all()


def _comments_to_answer(ids) -> list:
    """Reviewers' comments on the team's versions, neither resolved nor answered yet."""
    if not ids:
        return []
    from inquiry_hub.inquiries.models import Membership

    reviewers = [str(role) for role in policy.roles_with("deliverables.review")]
    reply = aliased(ReviewComment)
    answered = exists().where(reply.parent_id == ReviewComment.id)
    counts = (
        select(ReviewComment.version_id, func.count(ReviewComment.id).label("n"))
        .join(
            Membership,
            (Membership.user_id == ReviewComment.author_id)
            & (Membership.inquiry_id == ReviewComment.inquiry_id),
        )
        .where(
            ReviewComment.inquiry_id.in_(ids),
            ReviewComment.parent_id.is_(None),
            ReviewComment.resolved_at.is_(None),
            Membership.role.in_(reviewers),
            ~answered,
        )
        .group_by(ReviewComment.version_id)
        .subquery()
    )
    return db.session.execute(
        select(Version, Deliverable, counts.c.n)
        .join(counts, counts.c.version_id == Version.id)
        .join(Deliverable, Deliverable.id == Version.deliverable_id)
        .options(db.joinedload(Version.inquiry))
        .order_by(Version.id)
    ).all()


def waiting_for_review(user, inquiry_ids) -> list[Waiting]:
    """Versions waiting for my review (tutor: the latest draft; partner: the latest shared one),
    and for a student, reviewers' comments waiting for the team's answer; a fixed number of queries."""
    from inquiry_hub.inquiries.models import Inquiry

    ids = list(inquiry_ids)
    if not ids:
        return []
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.id.in_(ids))).all()
    reviewing = [i for i in inquiries if policy.can(user, "deliverables.review", i)]
    internal = [i.id for i in reviewing if services.reviews_internally(user, i)]
    external = [i.id for i in reviewing if i.id not in internal]
    editing = [i.id for i in inquiries if policy.can(user, "deliverables.edit", i)]
    waiting = []
    for version, deliverable in [
        *_to_review(user, internal, shared_only=False),
        *_to_review(user, external, shared_only=True),
    ]:
        if policy.can(user, "deliverables.view", version):
            waiting.append(
                Waiting(
                    prompt=_l("Your review of"),
                    title=f"{deliverable.title} (v{version.number})",
                    url=services.version_url(version),
                    inquiry_title=version.inquiry.title,
                )
            )
    for version, deliverable, count in _comments_to_answer(editing):
        waiting.append(
            Waiting(
                prompt=_l("Reviewers' comments to answer on"),
                title=f"{deliverable.title} (v{version.number})",
                url=services.version_url(version) + "#comments",
                inquiry_title=version.inquiry.title,
                count=count,
            )
        )
    return waiting
