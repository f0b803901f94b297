"""The marketplace area of the GraphQL schema."""
