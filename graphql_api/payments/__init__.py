"""The payments area of the GraphQL schema."""
