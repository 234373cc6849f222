"""tasks: checklist items get an assignee

Revision ID: 0010_checklist_assignee
Revises: 0009_followup
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_checklist_assignee"
down_revision = "0009_followup"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_checklist_items_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_checklist_items_assignee_id_users"), "users", ["assignee_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checklist_items_assignee_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_checklist_items_assignee_id"))
        batch_op.drop_column("assignee_id")
