"""The service_log area of the GraphQL schema."""

from graphql_api.service_log.types import MUTATIONS, QUERIES

__all__ = ["MUTATIONS", "QUERIES"]
