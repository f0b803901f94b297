"""The payments area of the GraphQL schema."""

from graphql_api.payments.mutations import PaymentsMutation
from graphql_api.payments.queries import PaymentsQuery

QUERIES = (PaymentsQuery,)
MUTATIONS = (PaymentsMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
