"""Bookings: the lifecycle (state machine, create, update, cancel, change requests), ratings and queries."""
