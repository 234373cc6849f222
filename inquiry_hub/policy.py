"""Who may do what: the only module that decides.

Views, templates (through the ``can`` Jinja global), the API and the CLI all ask
``can(user, action, obj)``. ``CAPABILITIES`` mirrors the table of DESIGN.md and is the
specification that ``tests/test_policy.py`` checks cell by cell.

Rules beyond the table, all held here:
- a non-member never learns an inquiry exists (404), site admins included;
- a partner only reaches objects that say ``visible_to_partner`` (shared task, shared
  version, joint meeting); anything else is 404 for them;
- an object with ``private_to_user_id`` (a personal logbook entry) is its author's alone;
- fieldwork, decisions and logbook are confidential rooms: a member who cannot view
  one gets 404 there, not 403 (one who can view it gets 403 for what it cannot do).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import select

from inquiry_hub.extensions import db


class Role(enum.StrEnum):
    STUDENT = "student"
    TUTOR = "tutor"
    PARTNER = "partner"


_TUTOR = frozenset(
    {
        "inquiry.view",
        "members.view",
        "activity.view",
        "tasks.view",
        "tasks.comment",
        "fieldwork.view",
        "fieldwork.search",
        "fieldwork.comment",
        "fieldwork.memo",
        "deliverables.view",
        "deliverables.download",
        "deliverables.review",
        "meetings.view",
        "meetings.comment",
        "decisions.view",
        "decisions.comment",
        "logbook.view",
        "logbook.comment",
        "followup.tutor_view",
        "audit.view",
    }
)

_STUDENT = _TUTOR - {"deliverables.review", "followup.tutor_view"} | {
    "inquiry.edit",
    "members.invite",
    "members.remove",
    #: Per-person contributions: the team's own figures, seen alike by each student.
    "members.contributions",
    "governance.change_rule",
    "tasks.create",
    "tasks.edit",
    "tasks.move",
    "tasks.delete",
    "tasks.share",
    "fieldwork.edit",
    "fieldwork.delete",
    "fieldwork.reveal_identity",
    #: Undo a recorded withdrawal of consent: never by the student who recorded it (SECOND_PERSON_ACTIONS).
    "fieldwork.mark_withdrawal_mistake",
    "deliverables.edit",
    "deliverables.share",
    "meetings.edit",
    #: Collective: the partner starts seeing a meeting, or a version of its minutes.
    "meetings.make_joint",
    "meetings.publish_minutes",
    "decisions.propose",
    "decisions.take_position",
    "logbook.write",
    "commission.amend",
    "inquiry.export",
    "inquiry.set_retention",
}

_PARTNER = frozenset(
    {
        "inquiry.view",
        "members.view",
        "tasks.view",
        "tasks.comment",
        "deliverables.view",
        "deliverables.download",
        "deliverables.review",
        "meetings.view",
        "commission.amend",
        #: Agree, disagree or block the proposals that need the partner (object condition:
        #: ``visible_to_partner`` on the proposal); internal proposals stay 404.
        "decisions.take_position_as_partner",
        "followup.partner_portal",
    }
)

#: Role → actions. Students hold the same rights on all team content (no hierarchy);
#: the collective ones (members, governance rule, sharing, deleting field material)
#: start a proposal that the inquiry's governance rule decides.
CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.STUDENT: frozenset(_STUDENT),
    Role.TUTOR: _TUTOR,
    Role.PARTNER: _PARTNER,
}

#: Actions that are not about one inquiry: programme staff only.
SITE_ACTIONS = frozenset({"admin.access"})

#: Every inquiry-scoped action that exists.
INQUIRY_ACTIONS = frozenset().union(*CAPABILITIES.values())

#: Rooms whose very content is confidential: a refusal there is a 404.
CONFIDENTIAL_ROOMS = frozenset({"fieldwork", "decisions", "logbook", "audit"})

#: Actions that need a second person: never taken by the one named in the object's ``recorded_by_id``.
SECOND_PERSON_ACTIONS = frozenset({"fieldwork.mark_withdrawal_mistake"})

#: Actions that go through the inquiry's governance rule rather than acting at once. Filled by
#: the engine (``inquiries/engine.py``): each ``@collective_action(name)`` registers its name
#: here, so this set is the engine's registry and cannot drift from it.
COLLECTIVE_ACTIONS: set[str] = set()


def register_collective_action(name: str) -> None:
    """Called by the engine when a room registers a collective action."""
    COLLECTIVE_ACTIONS.add(name)


# --- membership lookup ------------------------------------------------------------------

# The base room (inquiries) owns memberships: it hands the policy its lookups at import
# (``use_directory``) and calls ``forget_roles`` when memberships change; the policy imports no room.


@dataclass(frozen=True)
class Directory:
    roles_of: Callable  # (user_id) -> {inquiry id: role value}
    members: Callable  # (inquiry_id, role values or None for all) -> users, by name
    inquiry: Callable  # (inquiry_id) -> the inquiry or None


_directory: Directory | None = None
_generation = 0


def use_directory(directory: Directory) -> None:
    """Called by the inquiries room when it is imported."""
    global _directory
    _directory = directory


def _lookups() -> Directory:
    if _directory is None:
        raise RuntimeError("the inquiries room has not handed the policy its directory")
    return _directory


def forget_roles() -> None:
    """Memberships changed: every cached role is stale."""
    global _generation
    _generation += 1


def _roles(user) -> dict[int, Role]:
    """inquiry id → role for this user, loaded once per user object and membership change."""
    cached = user.__dict__.get("_policy_roles")
    if cached is not None and cached[0] == _generation:
        return cached[1]
    roles = {inquiry_id: Role(role) for inquiry_id, role in _lookups().roles_of(user.id).items()}
    user.__dict__["_policy_roles"] = (_generation, roles)
    return roles


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def role_in(user, inquiry) -> Role | None:
    """The user's role in the inquiry, or None for a non-member."""
    if not _authenticated(user) or inquiry is None:
        return None
    return _roles(user).get(inquiry.id)


def is_member(user, inquiry) -> bool:
    return role_in(user, inquiry) is not None


def inquiry_ids_of(user) -> list[int]:
    """Inquiries the user is a member of, in any role."""
    return list(_roles(user)) if _authenticated(user) else []


def roles_with(action: str) -> frozenset[Role]:
    """Roles that hold an action, e.g. who takes a position on a proposal."""
    return frozenset(role for role, actions in CAPABILITIES.items() if action in actions)


def members_who_can(inquiry, action: str | None = None) -> list:
    """The inquiry's members (those whose role holds ``action``, when given), by name."""
    roles = None if action is None else [str(role) for role in roles_with(action)]
    return _lookups().members(inquiry.id, roles)


# --- the decision -----------------------------------------------------------------------


def _inquiry_of(obj: Any):
    return getattr(obj, "inquiry", None)


def _object_allows(user, role: Role, obj: Any) -> bool:
    """Conditions on the object itself, beyond the role's capabilities."""
    if obj is None or obj is _inquiry_of(obj):
        return True
    private_to = getattr(obj, "private_to_user_id", None)
    if private_to is not None and private_to != user.id:
        return False
    if role is Role.PARTNER:
        # Default deny: an object must say it was shared.
        return bool(getattr(obj, "visible_to_partner", False))
    return True


def can(user, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (an inquiry or an object of one)?"""
    if not _authenticated(user):
        return False
    if action in SITE_ACTIONS:
        return bool(user.is_admin)
    if action not in INQUIRY_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    role = role_in(user, _inquiry_of(obj))
    if role is None or action not in CAPABILITIES[role]:
        return False
    if action in SECOND_PERSON_ACTIONS and getattr(obj, "recorded_by_id", None) == user.id:
        return False
    return _object_allows(user, role, obj)


def denial_status(user, action: str, obj: Any = None) -> int:
    """404 where existence itself is confidential, else 403."""
    if action in SITE_ACTIONS:
        return 403 if _authenticated(user) else 404
    role = role_in(user, _inquiry_of(obj))
    if role is None:
        return 404
    room = action.split(".", 1)[0]
    if room in CONFIDENTIAL_ROOMS and f"{room}.view" not in CAPABILITIES[role]:
        # Only a role that cannot see the room is kept from learning what it holds.
        return 404
    if action in CAPABILITIES[role] and not _object_allows(user, role, obj):
        return 404
    return 403


def require(user, action: str, obj: Any = None) -> None:
    """Abort with 404 or 403 unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        abort(denial_status(user, action, obj))


def is_collective(action: str) -> bool:
    return action in COLLECTIVE_ACTIONS


# --- loading through the inquiry --------------------------------------------------------


def get_inquiry_or_404(user, inquiry_id: int):
    """The inquiry if the user is a member of it; 404 otherwise (admins included)."""
    inquiry = _lookups().inquiry(inquiry_id)
    if inquiry is None or not is_member(user, inquiry):
        abort(404)
    return inquiry


def get_in_inquiry_or_404(model, inquiry, object_id: int):
    """An object of ``model`` by id, only if it belongs to ``inquiry``."""
    obj = db.session.scalar(select(model).where(model.id == object_id, model.inquiry_id == inquiry.id))
    if obj is None:
        abort(404)
    return obj


def load(user, model, inquiry, object_id: int, action: str | None = None):
    """An object by id within ``inquiry`` for ``action``: the one 404/403 rule of the routes.

    404 when it is not in the inquiry or the user may not know it exists (cannot view it in its
    room: an unshared object for the partner, someone else's private entry, a confidential room);
    403 when the user sees it but may not do ``action`` on it.
    """
    obj = get_in_inquiry_or_404(model, inquiry, object_id)
    if action is None:
        return obj
    view = f"{action.split('.', 1)[0]}.view"
    if view in INQUIRY_ACTIONS and not can(user, view, obj):
        abort(404)
    require(user, action, obj)
    return obj
