"""The realtime area of the GraphQL schema."""
