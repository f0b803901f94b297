"""The Litestar controller for /graphql: HTTP (POST and GET), GraphiQL, and WebSocket subscriptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import strawberry
from litestar import MediaType, Request, Response
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.litestar import make_graphql_controller
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from app.errors import DomainError
from app.settings import Settings
from app.static_assets import localize_graphiql_html
from graphql_api.context import GraphQLContext, get_context
from graphql_api import realtime_ws
from graphql_api.input_check import reject_deep_body


def build_graphql_controller(schema: strawberry.Schema, settings: Settings) -> type:
    base = make_graphql_controller(
        schema,
        path="/graphql",
        context_getter=get_context,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,  # None: the page answers 404
        allow_queries_via_get=True,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        multipart_uploads_enabled=True,
        max_subscriptions_per_connection=settings.graphql_max_subscriptions_per_connection,
        allowed_origins=list(settings.cors_origins),
    )

    graphiql_page = localize_graphiql_html(get_graphql_ide_html("graphiql"))

    class GraphQLController(base):  # type: ignore[misc, valid-type]
        include_in_schema = False
        before_request = reject_deep_body

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:  # type: ignore[override]
            """GraphiQL with its scripts and styles served from /static (works without internet)."""
            return Response(graphiql_page, media_type=MediaType.HTML)

        async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, Any] | None:  # type: ignore[override]
            """Authenticate the socket from the `connection_init` payload; a bad token closes with 4403."""
            try:
                claims = await context.socket_claims()
            except DomainError as exc:
                raise ConnectionRejectionError({"message": exc.message, "code": exc.code}) from exc
            if claims is None:
                raise ConnectionRejectionError({"message": "Authentication required.", "code": "UNAUTHORIZED"})
            try:  # connections per user, presence heartbeat, token re-checks while the socket is open
                await realtime_ws.socket_opened(context, claims)
            except DomainError as exc:
                raise ConnectionRejectionError({"message": exc.message, "code": exc.code}) from exc
            return UNSET

        async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
            try:
                return await super().run(request, context=context, root_value=root_value)
            finally:
                if isinstance(context, GraphQLContext):
                    await realtime_ws.socket_closed(context)

    return GraphQLController
