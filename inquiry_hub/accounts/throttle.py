"""Login throttling that delays guessers without telling who has an account or locking anyone out.

Failures are counted per (typed email, client) pair, the client being the browser when it
signed in to that email before (a signed device cookie, as in OWASP's "device cookies"), else
its address: a guesser on the same network as the owner does not make the owner wait. After ``LOGIN_MAX_FAILURES`` from one
address on one email, that address waits before trying that email again, the wait doubling with
each further failure up to ``LOGIN_MAX_DELAY_MINUTES``. Other addresses are not affected, so the
owner still signs in from elsewhere and a reset link still works. When an email collects
``LOGIN_ACCOUNT_MAX_FAILURES`` failures from all addresses together (a spread-out attack), every
address that failed on it waits after each failure. Unknown emails are counted exactly like
known ones: the answer never depends on whether the account exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from inquiry_hub.accounts.models import LoginFailure
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


def _digest(value: str) -> str:
    # Keyed with the app secret so the table cannot be matched against a list of addresses.
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}\0{value}".encode()).hexdigest()


def _keys(email: str, client: str) -> tuple[str, str]:
    return _digest("account:" + email.strip().lower()), _digest("client:" + (client or "?"))


#: Set at a successful login: this browser then counts its own failures on that email.
DEVICE_COOKIE = "ih_device"


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def client_for(email: str, address: str, cookie: str | None) -> str:
    """Who is trying: this browser if it signed in to this email before, else its address."""
    if cookie:
        try:
            data = _devices().loads(cookie)
        except BadSignature:
            data = None
        if isinstance(data, dict) and data.get("account") == _keys(email, "")[0]:
            return "device:" + str(data.get("nonce"))
    return address


def device_cookie(email: str, cookie: str | None) -> str:
    """The cookie value for a browser that just signed in to ``email`` (kept if already its own)."""
    if cookie and client_for(email, "", cookie).startswith("device:"):
        return cookie
    return _devices().dumps({"account": _keys(email, "")[0], "nonce": secrets.token_urlsafe(16)})


def _memory() -> timedelta:
    """How long a failure is remembered after the last one."""
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def wait_seconds(email: str, client: str, now=None) -> int:
    """Seconds this client must still wait before trying this email again (0: may try now)."""
    now = now or utcnow()
    account_key, client_key = _keys(email, client)
    wait_until = db.session.scalar(
        select(LoginFailure.wait_until).where(
            LoginFailure.account_key == account_key, LoginFailure.client_key == client_key
        )
    )
    if wait_until is None or wait_until <= now:
        return 0
    return max(1, int((wait_until - now).total_seconds() + 0.999))


def _delay(failures: int, account_failures: int) -> timedelta | None:
    config = current_app.config
    threshold = config["LOGIN_MAX_FAILURES"]
    if account_failures >= config["LOGIN_ACCOUNT_MAX_FAILURES"]:
        threshold = 1
    if failures < threshold:
        return None
    seconds = config["LOGIN_DELAY_SECONDS"] * 2 ** min(failures - threshold, 20)
    return timedelta(seconds=min(seconds, config["LOGIN_MAX_DELAY_MINUTES"] * 60))


def _upsert(account_key: str, client_key: str, now) -> int:
    """Add one failure with a single atomic statement; returns the pair's count."""
    stale = LoginFailure.last_failure_at <= now - _memory()
    values = {"account_key": account_key, "client_key": client_key, "failures": 1, "last_failure_at": now}
    dialect = sqlite if db.engine.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(LoginFailure).values(**values)
    table = LoginFailure.__table__
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.account_key, table.c.client_key],
        set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "wait_until": case((stale, None), else_=table.c.wait_until),
            "last_failure_at": now,
        },
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def record_failure(email: str, client: str, now=None) -> None:
    """Count a failed attempt and set how long this client waits before the next one."""
    now = now or utcnow()
    account_key, client_key = _keys(email, client)
    failures = _upsert(account_key, client_key, now)
    account_failures = db.session.scalar(
        select(func.coalesce(func.sum(LoginFailure.failures), 0)).where(
            LoginFailure.account_key == account_key, LoginFailure.last_failure_at > now - _memory()
        )
    )
    delay = _delay(failures, account_failures)
    if delay is None:
        return
    wait_until = now + delay
    # Concurrent failures may finish in any order: a wait only ever grows.
    db.session.execute(
        update(LoginFailure)
        .where(
            LoginFailure.account_key == account_key,
            LoginFailure.client_key == client_key,
            (LoginFailure.wait_until.is_(None)) | (LoginFailure.wait_until < wait_until),
        )
        .values(wait_until=wait_until)
        .execution_options(synchronize_session=False)
    )


def forget(email: str, client: str | None = None) -> None:
    """Clear the failures on this email: from one client after its success, from all after a reset."""
    account_key, client_key = _keys(email, client or "")
    query = delete(LoginFailure).where(LoginFailure.account_key == account_key)
    if client is not None:
        query = query.where(LoginFailure.client_key == client_key)
    db.session.execute(query.execution_options(synchronize_session=False))


def purge_old(now=None) -> int:
    """Delete failures nobody remembers any more (``run-due`` may call it); returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        delete(LoginFailure).where(LoginFailure.last_failure_at <= now - _memory() * 2)
    )
    return result.rowcount or 0
