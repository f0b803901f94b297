"""Credentials: password hashing, access and refresh tokens, session revocation, rate limits."""
