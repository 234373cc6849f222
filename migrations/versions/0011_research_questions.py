"""decisions: research questions as rows, linked from tasks, interviews and deliverables

Revision ID: 0011_research_questions
Revises: 0010_checklist_assignee
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_research_questions"
down_revision = "0010_checklist_assignee"
branch_labels = None
depends_on = None

LINKED = ("tasks", "interviews", "deliverables")


def upgrade():
    op.create_table(
        "research_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_research_questions_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_questions")),
        sa.UniqueConstraint("inquiry_id", "number", name=op.f("uq_research_questions_inquiry_id")),
    )
    with op.batch_alter_table("research_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_research_questions_inquiry_id"), ["inquiry_id"], unique=False)
    for table in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("research_question_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_research_question_id"), ["research_question_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_research_question_id_research_questions"),
                "research_questions",
                ["research_question_id"],
                ["id"],
                ondelete="SET NULL",
            )
    _questions_from_existing_briefs()


def _questions_from_existing_briefs():
    """Each inquiry's accepted brief (its newest version) gets its questions as rows."""
    from datetime import UTC, datetime

    from inquiry_hub.governance.models.commission import parse_questions

    versions = sa.table(
        "commission_versions",
        sa.column("inquiry_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("research_questions", sa.Text),
    )
    questions = sa.table(
        "research_questions",
        sa.column("inquiry_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    bind = op.get_bind()
    newest = (
        sa.select(versions.c.inquiry_id, sa.func.max(versions.c.version).label("version"))
        .group_by(versions.c.inquiry_id)
        .subquery()
    )
    rows = bind.execute(
        sa.select(versions.c.inquiry_id, versions.c.research_questions).join(
            newest,
            sa.and_(newest.c.inquiry_id == versions.c.inquiry_id, newest.c.version == versions.c.version),
        )
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    values = [
        {"inquiry_id": inquiry_id, "number": i + 1, "text": text, "position": i, "created_at": now}
        for inquiry_id, markdown in rows
        for i, text in enumerate(parse_questions(markdown or ""))
    ]
    if values:
        op.bulk_insert(questions, values)


def downgrade():
    for table in reversed(LINKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_research_question_id_research_questions"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_research_question_id"))
            batch_op.drop_column("research_question_id")
    with op.batch_alter_table("research_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_questions_inquiry_id"))
    op.drop_table("research_questions")
