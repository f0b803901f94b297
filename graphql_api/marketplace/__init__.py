"""The marketplace area of the GraphQL schema."""

from graphql_api.marketplace.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
