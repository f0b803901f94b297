"""The bookings area of the GraphQL schema."""
