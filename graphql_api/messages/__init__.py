"""The messages area of the GraphQL schema."""
