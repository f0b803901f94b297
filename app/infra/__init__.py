"""Adapters to the outside: key-value store (Redis or in-process), mail, registry, payments, storage."""
