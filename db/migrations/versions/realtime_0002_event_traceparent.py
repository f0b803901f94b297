"""realtime: the W3C traceparent of the span that wrote an outbox event (NULL unless traces are on)

Revision ID: realtime_0002
Revises: realtime_0001
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "realtime_0002"
down_revision = "realtime_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("domain_events", sa.Column("traceparent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("domain_events", "traceparent")
