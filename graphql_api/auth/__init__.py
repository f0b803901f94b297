"""The auth area of the GraphQL schema."""
