"""Settings read from the environment, with documented defaults.

Every setting can also be passed to ``create_app({...})`` (tests do). The README's
configuration table mirrors this module.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Values that must never reach production as a signing key.
WEAK_SECRET_KEYS = frozenset({"", "dev", "change-me", "changeme", "secret", "test"})


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def from_environment(instance_path: str) -> dict:
    """Settings from environment variables; see README "Configuration"."""
    instance = Path(instance_path)
    env_name = os.environ.get("INQUIRY_HUB_ENV", "development")
    return {
        "ENV_NAME": env_name,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'inquiry_hub.sqlite3'}"
        ),
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 25),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        # Empty: "archives/" beside UPLOAD_FOLDER (privacy.services.archive_jobs.folder).
        "ARCHIVE_FOLDER": os.environ.get("ARCHIVE_FOLDER", ""),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "inquiry_hub <no-reply@localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "fr"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20 per minute;100 per hour"),
        # Failures from one client address on one email before that address waits; the wait
        # starts at LOGIN_DELAY_SECONDS and doubles per failure up to LOGIN_MAX_DELAY_MINUTES.
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_DELAY_SECONDS": _int("LOGIN_DELAY_SECONDS", 60),
        "LOGIN_MAX_DELAY_MINUTES": _int("LOGIN_MAX_DELAY_MINUTES", 60),
        # Failures on one email from all addresses together after which each failing address waits at once.
        "LOGIN_ACCOUNT_MAX_FAILURES": _int("LOGIN_ACCOUNT_MAX_FAILURES", 20),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        # A failure is forgotten this long after the last one (longer than the longest wait).
        "LOGIN_FAILURE_WINDOW_MINUTES": _int("LOGIN_FAILURE_WINDOW_MINUTES", 24 * 60),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env_name == "production"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "QUERY_COUNT_HEADER": _bool("QUERY_COUNT_HEADER", False),
    }


#: Fixed settings that are not meant to be tuned per deployment.
FIXED = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # A connection the database dropped (restart, outage) is replaced, not handed out: the app
    # recovers by itself once the database is back.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ("fr", "en"),
    "RATELIMIT_HEADERS_ENABLED": True,
    "INVITATION_DAYS": 14,
    "RESET_TOKEN_HOURS": 1,
    "EMAIL_CHANGE_HOURS": 24,
    "DEFAULT_CONSENT_DELAY_HOURS": 48,
    "OUTBOX_MAX_ATTEMPTS": 8,
}


def load_secret_key(config: dict, instance_path: str) -> str:
    """The configured key, else one generated once into ``instance/secret_key``.

    Production refuses both a missing and a known-weak key rather than run with
    a key an attacker could guess.
    """
    key = config.get("SECRET_KEY")
    if config.get("ENV_NAME") == "production":
        if not key or key in WEAK_SECRET_KEYS or len(key) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of 32+ characters in production")
        return key
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
