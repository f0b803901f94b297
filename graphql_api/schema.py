"""The schema: each area contributes its Query/Mutation/Subscription types, merged here in a fixed order
(the order of the fields in graphql_api/schema.graphql); a new area is added to the lists by hand."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from app.auth.ratelimit import parse_rate
from app.settings import Settings, get_settings
from graphql_api import (
    account,
    auth,
    bookings,
    marketplace,
    messages,
    notifications,
    payments,
    realtime,
    service_log,
)
from graphql_api.delivery import RecordOperation
from graphql_api.errors import log_error
from graphql_api.extensions import (
    CloseReads,
    CostLimit,
    CostRules,
    ErrorPolicy,
    ForgivingParserCache,
    OperationMetrics,
    present_all,
)
from graphql_api.input_check import RejectNulCharacters
from graphql_api.introspection import DeveloperOnlyIntrospection
from graphql_api.node import NodeQuery
from graphql_api.realtime.execution import SharedEventExecution
from graphql_api.scalars import SCALARS


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, hide_suggestions: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions  # read by ErrorPolicy too
        self.cost_rules = CostRules(0, 0, 1)  # build_schema's; read by the response cache

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Strawberry logs every error at ERROR with a traceback; only server faults deserve that."""
        for error in errors:
            log_error(error)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Also codes (and masks) errors of exceptions that escaped the extension hooks."""
        result = await super().execute(*args, **kwargs)
        present_all(result, hide_suggestions=self.hide_suggestions)
        return result


QUERIES = (
    NodeQuery,
    *account.QUERIES,
    *auth.QUERIES,
    *bookings.QUERIES,
    *marketplace.QUERIES,
    *messages.QUERIES,
    *notifications.QUERIES,
    *payments.QUERIES,
    *realtime.QUERIES,
    *service_log.QUERIES,
)
MUTATIONS = (
    *account.MUTATIONS,
    *auth.MUTATIONS,
    *bookings.MUTATIONS,
    *marketplace.MUTATIONS,
    *messages.MUTATIONS,
    *notifications.MUTATIONS,
    *payments.MUTATIONS,
    *realtime.MUTATIONS,
    *service_log.MUTATIONS,
)
SUBSCRIPTIONS = realtime.SUBSCRIPTIONS


def _described(root: type, description: str) -> type:
    """merge_types makes its type without a description; the root types get theirs here."""
    root.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return root


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    query = _described(
        merge_types("Query", QUERIES),
        "What the web app reads. Fields that look up one object by id "
        "are null when it does not exist or is not the caller's.",
    )
    mutation = _described(
        merge_types("Mutation", MUTATIONS),
        "What the web app changes. Each mutation takes one "
        "`input` and answers a payload union: its success type or one of the errors it can return.",
    )
    subscription = _described(
        merge_types("Subscription", SUBSCRIPTIONS),
        "Live events over graphql-transport-ws; each carries a `cursor` to resume from with `after`.",
    )
    production: list[Any] = [lambda: DeveloperOnlyIntrospection(settings)] if settings.production else []
    budget, budget_window_s = parse_rate(settings.graphql_cost_budget)
    # strawberry's QueryDepthLimiter and MaxAliasesLimiter make a new rule class per instance, that is per
    # request; the validation cache keys on the rule classes, so they are made once here or it never hits
    limits: list[type[ASTValidationRule]] = [
        query_depth_limiter.create_validator(settings.graphql_max_depth, None),
        max_aliases.create_validator(settings.graphql_max_aliases),
    ]
    cost_rules = CostRules(settings.graphql_max_cost, budget, budget_window_s)
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        hide_suggestions=settings.production,
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=SharedEventExecution,  # one owner's event executed once per selection
        extensions=[
            *production,
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            lambda: ForgivingParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            RecordOperation,
            RejectNulCharacters,
            lambda: CostLimit(cost_rules),
            OperationMetrics,
            ErrorPolicy,
            CloseReads,
        ],
    )
    schema.cost_rules = cost_rules
    return schema
