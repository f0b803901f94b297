"""How /graphql answers leave over HTTP: refusals as GraphQL JSON, and GET answers with their cache headers.

A GET answer may be stored by browsers and shared caches (`Cache-Control: public, max-age=N`, a strong `ETag`
over the body, `If-None-Match` -> 304) only when it cannot depend on the caller: the request carries no
credentials (no `Authorization`, `Cookie` or `x-api-key`), the operation is a query whose root fields are all
in PUBLIC_ROOT_FIELDS, and the answer has no errors. Every other GET answer is `private, no-store`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode
from graphql.utilities import get_operation_ast
from litestar import MediaType, Request, Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_api.persisted import RequestRefused
from graphql_api.selection import collect_fields, fragments_of

# The one list of root fields whose answers are the same for every anonymous caller (marketplace reference data).
# `carBrands` is not here: it needs an api key or a token, and such answers are never shared.
PUBLIC_ROOT_FIELDS = frozenset(
    {
        "workshops",
        "nearbyWorkshops",
        "workshop",
        "workshopCategories",
        "serviceCategories",
        "bookingStatuses",
        "__typename",
    }
)
CREDENTIAL_HEADERS = ("authorization", "cookie", "x-api-key")
PRIVATE = "private, no-store"
VARY = "Authorization, Cookie, X-API-Key"

log = logging.getLogger("minbil.graphql")


@dataclass
class OperationFacts:
    """What only the executor knows about a request's operation, for the HTTP view."""

    accepted: bool = False  # the document parsed and validated: APQ may store it
    public: bool = False  # a query of public root fields only
    errors: bool = False


class RecordOperation(SchemaExtension):
    """Fills the `OperationFacts` an HTTP request put in its context (other contexts are left alone)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        facts = getattr(context.context, "operation_facts", None)
        if isinstance(facts, OperationFacts) and context.graphql_document is not None:
            facts.accepted = True  # execution only starts after parsing and validation succeeded
            facts.public = context.operation_type is OperationType.QUERY and reads_only_public_fields(
                context.graphql_document, context.operation_name
            )
        yield


def reads_only_public_fields(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return False
    # @skip/@include are not consulted (unlike the cost): a private root field keeps the answer private even
    # when the variables skip it, so whether an answer may be shared never depends on a variable's value.
    fields = collect_fields((operation.selection_set,), fragments_of(document))
    return all(nodes[0].name.value in PUBLIC_ROOT_FIELDS for nodes in fields.values())


def refusal_response(request: Request[Any, Any, Any], refusal: RequestRefused) -> Response[dict[str, Any]]:
    log.log(
        logging.DEBUG if refusal.status == 200 else logging.INFO,
        "GraphQL request refused: %s (%s)",
        refusal.code,
        refusal.message,
    )
    headers = dict(refusal.headers)
    if request.method == "GET":
        headers["Cache-Control"] = PRIVATE
    return Response(
        {"errors": [refusal.formatted]}, status_code=refusal.status, media_type=MediaType.JSON, headers=headers
    )


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison, any of a list, or `*`."""
    candidates = [c.strip() for c in if_none_match.split(",")]
    return any(c == "*" or c.removeprefix("W/") == etag for c in candidates)


def with_cache_headers(
    request: Request[Any, Any, Any], response: Response[Any], facts: OperationFacts | None, max_age_s: int
) -> Response[Any]:
    """A GET answer with its Cache-Control (and ETag, or a 304, when it may be shared)."""
    if request.method != "GET" or facts is None:  # POST, or the GraphiQL page
        return response
    shareable = (
        facts.public
        and not facts.errors
        and response.status_code == 200
        and isinstance(response.content, bytes)
        and not any(request.headers.get(h) for h in CREDENTIAL_HEADERS)
    )
    if not shareable:
        response.headers["Cache-Control"] = PRIVATE
        return response
    etag = strong_etag(response.content)
    headers = {"Cache-Control": f"public, max-age={max_age_s}", "ETag": etag, "Vary": VARY}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(b"", status_code=304, headers=headers)
    response.headers.update(headers)
    return response
