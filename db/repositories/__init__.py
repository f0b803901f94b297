"""All SQL lives here: one module per area, functions that take a session."""
