"""The bookings area of the GraphQL schema."""

from graphql_api.bookings.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
