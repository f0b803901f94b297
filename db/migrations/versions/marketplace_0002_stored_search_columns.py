"""marketplace search: stored search columns (computing the tsvector per row at query time was the bottleneck)

Revision ID: marketplace_0002
Revises: marketplace_0001
Create Date: 2026-11-28 19:25:00
"""

from alembic import op

revision = "marketplace_0002"
down_revision = "marketplace_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_workshops_fts")
    op.execute("DROP INDEX IF EXISTS ix_workshops_name_trgm")
    op.execute(
        "ALTER TABLE workshops ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (marketplace_fts(name, description)) STORED"
    )
    op.execute(
        "ALTER TABLE workshops ADD COLUMN search_name text "
        "GENERATED ALWAYS AS (marketplace_unaccent(lower(name))) STORED"
    )
    op.execute("CREATE INDEX ix_workshops_search_vector ON workshops USING gin (search_vector)")
    op.execute("CREATE INDEX ix_workshops_search_name_trgm ON workshops USING gin (search_name gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_workshops_search_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_workshops_search_vector")
    op.execute("ALTER TABLE workshops DROP COLUMN IF EXISTS search_name")
    op.execute("ALTER TABLE workshops DROP COLUMN IF EXISTS search_vector")
    op.execute("CREATE INDEX ix_workshops_fts ON workshops USING gin (marketplace_fts(name, description))")
    op.execute(
        "CREATE INDEX ix_workshops_name_trgm ON workshops USING gin (marketplace_unaccent(lower(name)) gin_trgm_ops)"
    )
