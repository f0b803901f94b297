"""Notifications: preferences, creation from domain happenings, listing and read state."""
