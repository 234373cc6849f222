"""decisions room: proposal options and threads, reminders, commission, meetings, logbook

Revision ID: 0003_decisions
Revises: 0002_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_decisions"
down_revision = "0002_tasks"
branch_labels = None
depends_on = None


def _user_fk(column, table, ondelete="SET NULL"):
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def _inquiry_fk(table):
    return sa.ForeignKeyConstraint(
        ["inquiry_id"], ["inquiries.id"], name=op.f(f"fk_{table}_inquiry_id_inquiries"), ondelete="CASCADE"
    )


def upgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hide_positions", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table(
        "proposal_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_comments_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        _user_fk("author_id", "proposal_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_comments")),
    )
    op.create_index(op.f("ix_proposal_comments_proposal_id"), "proposal_comments", ["proposal_id"])

    op.create_table(
        "proposal_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_reminders_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        _user_fk("user_id", "proposal_reminders", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_reminders")),
        sa.UniqueConstraint("proposal_id", "user_id", name=op.f("uq_proposal_reminders_proposal_id")),
    )

    op.create_table(
        "commission_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("research_questions", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("deliverables", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _inquiry_fk("commission_versions"),
        _user_fk("proposed_by_id", "commission_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_versions")),
        sa.UniqueConstraint("inquiry_id", "version", name=op.f("uq_commission_versions_inquiry_id")),
    )
    op.create_index(op.f("ix_commission_versions_inquiry_id"), "commission_versions", ["inquiry_id"])

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("minutes_version", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("secretary_id", sa.Integer(), nullable=True),
        sa.Column("timekeeper_id", sa.Integer(), nullable=True),
        sa.Column("action_tasks", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _inquiry_fk("meetings"),
        _user_fk("facilitator_id", "meetings"),
        _user_fk("secretary_id", "meetings"),
        _user_fk("timekeeper_id", "meetings"),
        _user_fk("created_by_id", "meetings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_inquiry_id"), "meetings", ["inquiry_id"])

    op.create_table(
        "meeting_attendees",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendees_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        _user_fk("user_id", "meeting_attendees", "CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_attendees")),
    )

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    op.create_index(op.f("ix_agenda_items_meeting_id"), "agenda_items", ["meeting_id"])

    op.create_table(
        "minutes_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_revisions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        _user_fk("author_id", "minutes_revisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_revisions")),
    )
    op.create_index(op.f("ix_minutes_revisions_meeting_id"), "minutes_revisions", ["meeting_id"])

    op.create_table(
        "meeting_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_comments_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        _user_fk("author_id", "meeting_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_comments")),
    )
    op.create_index(op.f("ix_meeting_comments_meeting_id"), "meeting_comments", ["meeting_id"])

    op.create_table(
        "logbook_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("private_to_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _inquiry_fk("logbook_entries"),
        _user_fk("author_id", "logbook_entries"),
        _user_fk("private_to_user_id", "logbook_entries", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logbook_entries")),
    )
    op.create_index(op.f("ix_logbook_entries_inquiry_id"), "logbook_entries", ["inquiry_id"])

    op.create_table(
        "logbook_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["logbook_entries.id"],
            name=op.f("fk_logbook_comments_entry_id_logbook_entries"),
            ondelete="CASCADE",
        ),
        _user_fk("author_id", "logbook_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logbook_comments")),
    )
    op.create_index(op.f("ix_logbook_comments_entry_id"), "logbook_comments", ["entry_id"])


def downgrade():
    op.drop_index(op.f("ix_logbook_comments_entry_id"), table_name="logbook_comments")
    op.drop_table("logbook_comments")
    op.drop_index(op.f("ix_logbook_entries_inquiry_id"), table_name="logbook_entries")
    op.drop_table("logbook_entries")
    op.drop_index(op.f("ix_meeting_comments_meeting_id"), table_name="meeting_comments")
    op.drop_table("meeting_comments")
    op.drop_index(op.f("ix_minutes_revisions_meeting_id"), table_name="minutes_revisions")
    op.drop_table("minutes_revisions")
    op.drop_index(op.f("ix_agenda_items_meeting_id"), table_name="agenda_items")
    op.drop_table("agenda_items")
    op.drop_table("meeting_attendees")
    op.drop_index(op.f("ix_meetings_inquiry_id"), table_name="meetings")
    op.drop_table("meetings")
    op.drop_index(op.f("ix_commission_versions_inquiry_id"), table_name="commission_versions")
    op.drop_table("commission_versions")
    op.drop_table("proposal_reminders")
    op.drop_index(op.f("ix_proposal_comments_proposal_id"), table_name="proposal_comments")
    op.drop_table("proposal_comments")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("hide_positions")
