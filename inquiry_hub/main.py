"""Site-wide pages: the landing redirect, health check, language switch."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from inquiry_hub.extensions import db
from inquiry_hub.i18n import current_locale  # noqa: F401  (used by templates via globals)

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Send people to their inquiries, or to the login page."""
    if current_user.is_authenticated:
        return redirect(url_for("inquiries.mine"))
    return redirect(url_for("accounts.login"))


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers and monitors."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503, {"Retry-After": "30"}
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language():
    """Save the chosen language for this browser and, when logged in, the account."""
    lang = request.form.get("lang")
    from flask import current_app

    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    target = request.form.get("next", "")
    return redirect(target if _is_local(target) else url_for("main.index"))


def _is_local(target: str) -> bool:
    """Only paths of this site: no scheme, no host, no protocol-relative or backslash tricks."""
    return (
        bool(target)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 for c in target)
    )
