"""Login, logout, invitations, password reset and the account page."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import TooManyRequests

from inquiry_hub import uow
from inquiry_hub.accounts import bp, throttle
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.forms import (
    ApiTokenForm,
    EmailChangeForm,
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


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with email and password; a client that keeps failing on one email waits."""
    form = LoginForm()
    if form.validate_on_submit():
        device = request.cookies.get(throttle.DEVICE_COOKIE)
        client = throttle.client_for(form.email.data, get_remote_address(), device)
        # Checked before the password, the same way for every email: it tells nothing.
        wait = throttle.wait_seconds(form.email.data, client)
        if wait:
            raise TooManyRequests(retry_after=wait)
        user = accounts.authenticate(form.email.data, form.password.data, client)
        if user is not None:
            accounts.start_session(user)
            target = request.args.get("next", "")
            response = redirect(target if _is_local(target) else url_for("inquiries.mine"))
            return _remember_device(response, user, device)
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


def _remember_device(response, user, device: str | None):
    """Mark this browser as one the owner uses: its failures then count apart from its address."""
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie(user.email, device),
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


@bp.errorhandler(429)
def too_many_attempts(error):
    """One answer for every throttle of this room, per address or per account, known or not."""
    response = current_app.make_response((render_template("auth/throttled.html"), 429))
    retry_after = getattr(error, "retry_after", None)
    if retry_after and "Retry-After" not in response.headers:
        seconds = retry_after if isinstance(retry_after, int) else None
        response.headers["Retry-After"] = str(seconds or 60)
    return response


@bp.post("/auth/logout")
def logout():
    """Log out and end every other session of this account too."""
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether the address exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
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
        flash(_("Your password is changed. Log in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("auth/reset_password.html", form=form)


def _account_page(status=200, **forms):
    """The account page with its four forms, the ones given keeping what was typed."""
    if "form" not in forms:
        forms["form"] = ProfileForm(obj=current_user, prefix="profile", formdata=None)
        forms["form"].locale.data = current_user.locale or ""
    forms.setdefault("password_form", PasswordChangeForm(prefix="password", formdata=None))
    forms.setdefault("email_form", EmailChangeForm(prefix="email", formdata=None))
    context = {**_tokens(forms.pop("token_form", None), forms.pop("new_token", None)), **forms}
    page = render_template(
        "account/index.html", pending_email=accounts.pending_email_change(current_user), **context
    )
    return page, status


@bp.route("/account/", methods=["GET", "POST"])
@login_required
def account():
    """Name and language (the address changes through its own confirmed form)."""
    form = ProfileForm(obj=current_user, prefix="profile")
    if request.method == "POST" and form.validate():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data or None
        if current_user.locale:
            session["lang"] = current_user.locale
        flash(_("Your account is saved."), "success")
        return redirect(url_for("accounts.account"))
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    return _account_page(422 if request.method == "POST" else 200, form=form)


def _password_is_right(field) -> bool:
    """Check the current password typed in ``field``; failures count like failed logins."""
    client = throttle.client_for(
        current_user.email, get_remote_address(), request.cookies.get(throttle.DEVICE_COOKIE)
    )
    wait = throttle.wait_seconds(current_user.email, client)
    if wait:
        raise TooManyRequests(retry_after=wait)
    if verify_password(current_user.password_hash, field.data):
        return True
    throttle.record_failure(current_user.email, client)
    uow.commit_even_on_error()  # the page answers 422, the failure must still count
    field.errors.append(_("This is not your current password."))
    return False


def _stay_signed_in() -> None:
    """After a change that ended every session: this browser carries on with the new version."""
    accounts.start_session(current_user._get_current_object())


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password; other sessions, API tokens and emailed links of the account end."""
    password_form = PasswordChangeForm(prefix="password")
    if password_form.validate_on_submit() and _password_is_right(password_form.current):
        accounts.change_password(current_user, password_form.password.data)
        _stay_signed_in()
        flash(
            _("Your password is changed; your other sessions are closed and your API tokens revoked."),
            "success",
        )
        return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=password_form)


@bp.post("/account/email")
@login_required
@limiter.limit(_login_limit)
def request_email_change():
    """Ask to change the address: a link goes to the new one, a notice to the old one."""
    email_form = EmailChangeForm(prefix="email")
    if email_form.validate_on_submit():
        if accounts.normalise_email(email_form.email.data) == current_user.email:
            email_form.email.errors.append(_("This is already your address."))
        elif _password_is_right(email_form.password):
            accounts.request_email_change(current_user, email_form.email.data)
            flash(
                _(
                    "Open the link we sent to %(email)s to confirm it. Until then, nothing changes.",
                    email=accounts.normalise_email(email_form.email.data),
                ),
                "info",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(422, email_form=email_form)


@bp.post("/account/email/cancel")
@login_required
def cancel_email_change():
    """Drop the pending change of address; its link stops working."""
    accounts.cancel_email_change(current_user)
    flash(_("The change of address is cancelled."), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm a new address from the link sent to it (a button, so mail scanners change nothing)."""
    change = accounts.find_email_change(token)
    if change is None or not change.is_usable:
        return render_template("account/email_invalid.html"), 410
    if request.method == "GET":
        return render_template("account/email_confirm.html", change=change)
    own_session = current_user.is_authenticated and current_user.id == change.user_id
    try:
        accounts.confirm_email_change(change)
        db.session.flush()
    except (accounts.EmailTaken, IntegrityError):
        db.session.rollback()
        return render_template("account/email_taken.html"), 409
    if own_session:
        _stay_signed_in()
        flash(
            _(
                "Your address is now %(email)s. Your other sessions are closed and your API tokens revoked.",
                email=change.new_email,
            ),
            "success",
        )
        return redirect(url_for("accounts.account"))
    flash(_("Your address is now %(email)s. Log in with it.", email=change.new_email), "success")
    return redirect(url_for("accounts.login"))


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
    if not token_form.validate_on_submit():
        return _account_page(422, token_form=token_form)
    days = token_form.expires_in_days.data
    _token, clear = accounts.create_api_token(
        current_user,
        token_form.name.data,
        expires_at=utcnow() + timedelta(days=days) if days else None,
        read_only=token_form.read_only.data,
    )
    # Rendered, not redirected: the token must not travel through the (readable) session cookie.
    page, _status = _account_page(new_token=clear)
    response = current_app.make_response((page, 201))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    """Revoke one of one's own API tokens; it stops working at once."""
    token = next((t for t in accounts.api_tokens_of(current_user) if t.id == token_id), None)
    if token is None:
        abort(404)
    accounts.revoke_api_token(token)
    flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("accounts.account"))
