"""The bookings area of the GraphQL schema."""

from graphql_api.bookings.mutations import BookingsMutation
from graphql_api.bookings.queries import BookingsQuery

QUERIES = (BookingsQuery,)
MUTATIONS = (BookingsMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
