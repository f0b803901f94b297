"""The notifications area of the GraphQL schema (moved here from messages)."""

QUERIES: tuple[type, ...] = ()
MUTATIONS: tuple[type, ...] = ()
