"""The realtime area of the GraphQL schema."""

from graphql_api.realtime.types import MUTATIONS, QUERIES, SUBSCRIPTIONS

__all__ = ["MUTATIONS", "QUERIES", "SUBSCRIPTIONS"]
