"""messages: unread and listing indexes

Revision ID: messages_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "messages_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_unread_workshop",
        "messages",
        ["owner_id", "booking_id"],
        unique=False,
        postgresql_where=sa.text("sender_type = 'workshop' AND NOT is_read"),
    )
    op.create_index("ix_notifications_owner_created", "notifications", ["owner_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notifications_owner_created", table_name="notifications")
    op.drop_index(
        "ix_messages_unread_workshop",
        table_name="messages",
        postgresql_where=sa.text("sender_type = 'workshop' AND NOT is_read"),
    )
