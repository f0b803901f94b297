"""The Litestar controller for /graphql: HTTP (POST and GET), GraphiQL, and WebSocket subscriptions.

Transport concerns live here, on strawberry's view hooks: persisted queries (`graphql_api.persisted`, over HTTP
and WebSocket `subscribe`), refusals as GraphQL JSON and GET cache headers (`graphql_api.delivery`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import strawberry
from cross_web import HTTPException
from graphql import GraphQLFormattedError, parse
from litestar import MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException, WebSocketDisconnect
from litestar.status_codes import HTTP_200_OK
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.ides import get_graphql_ide_html
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import LitestarWebSocketAdapter
from strawberry.schema.exceptions import (
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from app.errors import DomainError
from app.metrics import WEBSOCKET_CONNECTIONS
from app.settings import Settings
from app.static_assets import localize_graphiql_html
from graphql_api import realtime_ws
from graphql_api.context import GraphQLContext, get_context
from graphql_api.delivery import OperationFacts, refusal_response, with_cache_headers
from graphql_api.input_check import reject_deep_body
from graphql_api.persisted import PersistedQueries, RequestRefused, load_operations
from graphql_api.realtime.frames import EncodedPayloads
from graphql_api.response_cache import Documents, cached_answer


class Served(Exception):
    """An answer from the response cache, taken past strawberry's encoding of an execution result."""

    def __init__(self, body: bytes) -> None:
        self.body = body


# codes of strawberry's own refusals (bad JSON, content type, variables...), by status
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
INIT_TIMEOUT = timedelta(seconds=10)  # a socket without `connection_init` by then closes with 4408
ENCODED_PAYLOADS = EncodedPayloads()  # shared subscription results, encoded once per process


class PersistedQueryWSHandler(BaseGraphQLTransportWSHandler[GraphQLContext, None]):
    """`subscribe` messages may name their document by `extensions.persistedQuery` (looked up, not stored);
    in persisted-only mode they must. A refusal is the operation's `error` message."""

    async def handle_connection_init(self, message: Any) -> None:
        """Strawberry closes every refused `connection_init` with 4403; a caller over its connection limit gets
        4429 instead (`on_ws_connect` records why it refused), so a client can tell "back off" from "bad token"."""
        adapter = self.websocket
        close = adapter.close

        async def close_with_cause(code: int, reason: str) -> None:
            refused: tuple[int, str] | None = getattr(self.context, "refusal", None)
            await close(*(refused if code == 4403 and refused is not None else (code, reason)))

        adapter.close = close_with_cause  # type: ignore[method-assign]
        try:
            await super().handle_connection_init(message)
        finally:
            adapter.close = close  # type: ignore[method-assign]

    async def send_message(self, message: Any) -> None:
        """A `next` message with data only is sent with its payload encoded once for every subscription that
        shares the result (`graphql_api.realtime.frames`)."""
        payload = message.get("payload") if message.get("type") == "next" else None
        if isinstance(payload, dict) and payload.keys() == {"data"} and isinstance(message.get("id"), str):
            adapter = self.websocket
            text = ENCODED_PAYLOADS.next_frame(message["id"], payload["data"], self.view.encode_json)
            if text is not None and isinstance(adapter, LitestarWebSocketAdapter):
                try:
                    await adapter.ws.send_data(data=text)
                except WebSocketDisconnect as exc:
                    raise WebSocketDisconnected from exc
                return
        await super().send_message(message)

    async def handle_subscribe(self, message: Any) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message.get("id") not in self.operations
            and len(self.operations) >= limit
        ):  # strawberry's own refusal carries no code
            error: GraphQLFormattedError = {
                "message": "Subscription limit reached.",
                "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"},
            }
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error]))
            return
        payload = message.get("payload")
        persisted: PersistedQueries = self.view.persisted  # type: ignore[attr-defined]
        if (
            self.connection_acknowledged
            and isinstance(payload, dict)
            and message["id"] not in self.operations
            and (persisted.persisted_only or "persistedQuery" in (payload.get("extensions") or {}))
        ):
            try:
                resolved = await persisted.resolve(
                    self.context.services.kv, payload.get("query"), payload.get("extensions")
                )
            except RequestRefused as refusal:
                await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[refusal.formatted]))
                return
            message = {**message, "payload": {**payload, "query": resolved.query}}
        await super().handle_subscribe(message)


def build_graphql_controller(schema: strawberry.Schema, settings: Settings) -> type:
    base = make_graphql_controller(
        schema,
        path="/graphql",
        context_getter=get_context,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,  # None: the page answers 404
        allow_queries_via_get=True,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=INIT_TIMEOUT,
        multipart_uploads_enabled=True,
        max_subscriptions_per_connection=settings.graphql_max_subscriptions_per_connection,
        allowed_origins=list(settings.cors_origins),
    )

    graphiql_page = localize_graphiql_html(get_graphql_ide_html("graphiql"))

    class GraphQLController(base):  # type: ignore[misc, valid-type]
        include_in_schema = False
        before_request = reject_deep_body
        graphql_transport_ws_handler_class = PersistedQueryWSHandler
        persisted = PersistedQueries(
            load_operations(),
            persisted_only=settings.graphql_persisted_only,
            ttl_s=settings.graphql_apq_ttl_s,
            max_document_bytes=settings.graphql_apq_max_document_bytes,
            max_registrations_per_hour=settings.graphql_apq_max_registrations_per_hour,
        )
        documents = Documents()

        @post(status_code=HTTP_200_OK)
        async def handle_http_post(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
            return await self._handle_http(request, state)

        @get(raises=[ValidationException, NotFoundException])
        async def handle_http_get(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
            return await self._handle_http(request, state)

        async def _handle_http(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
            """What strawberry's handlers get from four dependencies, made in place: Litestar resolves a batch of
            dependencies in a task group, and strawberry's sub-response on a worker thread, for every request."""
            context = await get_context(state)
            context.request = request
            sub_response: Response[Any] = Response({}, background=BackgroundTasks([]))
            context.response = self.temporal_response = sub_response
            if request.method == "POST":
                cached = await self._cached_post(request, context)
                if cached is not None:
                    return cached
            return await self.execute_request(request, context=context, root_value=None)

        async def _cached_post(self, request: Request[Any, Any, Any], context: GraphQLContext) -> Response[Any] | None:
            """A plain JSON POST of a cacheable operation answered from the cache, without strawberry's view;
            anything else (or a refusal) goes the whole way, which answers it as before."""
            accept = request.headers.get("accept", "")
            if request.content_type[0] != "application/json" or "multipart" in accept or "event-stream" in accept:
                return None
            try:
                data = msgspec.json.decode(await request.body())
            except msgspec.DecodeError:
                return None
            if not isinstance(data, dict):
                return None
            query, variables = data.get("query"), data.get("variables")
            name, extensions = data.get("operationName"), data.get("extensions")
            if not (
                isinstance(query, str | None)
                and isinstance(variables, dict | None)
                and isinstance(name, str | None)
                and isinstance(extensions, dict | None)
            ):
                return None
            try:
                resolved = await self.persisted.resolve(context.services.kv, query, extensions)
            except RequestRefused:
                return None
            answer = await cached_answer(
                context, self.schema, self.documents, resolved.query, name, variables, self._encode
            )
            if answer is None:
                return None
            if resolved.register_as is not None:
                await self.persisted.register(context.services.kv, resolved.register_as, resolved.query)
            return Response(answer, status_code=HTTP_200_OK, media_type=MediaType.JSON)

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            """Every answer is GraphQL JSON (strawberry answers its refusals in text/plain); GET answers get
            their cache headers."""
            try:
                response = await self.run(request, context=context, root_value=root_value)
            except RequestRefused as refusal:
                return refusal_response(request, refusal)
            except Served as served:
                response = Response(served.body, status_code=HTTP_200_OK, media_type=MediaType.JSON)
            except HTTPException as exc:
                code = _HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
                return refusal_response(request, RequestRefused(exc.reason, code, exc.status_code))
            return with_cache_headers(
                request, response, getattr(context, "operation_facts", None), settings.graphql_public_max_age_s
            )

        def _encode(self, data: Any) -> bytes:
            encoded = self.encode_json(data)
            return encoded.encode() if isinstance(encoded, str) else encoded

        def should_render_graphql_ide(self, request: Any) -> bool:
            # a hash-only persisted query over GET has no `query` parameter, and Apollo Client accepts */*
            return super().should_render_graphql_ide(request) and "extensions" not in request.query_params

        def _validate_batch_request(self, request_data: Any, protocol: Any) -> None:
            raise RequestRefused(
                "Batched operations are not supported: send one operation per request.", "BATCHING_NOT_SUPPORTED"
            )

        async def execute_single(
            self,
            request: Any,
            request_adapter: Any,
            sub_response: Any,
            context: GraphQLContext,
            root_value: Any,
            request_data: GraphQLRequestData,
        ) -> ExecutionResult:
            """Resolves persisted queries, refuses what may not run over the method, stores accepted APQ documents."""
            resolved = await self.persisted.resolve(context.services.kv, request_data.query, request_data.extensions)
            method = request_adapter.method
            facts = context.operation_facts = OperationFacts()
            answer = await cached_answer(
                context, self.schema, self.documents, resolved.query, request_data.operation_name,
                request_data.variables, self._encode,
            )  # fmt: skip
            if answer is not None:
                facts.accepted = facts.public = True
                if resolved.register_as is not None:
                    await self.persisted.register(context.services.kv, resolved.register_as, resolved.query)
                raise Served(answer)
            try:
                result = await self.schema.execute(
                    resolved.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    # GET only reads: subscriptions go over the WebSocket, mutations over POST
                    allowed_operation_types={OperationType.QUERY}
                    if method == "GET"
                    else OperationType.from_http(method),
                    operation_extensions=request_data.extensions,
                )
            except InvalidOperationTypeError as exc:
                raise RequestRefused(
                    f"GET requests only support query operations, not {exc.operation_type.value} operations.",
                    "BAD_REQUEST",
                    405,
                    {"Allow": "POST"},
                ) from exc
            except CannotGetOperationTypeError as exc:
                raise RequestRefused(exc.as_http_error_reason(), "OPERATION_RESOLUTION_FAILURE") from exc
            facts.errors = bool(result.errors)
            if facts.public and not facts.errors:  # answered from the cache from now on
                self.documents.learn(resolved.query, request_data.operation_name, parse(resolved.query))
            if resolved.register_as is not None and facts.accepted:
                await self.persisted.register(context.services.kv, resolved.register_as, resolved.query)
            return result

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            """GraphiQL with its scripts and styles served from /static (works without internet)."""
            return Response(graphiql_page, media_type=MediaType.HTML)

        async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, Any] | None:
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
                if exc.status == 429:  # too many connections of this user: 4429, not the 4403 of a bad token
                    context.refusal = (4429, exc.message[:120])
                raise ConnectionRejectionError({"message": exc.message, "code": exc.code}) from exc
            return UNSET

        async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
            socket = self.is_websocket_request(request)
            if socket:  # the whole life of the socket runs inside this call
                WEBSOCKET_CONNECTIONS.inc()
            try:
                return await super().run(request, context=context, root_value=root_value)
            finally:
                if socket:
                    WEBSOCKET_CONNECTIONS.dec()
                if isinstance(context, GraphQLContext):
                    await realtime_ws.socket_closed(context)

    return GraphQLController
