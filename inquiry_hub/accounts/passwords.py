"""Password hashing (argon2id) and the password rules of the OWASP/NIST guidance."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

#: OWASP's first recommended argon2id configuration: m=19 MiB, t=2, p=1. Tests lower it
#: through ARGON2_* settings; a login re-hashes when a stored hash used other parameters.
OWASP_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, hash_len=32, salt_len=16
    )


def hasher() -> PasswordHasher:
    from flask import current_app, has_app_context

    params = dict(OWASP_PARAMETERS)
    if has_app_context():
        params.update(current_app.config.get("ARGON2_PARAMETERS") or {})
    return _hasher(params["time_cost"], params["memory_cost"], params["parallelism"])


_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in _COMMON_FILE.read_text().splitlines() if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """A reason to refuse the password, or None. No composition rules, on purpose."""
    from flask_babel import gettext as _

    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or (email and lowered == email.lower()):
        return _("This password is too common; choose another one.")
    if len(set(password)) <= 2 or guessability(password, email) < MIN_SCORE:
        return _("This password is too easy to guess; choose another one.")
    return None


#: zxcvbn's score 3 means about 10^8 guesses or more: "safely unguessable" against online attacks
#: and a slow hash such as argon2id.
MIN_SCORE = 3


def guessability(password: str, email: str = "") -> int:
    """zxcvbn's 0–4 score: leaked-password lists, keyboard walks, dates, l33t and the user's own email."""
    from zxcvbn import zxcvbn

    email = email.lower()
    local = email.partition("@")[0]
    hints = [email, local, *local.replace("-", ".").replace("_", ".").split(".")] if email else []
    # zxcvbn's cost grows with length; beyond 100 characters the score is already at its maximum.
    return zxcvbn(password[:100], user_inputs=hints)["score"]
