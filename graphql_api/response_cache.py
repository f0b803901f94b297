"""Cacheable GraphQL operations answered from the marketplace cache, the caller's favourites put on top.

A query whose root fields are all public marketplace reads (`graphql_api.delivery.PUBLIC_ROOT_FIELDS`) answers
the same for every caller but for `isFavourite`, and for `isOpenNow` but within a minute. Once such a document
has parsed, validated and run without errors here (`learn`), later requests for it are answered from
`MarketplaceCache` (kind "graphql"), keyed by the document's hash, the operation name, the variables and the
current minute, so the marketplace invalidation drops these answers with the REST ones.

What is per request stays per request, in the order the executor keeps: the persisted-query rules (before this
module), the token (a bad one is left to ordinary execution, which refuses it as before), NUL characters, the
maximum cost and the caller's cost budget. Whatever this module does not answer exactly as ordinary execution
would (a refusal, an error, a database failure) it leaves to ordinary execution.

The stored answer is executed once, in a context of its own (`SharedAnswer`): no caller, each `isFavourite`
recorded with its path and served false. A caller's answer sets the recorded positions whose workshop is among
the caller's favourites, and is the stored bytes unchanged when none is.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from graphql import DocumentNode, GraphQLError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.domain.marketplace import search
from app.errors import DomainError
from app.metrics import GRAPHQL_OPERATIONS, cache_meter
from graphql_api.cost import operation_cost
from graphql_api.extensions import CostRules
from graphql_api.input_check import nul_field
from graphql_api.persisted import sha256_hex

KIND = "graphql"
METER = cache_meter("graphql_response")  # whole answers, apart from the fields' own lookups on a miss
_QUERIES = GRAPHQL_OPERATIONS.labels("query")  # bound once: `labels()` looks the series up per call
MAX_COSTS = 256  # per document: the costs of its latest variables
_FALSE, _TRUE = b"false", b"true"


class Answer(msgspec.Struct, frozen=True):
    """An encoded answer with `false` at `cuts[i]` for the `isFavourite` of workshop `org_nrs[i]`."""

    body: bytes
    cuts: list[int]
    org_nrs: list[str]

    def for_favourites(self, favourites: set[str] | frozenset[str]) -> bytes:
        marks = [cut for cut, org_nr in zip(self.cuts, self.org_nrs, strict=True) if org_nr in favourites]
        if not marks:
            return self.body
        parts: list[bytes] = []
        start = 0
        for cut in marks:
            parts += (self.body[start:cut], _TRUE)
            start = cut + len(_FALSE)
        parts.append(self.body[start:])
        return b"".join(parts)


@dataclass
class SharedAnswer:
    """The context's mark of an execution for every caller: `isFavourite` serves false and is recorded here."""

    favourites: list[tuple[list[str | int], str]] = field(default_factory=list)

    def favourite_at(self, path: Sequence[str | int], org_nr: str) -> bool:
        self.favourites.append((list(path), org_nr))
        return False


class NotStored(Exception):
    """The shared execution had errors: nothing is stored and the request runs as usual."""


def encode_shared(result: ExecutionResult, shared: SharedAnswer, encode: Callable[[Any], bytes]) -> Answer:
    """The answer of a shared execution, with the byte position of every recorded `isFavourite`."""
    if result.errors or result.extensions or result.data is None:
        raise NotStored
    nonce = secrets.token_hex(8)
    data: Any = json.loads(json.dumps(result.data))  # a copy to put the markers in
    for index, (path, _) in enumerate(shared.favourites):
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = f"\x00{nonce}:{index}"  # a NUL cannot come from the database (PostgreSQL text)
    marked = encode({"data": data})
    body, cuts, org_nrs = bytearray(), [], []
    start = 0
    for match in re.finditer(rb'"\\u0000' + nonce.encode() + rb':(\d+)"', marked):
        body += marked[start : match.start()]
        cuts.append(len(body))
        org_nrs.append(shared.favourites[int(match.group(1))][1])
        body += _FALSE
        start = match.end()
    body += marked[start:]
    if len(cuts) != len(shared.favourites):  # a favourite nulled by an error, or a marker not found
        raise NotStored
    return Answer(bytes(body), cuts, org_nrs)


@dataclass(frozen=True)
class Document:
    """A document known to parse and validate, whose operation reads only public fields."""

    digest: str
    document: DocumentNode
    costs: dict[str, int] = field(default_factory=dict)  # by the variables' canonical text

    def cost(self, schema: Any, operation_name: str | None, variables: dict[str, Any] | None, key: str) -> int:
        cost = self.costs.get(key)
        if cost is None:
            if len(self.costs) >= MAX_COSTS:
                self.costs.clear()
            cost = self.costs[key] = operation_cost(schema, self.document, operation_name, variables)
        return cost


class Documents:
    """The cacheable documents seen by this process, by text and operation name (bounded, least recent out)."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._known: OrderedDict[tuple[str, str | None], Document] = OrderedDict()

    def get(self, query: str, operation_name: str | None) -> Document | None:
        key = (query, operation_name)
        found = self._known.get(key)
        if found is not None:
            self._known.move_to_end(key)
        return found

    def learn(self, query: str, operation_name: str | None, document: DocumentNode) -> None:
        self._known[(query, operation_name)] = Document(sha256_hex(query), document)
        self._known.move_to_end((query, operation_name))
        while len(self._known) > self.maxsize:
            self._known.popitem(last=False)


async def cached_answer(
    context: Any,
    schema: Any,
    documents: Documents,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    encode: Callable[[Any], bytes],
) -> bytes | None:
    """The answer's bytes from the cache (executed and stored on a miss), or None: run the request as usual.

    When None comes after the budget was charged, `context.cost_charged` is set: the execution does not charge
    it again."""
    known = documents.get(query, operation_name)
    if known is None:
        return None
    try:
        claims = await context.claims()
    except DomainError:  # refused by ordinary execution, with its error
        return None
    if nul_field(known.document, query, variables) is not None:
        return None
    rules: CostRules = schema.cost_rules
    variables_key = msgspec.json.encode(variables or {}, order="sorted").decode()
    cost = known.cost(schema._schema, operation_name, variables, variables_key)
    if rules.max_cost and cost > rules.max_cost:
        return None
    if rules.budget and cost:
        try:
            await rules.charge(context, cost)
        except (GraphQLError, DomainError):  # ordinary execution refuses it with its error, as before
            return None
        context.cost_charged = True

    async def execute_shared() -> Answer:
        shared = SharedAnswer()
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=type(context)(services=context.services, shared=shared),
            operation_name=operation_name,
            allowed_operation_types={OperationType.QUERY},
        )
        return encode_shared(result, shared, encode)

    services = context.services
    key = (known.digest, operation_name, variables_key, search.now_minute(services))
    try:
        answer, status = await services.marketplace_cache.get_or_load(KIND, key, execute_shared, Answer, METER)
    except NotStored:
        return None
    favourites: frozenset[str] = frozenset()
    if claims is not None and answer.org_nrs:
        try:  # as REST's overlay: the caller's set held in this process, no unit of work (a query changes none)
            favourites = await search.caller_favourites(services, claims.owner_id, status)
        except DomainError:
            return None
    _QUERIES.inc()
    return answer.for_favourites(favourites)
