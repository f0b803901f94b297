"""realtime: publication sequence of domain events (the subscription resume cursor), presence queue

Revision ID: realtime_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "realtime_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("domain_events", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.create_index("uq_domain_events_seq", "domain_events", ["seq"], unique=True)
    op.create_index("ix_domain_events_owner_seq", "domain_events", ["owner_id", "seq"], unique=False)
    op.add_column("domain_events", sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_domain_events_queued",
        "domain_events",
        ["owner_id", "seq"],
        unique=False,
        postgresql_where=sa.text("queued_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_domain_events_queued", table_name="domain_events", postgresql_where=sa.text("queued_at IS NOT NULL")
    )
    op.drop_column("domain_events", "queued_at")
    op.drop_index("ix_domain_events_owner_seq", table_name="domain_events")
    op.drop_index("uq_domain_events_seq", table_name="domain_events")
    op.drop_column("domain_events", "seq")
