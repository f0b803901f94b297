"""The marketplace area of the GraphQL schema: workshop search, workshop pages, categories, brands, favourites.

Reads go through the same domain calls (and so the same cache) as REST; nested workshop fields come from
per-request loaders (graphql_api.marketplace.loaders).
"""

from graphql_api.marketplace.mutations import MarketplaceMutation
from graphql_api.marketplace.queries import MarketplaceQuery

QUERIES = (MarketplaceQuery,)
MUTATIONS = (MarketplaceMutation,)

__all__ = ["MUTATIONS", "QUERIES"]
