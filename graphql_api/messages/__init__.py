"""The messages area of the GraphQL schema."""

from graphql_api.messages.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
