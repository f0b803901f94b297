"""The account area of the GraphQL schema."""

from graphql_api.account.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
