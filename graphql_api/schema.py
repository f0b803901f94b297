"""The schema: each area contributes its Query/Mutation/Subscription types, merged here."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from app.discovery import modules_of
from app.settings import Settings, get_settings
from graphql_api.errors import should_mask_error
from graphql_api.extensions import ErrorCodes, OperationMetrics
from graphql_api.input_check import RejectNulCharacters


def _collect(attribute: str) -> tuple[type, ...]:
    return tuple(t for module in modules_of("graphql_api.areas") for t in getattr(module, attribute, ()))


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    query = merge_types("Query", _collect("QUERIES"))
    mutation = merge_types("Mutation", _collect("MUTATIONS"))
    subscriptions = _collect("SUBSCRIPTIONS")
    subscription = merge_types("Subscription", subscriptions) if subscriptions else None
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            RejectNulCharacters,
            ErrorCodes,
            OperationMetrics,
            lambda: MaskErrors(should_mask_error=should_mask_error, error_message="Unexpected error."),
        ],
    )
