"""marketplace search: one indexed position per active workshop (the radius search joined every address and workshop)

A radius search picked each workshop's primary address with a DISTINCT ON over the addresses in a bounding box
and joined the (wide) workshops table for every match: ~70 ms at 20,000 workshops with 6,400 inside 25 km.
`workshop_positions` holds, for each active workshop with coordinates, its primary address's position as a
point on the unit sphere (`cube`) under a GiST index. The straight-line (chord) distance between two such
points grows with the great-circle distance, so "within r km" is a box lookup plus an exact chord check, the
count can be read from the index, and the nearest come in chord order.

The table is kept by statement-level triggers on workshops and workshop_addresses (every writer, bulk COPY
included); `marketplace_locate(org_nrs)` is the one definition of a workshop's position.

Revision ID: marketplace_0003
Revises: marketplace_0002
Create Date: 2026-12-01 11:20:00
"""

from alembic import op

revision = "marketplace_0003"
down_revision = "marketplace_0002"
branch_labels = None
depends_on = None

_TRIGGERS = (
    # (table, event, transition tables, function)
    ("workshop_addresses", "INSERT", "NEW TABLE AS new_rows", "marketplace_locate_new"),
    ("workshop_addresses", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "marketplace_locate_changed"),
    ("workshop_addresses", "DELETE", "OLD TABLE AS old_rows", "marketplace_locate_old"),
    ("workshops", "INSERT", "NEW TABLE AS new_rows", "marketplace_locate_new"),
    ("workshops", "UPDATE", "NEW TABLE AS new_rows", "marketplace_locate_new"),
)


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION marketplace_position(latitude double precision, longitude double precision)
        RETURNS public.cube LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.cube(ARRAY[cos(radians(latitude)) * cos(radians(longitude)),
                                      cos(radians(latitude)) * sin(radians(longitude)),
                                      sin(radians(latitude))]) $$
        """
    )
    op.execute(
        """
        CREATE TABLE workshop_positions (
          org_nr varchar(9) PRIMARY KEY REFERENCES workshops (org_nr) ON DELETE CASCADE,
          latitude double precision NOT NULL,
          longitude double precision NOT NULL,
          position public.cube GENERATED ALWAYS AS (marketplace_position(latitude, longitude)) STORED
        )
        """
    )
    op.execute("CREATE INDEX ix_workshop_positions_position ON workshop_positions USING gist (position)")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION marketplace_locate(org_nrs text[]) RETURNS void LANGUAGE sql
        AS $$
          DELETE FROM workshop_positions WHERE org_nr = ANY(org_nrs);
          INSERT INTO workshop_positions (org_nr, latitude, longitude)
          SELECT a.org_nr, a.latitude, a.longitude
          FROM (SELECT DISTINCT ON (org_nr) org_nr, latitude, longitude FROM workshop_addresses
                WHERE org_nr = ANY(org_nrs) ORDER BY org_nr, is_primary DESC, id) a
          JOIN workshops w ON w.org_nr = a.org_nr AND w.is_active
          WHERE a.latitude IS NOT NULL AND a.longitude IS NOT NULL;
        $$
        """
    )
    for name, rows in (
        ("marketplace_locate_new", "SELECT org_nr FROM new_rows"),
        ("marketplace_locate_old", "SELECT org_nr FROM old_rows"),
        ("marketplace_locate_changed", "SELECT org_nr FROM new_rows UNION SELECT org_nr FROM old_rows"),
    ):
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN PERFORM marketplace_locate(ARRAY(SELECT DISTINCT o FROM ({rows}) AS changed(o))); RETURN NULL; END $$
            """
        )
    for table, event, transition, function in _TRIGGERS:
        op.execute(
            f"CREATE TRIGGER marketplace_locate_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    op.execute("SELECT marketplace_locate(ARRAY(SELECT org_nr FROM workshops))")


def downgrade() -> None:
    for table, event, _, _ in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS marketplace_locate_{event.lower()} ON {table}")
    for name in ("marketplace_locate_new", "marketplace_locate_old", "marketplace_locate_changed"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS marketplace_locate(text[])")
    op.execute("DROP TABLE IF EXISTS workshop_positions")
    op.execute("DROP FUNCTION IF EXISTS marketplace_position(double precision, double precision)")
