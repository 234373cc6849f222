"""A person's own data: the ZIP of everything about them, and closing their account."""

from __future__ import annotations

import io
import json
import secrets
import zipfile

from sqlalchemy import delete, update

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import ApiToken, PasswordResetToken
from inquiry_hub.activity import export as activity
from inquiry_hub.db import Base, utcnow
from inquiry_hub.deliverables import export as deliverables
from inquiry_hub.export_rows import jsonable, rows_of_table
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import export as fieldwork
from inquiry_hub.governance import export as governance
from inquiry_hub.inquiries.models import Membership
from inquiry_hub.storage import get_storage
from inquiry_hub.tasks import export as tasks

FORMER_MEMBER = "former member"

#: Tables never exported: other people's addresses, secrets, and interviewees' material.
SKIPPED_TABLES = frozenset(
    {"users", "invitations", "password_reset_tokens", "outbox_messages", "identity_keys"}
)
#: Tables whose rows are listed but whose files stay out: they hold interviewees' data.
NO_FILES_TABLES = frozenset({"interview_files"})


#: The rooms that export their own rows about a person; tables no room claims are scanned here.
ROOMS = (tasks, fieldwork, deliverables, governance, activity)


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → rows that name this user in one of their user columns, secrets left out.

    Each room answers for its own tables; every other table with a user column (accounts,
    memberships, follow-up settings, this room's logs) is read generically, so that a table
    added later is exported before anyone thinks of it.
    """
    result: dict[str, list[dict]] = {}
    claimed: set[str] = set()
    for room in ROOMS:
        result.update(room.personal_rows(user))
        claimed |= {model.__tablename__ for model in room.PERSONAL_MODELS}
    for table in Base.metadata.sorted_tables:
        if table.name not in SKIPPED_TABLES | claimed and (rows := rows_of_table(table, user)):
            result[table.name] = rows
    order = {table.name: n for n, table in enumerate(Base.metadata.sorted_tables)}
    return dict(sorted(result.items(), key=lambda item: order[item[0]]))


def _account(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "site_admin": policy.can(user, "admin.access"),
        "created_at": jsonable(user.created_at),
        "last_login_at": jsonable(user.last_login_at),
    }


def _uploaded_files(rows: dict[str, list[dict]]) -> dict[str, str]:
    """zip path → sha256 of the files this person's rows carry (interview files excepted)."""
    files: dict[str, str] = {}
    for table, items in rows.items():
        if table in NO_FILES_TABLES:
            continue
        for item in items:
            if item.get("sha256"):
                name = str(item.get("filename") or "file").replace("/", "_")
                files[f"files/{table}/{item['id']}-{name}"] = item["sha256"]
    return files


def personal_zip(user) -> bytes:
    """A ZIP with data.json (account and every row about the person) and the files they uploaded."""
    rows = personal_rows(user)
    files = _uploaded_files(rows)
    document = {"exported_at": jsonable(utcnow()), "account": _account(user), "rows": rows, "files": files}
    buffer = io.BytesIO()
    storage = get_storage()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for path, digest in files.items():
            if storage.exists(digest):
                with storage.open(digest) as handle:
                    archive.writestr(path, handle.read())
    return buffer.getvalue()


def close_account(user) -> None:
    """Remove the person's personal data; what they wrote for the team stays, as "former member"."""
    from inquiry_hub.tasks.services import feeds

    user.name = FORMER_MEMBER
    user.email = f"former-{user.id}-{secrets.token_hex(6)}@closed.invalid"
    # Not an argon2 hash: no password can ever match it.
    user.password_hash = "!closed"
    user.locale = None
    user.is_admin = False
    user.last_login_at = None
    accounts.end_all_sessions(user)
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    feeds.revoke_feeds(user)
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    # A pending change of address must not give the closed account a real address again.
    accounts.cancel_email_change(user)
    activity.forget(user)
    governance.forget(user)
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.flush()


def is_closed(user) -> bool:
    return user.email.endswith("@closed.invalid")
