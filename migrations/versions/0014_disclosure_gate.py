"""disclosure gate: public names, hidden shared material

Revision ID: 0014_disclosure_gate
Revises: 0013_accounts_trust
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_disclosure_gate"
down_revision = "0013_accounts_trust"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disclosure_public_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("folded", sa.String(length=120), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name="fk_disclosure_public_names_inquiry_id_inquiries",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name="fk_disclosure_public_names_added_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_public_names"),
        sa.UniqueConstraint("inquiry_id", "folded", name="uq_disclosure_public_names_inquiry_folded"),
    )
    op.create_index(
        "ix_disclosure_public_names_inquiry_id", "disclosure_public_names", ["inquiry_id"], unique=False
    )
    with op.batch_alter_table("deliverable_versions") as batch:
        batch.add_column(sa.Column("withheld_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("withheld_reason", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("deliverable_versions") as batch:
        batch.drop_column("withheld_reason")
        batch.drop_column("withheld_at")
    op.drop_index("ix_disclosure_public_names_inquiry_id", table_name="disclosure_public_names")
    op.drop_table("disclosure_public_names")
