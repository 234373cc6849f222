"""Public names: people the team decided may be named outside it (a mayor, a federation's head).

Adding or removing one is the collective action ``fieldwork.mark_public_name``: the gate
then lets that name pass in what leaves the team, so the whole team decides it. A name
of the identity vault can never be public.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork.models import PublicName
from inquiry_hub.fieldwork.services.identity import names_by_pseudonym
from inquiry_hub.inquiries.engine import ActionFailed, collective_action

ACTION = "fieldwork.mark_public_name"
NAME_MAX = 120


def public_names_of(inquiry) -> list[PublicName]:
    """The inquiry's public names, alphabetically."""
    return list(
        db.session.scalars(
            select(PublicName).where(PublicName.inquiry_id == inquiry.id).order_by(PublicName.folded)
        )
    )


def payload(name: str, remove: bool = False) -> dict:
    """What a proposal to add (or remove) a public name stores."""
    return {"name": " ".join((name or "").split()), "remove": bool(remove)}


def _existing(inquiry, folded: str) -> PublicName | None:
    return db.session.scalar(
        select(PublicName).where(PublicName.inquiry_id == inquiry.id, PublicName.folded == folded)
    )


def _validate(inquiry, data: dict) -> None:
    name = " ".join(str(data.get("name") or "").split())
    folded = disclosure.fold(name)
    if not folded or len(name) > NAME_MAX:
        raise ActionFailed(str(_l("Give a name of at most %(n)s characters.", n=NAME_MAX)))
    if data.get("remove"):
        if _existing(inquiry, folded) is None:
            raise ActionFailed(str(_l("This name is not marked public.")))
        return
    if _existing(inquiry, folded) is not None:
        raise ActionFailed(str(_l("This name is already marked public.")))
    for _pseudonym, names in names_by_pseudonym(inquiry):
        if any(disclosure.fold(n) == folded for n in names):
            raise ActionFailed(str(_l("This is a name of the identity vault: it can never be public.")))


def _describe(data: dict):
    if data.get("remove"):
        return _l("No longer treat “%(name)s” as a public name", name=data.get("name", ""))
    return _l(
        "Treat “%(name)s” as a public name (it may appear in what the partner reads)",
        name=data.get("name", ""),
    )


@collective_action(ACTION, describe=_describe, validate=_validate)
def mark_public_name(inquiry, data: dict, actor) -> None:
    """Add or remove a public name, then re-check what the partner already sees."""
    _validate(inquiry, data)
    name = " ".join(str(data["name"]).split())
    folded = disclosure.fold(name)
    if data.get("remove"):
        db.session.delete(_existing(inquiry, folded))
        verb = "fieldwork.public_name_removed"
    else:
        db.session.add(
            PublicName(
                inquiry_id=inquiry.id, name=name, folded=folded, added_by_id=actor.id if actor else None
            )
        )
        verb = "fieldwork.public_name_added"
    db.session.flush()
    activity.record(inquiry, actor, verb, summary=name)
    disclosure.material_changed(inquiry)


activity.register_verbs(
    {
        "fieldwork.public_name_added": _l("marked a name as public"),
        "fieldwork.public_name_removed": _l("stopped treating a name as public"),
    }
)
