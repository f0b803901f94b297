"""Realtime: the outbox relay, owner event streams (subscriptions), presence and the realtime config."""
