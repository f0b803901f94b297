"""marketplace search: accent-insensitive full-text and trigram indexes, geo and price indexes

Revision ID: marketplace_0001
Revises: 0001
Create Date: 2026-11-28 18:50:00
"""

from alembic import op

revision = "marketplace_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for extension in ("pg_trgm", "unaccent", "cube", "earthdistance"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    # unaccent() is only STABLE (it reads a dictionary chosen by search_path); pinning the dictionary
    # makes the result depend on the argument alone, so it can be declared IMMUTABLE and indexed.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION marketplace_unaccent(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION marketplace_fts(name text, description text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
          SELECT setweight(to_tsvector('norwegian'::regconfig, public.marketplace_unaccent(coalesce(name, ''))), 'A')
              || setweight(to_tsvector('norwegian'::regconfig, public.marketplace_unaccent(coalesce(description, ''))), 'B')
        $$
        """
    )
    op.execute("CREATE INDEX ix_workshops_fts ON workshops USING gin (marketplace_fts(name, description))")
    op.execute(
        "CREATE INDEX ix_workshops_name_trgm ON workshops USING gin (marketplace_unaccent(lower(name)) gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_services_title_trgm ON services USING gin (marketplace_unaccent(lower(title)) gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_workshop_addresses_text_trgm ON workshop_addresses "
        "USING gin (marketplace_unaccent(lower(address || ' ' || postal_code || ' ' || city)) gin_trgm_ops)"
    )
    op.create_index("ix_workshop_addresses_lat_lng", "workshop_addresses", ["latitude", "longitude"])
    op.create_index("ix_services_org_nr_price", "services", ["org_nr", "price"])
    op.create_index("ix_workshops_average_rating", "workshops", ["average_rating"])
    op.create_index("ix_opening_hours_org_weekday", "workshop_opening_hours", ["org_nr", "weekday"])


def downgrade() -> None:
    op.drop_index("ix_opening_hours_org_weekday", table_name="workshop_opening_hours")
    op.drop_index("ix_workshops_average_rating", table_name="workshops")
    op.drop_index("ix_services_org_nr_price", table_name="services")
    op.drop_index("ix_workshop_addresses_lat_lng", table_name="workshop_addresses")
    op.execute("DROP INDEX IF EXISTS ix_workshop_addresses_text_trgm")
    op.execute("DROP INDEX IF EXISTS ix_services_title_trgm")
    op.execute("DROP INDEX IF EXISTS ix_workshops_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_workshops_fts")
    op.execute("DROP FUNCTION IF EXISTS marketplace_fts(text, text)")
    op.execute("DROP FUNCTION IF EXISTS marketplace_unaccent(text)")
