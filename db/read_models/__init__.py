"""Read models: structs the repositories build from rows for the domain to hand on."""
