"""realtime: publication sequence of domain events (the subscription resume cursor)

Revision ID: realtime_0001
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = 'realtime_0001'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('domain_events', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.create_index('uq_domain_events_seq', 'domain_events', ['seq'], unique=True)
    op.create_index('ix_domain_events_owner_seq', 'domain_events', ['owner_id', 'seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_domain_events_owner_seq', table_name='domain_events')
    op.drop_index('uq_domain_events_seq', table_name='domain_events')
    op.drop_column('domain_events', 'seq')
