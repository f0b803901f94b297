"""The payments area of the GraphQL schema."""

from graphql_api.payments.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
