"""The auth area of the GraphQL schema."""

from graphql_api.auth.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
