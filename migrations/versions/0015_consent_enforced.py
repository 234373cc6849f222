"""consent enforcement and pseudonymisation: withdrawals with a delay, repaired aliases

Revision ID: 0015_consent_enforced
Revises: 0014_disclosure_gate
"""

import ast

import sqlalchemy as sa
from alembic import op

revision = "0015_consent_enforced"
down_revision = "0014_disclosure_gate"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("delete_after", sa.DateTime(), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=False),
        sa.Column("mistake_by_id", sa.Integer(), nullable=True),
        sa.Column("mistake_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_consent_withdrawals_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_consent_withdrawals_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consent_withdrawals_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mistake_by_id"],
            ["users.id"],
            name=op.f("fk_consent_withdrawals_mistake_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
    )
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_withdrawals_inquiry_id"), ["inquiry_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consent_withdrawals_interview_id"), ["interview_id"], unique=False
        )
    repair_aliases(op.get_bind())


def downgrade():
    with op.batch_alter_table("consent_withdrawals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_withdrawals_interview_id"))
        batch_op.drop_index(batch_op.f("ix_consent_withdrawals_inquiry_id"))
    op.drop_table("consent_withdrawals")


# --- data: aliases saved through the old edit form ------------------------------------------
# The form showed the aliases as a Python list literal ("['Lulu', 'Mme Dubois']"); saving it
# stored "['Lulu'" and "'Mme Dubois']". The logic is frozen here (a migration must not change
# with the app); the app also repairs on read (services/identity.repair_aliases), so a database
# whose vault keys are not reachable from the migration is still served right.

_DEBRIS = "[]'\"\\ "


def _split(text):
    return [a.strip() for a in (text or "").replace(";", "\n").replace(",", "\n").splitlines() if a.strip()]


def _corrupted(aliases):
    return any(a[:1] in "['\"" or a[-1:] in "]'\"" for a in aliases)


def repaired(aliases):
    """The aliases as typed, from what the broken form stored (sound ones unchanged)."""
    for _ in range(10):
        if not _corrupted(aliases):
            return aliases
        try:
            value = ast.literal_eval(", ".join(aliases))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            break
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            break
        aliases = _split("\n".join(value))
    return [a.strip(_DEBRIS) for a in aliases if a.strip(_DEBRIS)] if _corrupted(aliases) else aliases


def repair_aliases(bind) -> int:
    """Re-encrypt repaired aliases; skipped (0) when the vault keys cannot decrypt them here."""
    try:
        import os

        from flask import current_app

        from inquiry_hub.fieldwork import vault

        configured = current_app.config.get("VAULT_KEYS") or os.environ.get("VAULT_KEYS")
        if not configured and not vault._key_file().exists():
            return 0  # never let the migration generate a key that cannot match the data
        rows = bind.execute(sa.text("SELECT id, aliases_token FROM identity_keys")).all()
        changes = {}
        for row_id, token in rows:
            aliases = _split(vault.decrypt(token))
            fixed = repaired(aliases)
            if fixed != aliases:
                changes[row_id] = vault.encrypt("\n".join(fixed))
    except Exception:  # no app context, no key, a key that does not match: repair on read covers it
        return 0
    for row_id, token in changes.items():
        bind.execute(
            sa.text("UPDATE identity_keys SET aliases_token = :token WHERE id = :id"),
            {"token": token, "id": row_id},
        )
    return len(changes)
