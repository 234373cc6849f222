"""Bearer-token authentication of every API call; a session cookie alone never authenticates.

The token is looked up once per request (the rate-limit key needs it before the view), its
use recorded in ``last_used_at``; revoked or expired tokens get 401, read-only ones 403 on
any write. The authenticated user becomes ``current_user`` for this request only.
"""

from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from inquiry_hub.accounts import services as accounts
from inquiry_hub.db import utcnow

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _token():
    """The ApiToken row of this request's bearer token (None if absent or unknown), once."""
    cached = g.get("_api_token", _UNSET)
    if cached is not _UNSET:
        return cached
    clear = _presented_token()
    token = accounts.find_api_token(clear) if clear and len(clear) <= 200 else None
    g._api_token = token
    return token


def rate_limit_key() -> str:
    """Flask-Limiter key: the token id when a known token is presented, else the client address."""
    token = _token()
    return f"api-token:{token.id}" if token is not None else f"api-ip:{get_remote_address()}"


def _unauthorized(message: str):
    abort(401, description=message)


def authenticate():
    """Before every API view: a valid bearer token, or 401; a read-only token only reads."""
    token = _token()
    if token is None:
        _unauthorized(_("A valid bearer token is required."))
    if not token.is_usable(utcnow()):
        _unauthorized(_("This token was revoked or has expired."))
    accounts.touch_api_token(token)
    if token.read_only and request.method not in SAFE_METHODS:
        abort(403, description=_("This token is read-only."))
    g.api_token = token
    g.api_user = token.user
    # current_user is the token's owner for this request, whatever cookie came with it.
    g._login_user = token.user


def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
