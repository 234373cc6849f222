"""Login, logout, invitations, password reset and the account page."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from inquiry_hub.accounts import bp
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from inquiry_hub.accounts.passwords import verify_password
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db, limiter
from inquiry_hub.main import _is_local


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user) -> None:
    # A fresh session at login: nothing set before it (CSRF token included) survives.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user, locked = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if locked:
            return render_template("auth/login.html", form=form, locked=True), 429
        if user is not None:
            _start_session(user)
            target = request.args.get("next", "")
            return redirect(target if _is_local(target) else url_for("inquiries.mine"))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/auth/logout")
def logout():
    """Log out and end every other session of this account too."""
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/auth/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Join an inquiry from an emailed invitation, creating the account if needed."""
    invitation = accounts.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render_template("auth/invitation_invalid.html"), 410
    existing = accounts.find_user(invitation.email)
    if existing is not None:
        if not current_user.is_authenticated or current_user.id != existing.id:
            flash(_("Log in as %(email)s to accept this invitation.", email=invitation.email), "info")
            return redirect(url_for("accounts.login", next=request.path))
        if request.method == "POST":
            accounts.accept_invitation(invitation, existing)
            db.session.commit()
            return redirect(url_for("inquiries.home", inquiry_id=invitation.inquiry_id))
        return render_template("auth/invitation_join.html", invitation=invitation)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = accounts.create_user(invitation.email, form.name.data, form.password.data)
        accounts.accept_invitation(invitation, user)
        db.session.commit()
        _start_session(user)
        flash(_("Welcome! You joined %(title)s.", title=invitation.inquiry.title), "success")
        return redirect(url_for("inquiries.home", inquiry_id=invitation.inquiry_id))
    return render_template("auth/invitation_accept.html", form=form, invitation=invitation)


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether the address exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses this address, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed single-use link."""
    reset = accounts.find_reset_token(token)
    if reset is None or not reset.is_usable:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(reset, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. Log in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account/", methods=["GET", "POST"])
@login_required
def account():
    """Name, email, language."""
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "POST" and "profile-name" in request.form and form.validate():
        other = accounts.find_user(form.email.data)
        if other is not None and other.id != current_user.id:
            form.email.errors.append(_("Another account uses this address."))
        else:
            current_user.name = form.name.data.strip()
            current_user.email = accounts.normalise_email(form.email.data)
            current_user.locale = form.locale.data or None
            if current_user.locale:
                session["lang"] = current_user.locale
            db.session.commit()
            flash(_("Your account is saved."), "success")
            return redirect(url_for("accounts.account"))
    elif request.method == "GET":
        form.locale.data = current_user.locale or ""
    status = 422 if request.method == "POST" else 200
    return render_template("account/index.html", form=form, password_form=password_form, **_tokens()), status


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; every other session ends."""
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if password_form.validate_on_submit():
        if not verify_password(current_user.password_hash, password_form.current.data):
            password_form.current.errors.append(_("This is not your current password."))
        else:
            accounts.change_password(current_user, password_form.password.data)
            db.session.commit()
            _start_session(current_user._get_current_object())  # this browser stays in, with the new version
            flash(_("Your password is changed; your other sessions are closed."), "success")
            return redirect(url_for("accounts.account"))
    form.locale.data = current_user.locale or ""
    return render_template("account/index.html", form=form, password_form=password_form, **_tokens()), 422


def _tokens(token_form=None, new_token=None) -> dict:
    """What the account page shows about personal API tokens."""
    return {
        "tokens": accounts.api_tokens_of(current_user),
        "token_form": token_form or ApiTokenForm(formdata=None, prefix="token"),
        "new_token": new_token,
    }


@bp.post("/account/tokens")
@login_required
def create_api_token():
    """Create a personal API token; its value is shown on this response only."""
    token_form = ApiTokenForm(prefix="token")
    form = ProfileForm(obj=current_user, prefix="profile", formdata=None)
    form.locale.data = current_user.locale or ""
    password_form = PasswordChangeForm(prefix="password", formdata=None)
    if not token_form.validate_on_submit():
        page = render_template(
            "account/index.html", form=form, password_form=password_form, **_tokens(token_form)
        )
        return page, 422
    days = token_form.expires_in_days.data
    _token, clear = accounts.create_api_token(
        current_user,
        token_form.name.data,
        expires_at=utcnow() + timedelta(days=days) if days else None,
        read_only=token_form.read_only.data,
    )
    db.session.commit()
    # Rendered, not redirected: the token must not travel through the (readable) session cookie.
    page = render_template(
        "account/index.html", form=form, password_form=password_form, **_tokens(new_token=clear)
    )
    response = current_app.make_response((page, 201))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    """Revoke one of one's own API tokens; it stops working at once."""
    token = next((t for t in accounts.api_tokens_of(current_user) if t.id == token_id), None)
    if token is None:
        abort(404)
    accounts.revoke_api_token(token)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("accounts.account"))
