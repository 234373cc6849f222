"""Services of the deliverables room: plain functions that flush and never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.deliverables import checks, citations, files, notifications, sharing  # noqa: F401 (sharing registers verbs)
from inquiry_hub.deliverables.models import (
    Channel,
    Deliverable,
    Review,
    ReviewComment,
    Status,
    Verdict,
    Version,
)
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.inquiries.engine import ActionFailed, collective_action
from inquiry_hub.storage import get_storage
from inquiry_hub.urls import path_for

# --- reading ---------------------------------------------------------------------------


def deliverables_of(inquiry, user) -> list[Deliverable]:
    """The deliverables the user may see, by due date (undated last)."""
    rows = db.session.scalars(
        select(Deliverable)
        .where(Deliverable.inquiry_id == inquiry.id)
        .order_by(Deliverable.due_on.is_(None), Deliverable.due_on, Deliverable.id)
    ).all()
    return [d for d in rows if policy.can(user, "deliverables.view", d)]


def visible_versions(deliverable: Deliverable, user) -> list[Version]:
    """Versions of a deliverable the user may see, newest first."""
    return [v for v in reversed(deliverable.versions) if policy.can(user, "deliverables.view", v)]


def previous_text(version: Version) -> Version | None:
    """The text version just before this one, for the diff."""
    earlier = [v for v in version.deliverable.versions if v.number < version.number and v.is_text]
    return earlier[-1] if earlier else None


def diff(old: Version, new: Version):
    """Line diff of two text versions (the same diff as field notes)."""
    return fieldwork.diff(old, new)


def reviews_of(version: Version, user) -> list[Review]:
    """Reviews of the version the user may see (a partner never sees the tutor channel)."""
    rows = db.session.scalars(
        select(Review)
        .where(Review.version_id == version.id)
        .options(db.selectinload(Review.author))
        .order_by(Review.created_at, Review.id)
    ).all()
    return [r for r in rows if policy.can(user, "deliverables.view", r)]


def comments_of(version: Version) -> list[ReviewComment]:
    """Top-level passage and page comments of a version, with their answers."""
    return list(
        db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.version_id == version.id, ReviewComment.parent_id.is_(None))
            .options(db.selectinload(ReviewComment.replies), db.selectinload(ReviewComment.author))
            .order_by(ReviewComment.id)
        )
    )


def due_between(inquiry_ids, user, start: date, end: date) -> list[Deliverable]:
    """Deliverables due in [start, end) in these inquiries that the user may see (calendars)."""
    rows = db.session.scalars(
        select(Deliverable)
        .where(Deliverable.inquiry_id.in_(inquiry_ids), Deliverable.due_on >= start, Deliverable.due_on < end)
        .options(db.joinedload(Deliverable.inquiry))
        .order_by(Deliverable.due_on)
    ).all()
    return [d for d in rows if policy.can(user, "deliverables.view", d)]


def status_counts(inquiry, user) -> dict[str, int]:
    """status → number of visible deliverables, for the inquiry home."""
    counts: dict[str, int] = {}
    for deliverable in deliverables_of(inquiry, user):
        counts[deliverable.status] = counts.get(deliverable.status, 0) + 1
    return counts


# --- writing ---------------------------------------------------------------------------


def _touch(deliverable: Deliverable) -> None:
    deliverable.updated_at = utcnow()


def create_deliverable(
    inquiry, actor, *, title: str, kind: str, due_on, phase: str, research_question_id: int | None = None
) -> Deliverable:
    """A new deliverable, in draft."""
    deliverable = Deliverable(
        inquiry_id=inquiry.id,
        title=title,
        kind=kind,
        due_on=due_on,
        phase=phase or "",
        research_question_id=research_question_id,
        created_by_id=actor.id,
    )
    db.session.add(deliverable)
    db.session.flush()
    activity.record(inquiry, actor, "deliverables.created", deliverable, summary=title)
    return deliverable


def update_deliverable(
    deliverable: Deliverable,
    actor,
    *,
    title: str,
    kind: str,
    due_on,
    phase: str,
    research_question_id: int | None = None,
) -> None:
    """Change the title, kind, due date, phase or research question."""
    deliverable.title, deliverable.kind, deliverable.due_on, deliverable.phase = (
        title,
        kind,
        due_on,
        phase or "",
    )
    deliverable.research_question_id = research_question_id
    _touch(deliverable)
    db.session.flush()
    activity.record(deliverable.inquiry, actor, "deliverables.edited", deliverable, summary=title)
    # The partner reads the title with every shared version: it goes through the gate again.
    checks.recheck_shared(deliverable.inquiry, deliverable)


class VersionConflict(Exception):
    """Others kept adding versions at the same moment; the person should try again."""


def _add_version(deliverable: Deliverable, actor, changelog: str, **values) -> Version:
    # Two people submitting at once would pick the same number: the unique constraint
    # refuses the second, which then takes the next number instead of failing.
    for _attempt in range(3):
        latest = db.session.scalar(
            select(func.max(Version.number)).where(Version.deliverable_id == deliverable.id)
        )
        version = Version(
            inquiry_id=deliverable.inquiry_id,
            deliverable_id=deliverable.id,
            number=(latest or 0) + 1,
            changelog=changelog.strip()[:300],
            author_id=actor.id,
            **values,
        )
        try:
            with db.session.begin_nested():
                db.session.add(version)
        except IntegrityError:
            continue
        break
    else:
        raise VersionConflict()
    db.session.expire(deliverable, ["versions"])
    # A new version re-opens the pipeline: it goes through review (and sharing) again.
    deliverable.status = Status.DRAFT
    _touch(deliverable)
    db.session.flush()
    activity.record(
        deliverable.inquiry, actor, "deliverables.version_added", version, summary=deliverable.title
    )
    _request_internal_review(version, actor)
    return version


def version_url(version: Version) -> str:
    """The version page's path, for notifications and "my work"."""
    return path_for(
        "deliverables.version",
        inquiry_id=version.inquiry_id,
        deliverable_id=version.deliverable_id,
        version_id=version.id,
    )


def reviews_internally(user, inquiry) -> bool:
    """Reviewers who read the team's internal material give feedback in the internal channel."""
    return policy.can(user, "deliverables.review", inquiry) and policy.can(user, "fieldwork.view", inquiry)


def _request_internal_review(version: Version, actor) -> None:
    """A new version is submitted to the reviewers who see drafts (the tutor's channel)."""
    inquiry = version.inquiry
    people = [
        u
        for u in policy.members_who_can(inquiry, "deliverables.review")
        if u.id != actor.id and reviews_internally(u, inquiry) and policy.can(u, "deliverables.view", version)
    ]
    title = f"{version.deliverable.title} (v{version.number})"
    notifications.notify_review_requested(people, inquiry, title, version_url(version))


def _check_citable(deliverable: Deliverable, actor, body: str) -> None:
    """Refuse (422) citing an excerpt the author may not see: another coder's on a note they code blind."""
    if hidden := citations.hidden_from(deliverable.inquiry, body, actor):
        raise files.Refused(
            str(_l("Excerpt %(id)s cannot be cited while you code its note blind.", id=hidden[0]))
        )


def add_text_version(deliverable: Deliverable, actor, body: str, changelog: str) -> Version:
    """A Markdown version written in the app."""
    _check_citable(deliverable, actor, body)
    return _add_version(deliverable, actor, changelog, body=body, mimetype="text/markdown")


def add_file_version(deliverable: Deliverable, actor, data: bytes, filename: str, changelog: str) -> Version:
    """An uploaded version; raises files.Refused when its content is not acceptable."""
    mimetype = files.sniff(data)
    if mimetype == "text/markdown":
        # Markdown uploads become text versions: they can cite, be diffed and checked.
        _check_citable(deliverable, actor, data.decode("utf-8-sig"))
        return _add_version(deliverable, actor, changelog, body=data.decode("utf-8-sig"), mimetype=mimetype)
    digest = get_storage().save(data)
    return _add_version(
        deliverable,
        actor,
        changelog,
        sha256=digest,
        filename=files.safe_filename(filename, mimetype),
        mimetype=mimetype,
        size=len(data),
    )


def _members(inquiry) -> list:
    return policy.members_who_can(inquiry)


def _students(inquiry) -> list:
    return [u for u in _members(inquiry) if policy.can(u, "deliverables.edit", inquiry)]


def add_review(version: Version, actor, channel: str, verdict: str, body: str) -> Review:
    """Feedback on a version in the tutor's or the partner's channel; moves the pipeline."""
    deliverable = version.deliverable
    if verdict == Verdict.CHANGES and not body.strip():
        raise ValueError(str(_l("Say which changes you request.")))
    if channel == Channel.EXTERNAL and version is not latest_shared(deliverable):
        raise ValueError(str(_l("Only the latest shared version is under review.")))
    review = Review(
        inquiry_id=version.inquiry_id,
        version=version,
        channel=channel,
        verdict=verdict,
        body=body,
        author_id=actor.id,
    )
    db.session.add(review)
    if channel == Channel.INTERNAL and deliverable.status == Status.DRAFT:
        deliverable.status = Status.INTERNAL_REVIEW
    elif verdict == Verdict.CHANGES:
        deliverable.status = Status.CHANGES_REQUESTED
    elif verdict == Verdict.APPROVE:
        deliverable.status = Status.APPROVED
    _touch(deliverable)
    db.session.flush()
    activity.record(
        version.inquiry, actor, f"deliverables.review_{channel}", review, summary=deliverable.title
    )
    _notify_review(review, actor)
    return review


def _notify_review(review: Review, actor) -> None:
    """An approval goes to the whole team; any other verdict answers the team's request."""
    version, deliverable = review.version, review.version.deliverable
    url = version_url(version)
    if review.verdict == Verdict.APPROVE:
        people = [u for u in _members(version.inquiry) if u.id != review.author_id]
        activity.notify(people, "deliverable.approved", version.inquiry, url=url, title=deliverable.title)
    else:
        people = [u for u in _students(version.inquiry) if u.id != review.author_id]
        notifications.notify_review_answered(people, version.inquiry, actor, deliverable.title, url)


def latest_shared(deliverable: Deliverable) -> Version | None:
    """The version under the partner's review: the last one shared (and not withheld since)."""
    shared = [v for v in deliverable.versions if v.visible_to_partner]
    return shared[-1] if shared else None


def add_comment(
    version: Version, actor, body: str, anchor: str = "", page=None, parent=None
) -> ReviewComment:
    """A comment on a passage or page of a version, or an answer to one (internal)."""
    comment = ReviewComment(
        inquiry_id=version.inquiry_id,
        version_id=version.id,
        parent_id=parent.id if parent is not None else None,
        anchor=(anchor or "")[:500],
        page=page,
        body=body,
        author_id=actor.id,
    )
    db.session.add(comment)
    _touch(version.deliverable)
    db.session.flush()
    activity.record(
        version.inquiry, actor, "deliverables.commented", comment, summary=version.deliverable.title
    )
    _notify_comment(version, comment, actor, parent)
    return comment


def _notify_comment(version: Version, comment: ReviewComment, actor, parent) -> None:
    """A reviewer's comment answers the team; the team's reply answers the reviewer."""
    inquiry, title, url = version.inquiry, version.deliverable.title, version_url(version) + "#comments"
    if policy.can(actor, "deliverables.review", version):
        people = [u for u in _students(inquiry) if u.id != actor.id]
    elif parent is not None and parent.author is not None and parent.author_id != actor.id:
        people = [parent.author] if policy.can(parent.author, "deliverables.review", version) else []
    else:
        people = []
    notifications.notify_review_answered(people, inquiry, actor, title, url)


def resolve_comment(comment: ReviewComment, actor) -> None:
    """Mark a comment as dealt with."""
    comment.resolved_at = utcnow()
    comment.resolved_by_id = actor.id
    db.session.flush()
    activity.record(comment.inquiry, actor, "deliverables.comment_resolved", comment)


def record_download(version: Version, actor) -> None:
    """Every download is logged."""
    activity.record(
        version.inquiry, actor, "deliverables.downloaded", version, summary=version.deliverable.title
    )


# --- sharing: the collective action "deliverables.share" --------------------------------


def _version_of(inquiry, payload) -> Version:
    version = db.session.scalar(
        select(Version).where(Version.id == payload.get("version_id"), Version.inquiry_id == inquiry.id)
    )
    if version is None:
        raise ActionFailed(str(_l("This version does not exist any more.")))
    return version


def _validate_share(inquiry, payload) -> None:
    version = _version_of(inquiry, payload)
    if version.shared_at is not None:
        raise ActionFailed(str(_l("This version is already shared.")))
    result = checks.run(inquiry, version)
    if not result.ok:
        raise ActionFailed(" ".join(result.blockers))


def _describe_share(payload):
    return _l(
        "Share version %(number)s of “%(title)s” with the partner",
        number=payload.get("number", ""),
        title=payload.get("title", ""),
    )


@collective_action("deliverables.share", describe=_describe_share, validate=_validate_share)
def share_action(inquiry, payload, actor):
    """Show the version to the partner, once the team agreed and the check still passes."""
    _validate_share(inquiry, payload)
    version = _version_of(inquiry, payload)
    deliverable = version.deliverable
    version.shared_at = utcnow()
    version.withheld_at, version.withheld_reason = None, ""
    deliverable.shared_with_partner = True
    deliverable.status = Status.SHARED
    _touch(deliverable)
    activity.record(inquiry, actor, "deliverables.shared", version, summary=deliverable.title)
    # Those who now see the version without being able to edit it: the tutor and the partner.
    readers = [
        u
        for u in _members(inquiry)
        if policy.can(u, "deliverables.view", version) and not policy.can(u, "deliverables.edit", inquiry)
    ]
    # The partner's review is now requested; the tutor is told it was shared (one notice each).
    partners = [
        u
        for u in readers
        if policy.can(u, "deliverables.review", version) and not reviews_internally(u, inquiry)
    ]
    others = [u for u in readers if u not in partners]
    url = version_url(version)
    activity.notify(others, "deliverable.shared", inquiry, url=url, title=deliverable.title)
    notifications.notify_review_requested(partners, inquiry, deliverable.title, url)


def share_payload(version: Version, check: checks.CheckResult) -> dict:
    """What a "deliverables.share" proposal stores: the check shown on the proposal, too."""
    return {
        "version_id": version.id,
        "deliverable_id": version.deliverable_id,
        "number": version.number,
        "title": version.deliverable.title,
        "check": check.as_dict(),
    }


def pending_share(version: Version):
    """The open proposal to share this version, if any."""
    from inquiry_hub.inquiries.models import Proposal, ProposalStatus

    rows = db.session.scalars(
        select(Proposal).where(
            Proposal.inquiry_id == version.inquiry_id,
            Proposal.action == "deliverables.share",
            Proposal.status == ProposalStatus.OPEN,
        )
    ).all()
    return next((p for p in rows if p.payload.get("version_id") == version.id), None)


activity.register_verbs(
    {
        "deliverables.created": _l("created a deliverable"),
        "deliverables.edited": _l("edited a deliverable"),
        "deliverables.version_added": _l("added a version of a deliverable"),
        "deliverables.review_internal": _l("gave feedback on a deliverable"),
        "deliverables.review_external": _l("reviewed a shared deliverable"),
        "deliverables.commented": _l("commented on a deliverable"),
        "deliverables.comment_resolved": _l("resolved a comment on a deliverable"),
        "deliverables.downloaded": _l("downloaded a deliverable"),
        "deliverables.shared": _l("shared a deliverable with the partner"),
    }
)
activity.register_notifications(
    {
        "deliverable.shared": _l("A new version of %(title)s was shared with you"),
        "deliverable.reviewed": _l("New feedback on %(title)s"),
        "deliverable.approved": _l("The partner approved %(title)s"),
    }
)


def storage_open(version: Version):
    """An open file of the stored version (the caller streams and closes it)."""
    return get_storage().open(version.sha256)


def statuses_for(inquiry_ids) -> dict[int, list[tuple[str, str]]]:
    """inquiry id → its deliverables' (title, status) by due date, in one query (tutor's view)."""
    rows = db.session.execute(
        select(Deliverable.inquiry_id, Deliverable.title, Deliverable.status)
        .where(Deliverable.inquiry_id.in_(list(inquiry_ids)))
        .order_by(Deliverable.due_on.is_(None), Deliverable.due_on, Deliverable.id)
    )
    result: dict[int, list[tuple[str, str]]] = {}
    for inquiry_id, title, status in rows:
        result.setdefault(inquiry_id, []).append((title, status))
    return result
