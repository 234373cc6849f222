"""Re-pseudonymising existing notes after names were added to the vault: preview, then confirm."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.forms import ConfirmForm


def _require() -> None:
    # The preview ties names to pseudonyms: only those who may reveal identities see it.
    policy.require(current_user, "fieldwork.reveal_identity", g.inquiry)
    policy.require(current_user, "fieldwork.edit", g.inquiry)


def _preview(status: int = 200):
    # Counts per pseudonym only: showing the words found would be an unlogged reveal.
    plan = fieldwork.plan_for(g.inquiry)
    return render_template(
        "fieldwork/repseudonymise.html", inquiry=g.inquiry, plan=plan, form=ConfirmForm()
    ), status


@bp.get("/repseudonymise")
def repseudonymise():
    """What the vault's names would change in existing notes and excerpts; nothing is written."""
    _require()
    return _preview()


@bp.post("/repseudonymise")
def apply_repseudonymise():
    """Replace the vault's names in existing notes (one new revision each) and excerpts."""
    _require()
    try:
        plan = fieldwork.apply_plan(g.inquiry, current_user)
    except StaleDataError:
        db.session.rollback()
        flash(_("A note was saved by someone else meanwhile: look at the preview again."), "error")
        return _preview(409)
    changed = sum(1 for c in plan.notes if c.text_changes)
    flash(
        _(
            "Names replaced: %(notes)d notes (a new revision each) and %(excerpts)d excerpts.",
            notes=changed,
            excerpts=len(plan.excerpts),
        ),
        "success",
    )
    return redirect(url_for(".index"))
