"""The service log: completed bookings as each car's service history, summaries and exports."""
