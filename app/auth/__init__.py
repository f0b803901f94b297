"""Credentials: password hashing, access and refresh tokens, the access-token denylist, rate limits."""
