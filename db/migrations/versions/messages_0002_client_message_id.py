"""messages: one message per owner and client message id (idempotent sends)

Revision ID: messages_0002
Revises: messages_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "messages_0002"
down_revision = "messages_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ux_messages_owner_client_message_id",
        "messages",
        ["owner_id", "client_message_id"],
        unique=True,
        postgresql_where=sa.text("client_message_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ux_messages_owner_client_message_id",
        table_name="messages",
        postgresql_where=sa.text("client_message_id IS NOT NULL"),
    )
