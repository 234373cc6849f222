"""Encryption of the identity vault at rest (Fernet, rotatable keys).

Keys come from ``VAULT_KEYS`` (comma-separated, the first one encrypts, all decrypt), in
the app config or the environment; otherwise one key is generated once into
``instance/vault.key``. The keys never reach the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt", "keys", "rotate"]


def _key_file() -> Path:
    return Path(current_app.instance_path) / "vault.key"


def keys() -> list[bytes]:
    """The configured keys, current first; generates ``instance/vault.key`` when none is set."""
    configured = current_app.config.get("VAULT_KEYS") or os.environ.get("VAULT_KEYS", "")
    found = [k.strip().encode() for k in configured.split(",") if k.strip()]
    if found:
        return found
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return [line.strip().encode() for line in path.read_text().splitlines() if line.strip()]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys()])


def encrypt(value: str) -> str:
    """A Fernet token (ASCII) for the text; empty stays empty."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def rotate(token: str) -> str:
    """The same secret re-encrypted under the current key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
