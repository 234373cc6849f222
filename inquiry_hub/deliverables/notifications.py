"""The deliverables room's notification kinds: a review is asked, a review is answered.

The room registers its kinds with the activity log, like every room; follow-up only lets each
person choose which kinds reach them by email.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from inquiry_hub.activity import services as activity

REVIEW_REQUESTED, REVIEW_ANSWERED = "review.requested", "review.answered"

activity.register_notifications(
    {
        REVIEW_REQUESTED: _l("Your review is requested: %(title)s"),
        REVIEW_ANSWERED: _l("%(actor)s reviewed %(title)s"),
    }
)


def notify_review_requested(users, inquiry, title: str, url: str) -> None:
    """A review of ``title`` is asked of ``users``."""
    activity.notify(users, REVIEW_REQUESTED, inquiry, url=url, title=title)


def notify_review_answered(users, inquiry, actor, title: str, url: str) -> None:
    """``actor`` reviewed ``title``."""
    activity.notify(users, REVIEW_ANSWERED, inquiry, url=url, actor=actor.name, title=title)
