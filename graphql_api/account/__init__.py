"""The account area of the GraphQL schema."""
