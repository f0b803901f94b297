"""The service_log area of the GraphQL schema."""
