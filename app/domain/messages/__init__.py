"""Booking threads: the inbox, a thread's messages, sending (owner and workshop side) and read state."""
