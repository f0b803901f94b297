"""msgspec structs that match the legacy JSON exactly (names are the reference's schema names)."""
