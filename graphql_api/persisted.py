"""Persisted queries: Apollo's automatic persisted queries (APQ) and the allow-list of the web app's operations.

A request names its document by `extensions.persistedQuery = {version: 1, sha256Hash}` (the hex SHA-256 of
the exact document text), with or without the text:
- hash only: the text comes from the web app's operation documents, else from the APQ store; unknown ->
  `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND, HTTP 200), and Apollo Client retries with the text;
- hash and text: the hash must be the text's (else PERSISTED_QUERY_HASH_MISMATCH, 400); the text is stored
  (`register`) once it parsed and validated, for `graphql_apq_ttl_s`;
- another version: PERSISTED_QUERY_VERSION_NOT_SUPPORTED (400).
In persisted-only mode only the operation documents are accepted, by hash or by text; anything else is
PERSISTED_QUERY_NOT_ALLOWED (400) and nothing is stored.

The operation documents live in `graphql_api/operations/<area>/<OperationName>.graphql`: one file, one
operation, stored as graphql-js prints it. Selections several operations share are fragments in
`graphql_api/operations/fragments/<FragmentName>.graphql`; an operation's text is its file followed by the
fragments it uses (`with_fragments`), as a generated client sends it, without the final newline.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from graphql import FragmentSpreadNode, GraphQLFormattedError, OperationDefinitionNode, Visitor, parse, visit

from app.domain.ports import KeyValue, KVUnavailable

OPERATIONS_ROOT: Traversable = files("graphql_api") / "operations"
FRAGMENTS = "fragments"  # the folder of OPERATIONS_ROOT with the fragments the operations share
APQ_VERSION = 1
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_KEY = "apq:"

log = logging.getLogger("minbil.graphql")


class RequestRefused(Exception):
    """A request answered with one error and nothing executed (rendered by the view as GraphQL JSON)."""

    def __init__(self, message: str, code: str, status: int = 400, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.headers = dict(headers or {})

    @property
    def formatted(self) -> GraphQLFormattedError:
        return {"message": self.message, "extensions": {"code": self.code}}


def not_found() -> RequestRefused:
    # the exact message and code Apollo Client looks for; 200, as Apollo Server answers it
    return RequestRefused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", status=200)


def not_allowed() -> RequestRefused:
    return RequestRefused("Only the registered operations of the web app are accepted.", "PERSISTED_QUERY_NOT_ALLOWED")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Operation:
    path: str  # relative to OPERATIONS_ROOT
    name: str
    kind: str  # query | mutation | subscription
    text: str
    sha256: str


def load_fragments(root: Traversable = OPERATIONS_ROOT) -> dict[str, str]:
    """The shared fragments (`fragments/<FragmentName>.graphql`) by name, as printed."""
    folder = root / FRAGMENTS
    if not folder.is_dir():
        return {}
    return {
        entry.name.removesuffix(".graphql"): entry.read_text(encoding="utf-8").removesuffix("\n")
        for entry in folder.iterdir()
        if entry.name.endswith(".graphql")
    }


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.append(node.name.value)


def _spread_names(text: str) -> list[str]:
    """The fragments a document spreads, in the order they appear."""
    spreads = _Spreads()
    visit(parse(text), spreads)
    return spreads.names


def with_fragments(operation: str, fragments: Mapping[str, str]) -> str:
    """The operation followed by every fragment it spreads, directly or through another, each once in the
    order first spread: the document a generated client sends (and hashes) for the operation."""
    order: list[str] = []

    def visit(text: str) -> None:
        for name in _spread_names(text):
            if name not in order:
                order.append(name)
                visit(fragments[name])

    visit(operation)
    return "\n\n".join([operation, *(fragments[name] for name in order)])


def load_operations(root: Traversable = OPERATIONS_ROOT) -> dict[str, Operation]:
    """The operation documents by hash (read once, at start)."""
    fragments = load_fragments(root)
    found: dict[str, Operation] = {}
    stack: list[tuple[str, Traversable]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                if not (prefix == "" and entry.name == FRAGMENTS):
                    stack.append((f"{prefix}{entry.name}/", entry))
            elif entry.name.endswith(".graphql"):
                text = with_fragments(entry.read_text(encoding="utf-8").removesuffix("\n"), fragments)
                definition = next(d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
                name = definition.name.value if definition.name else ""
                digest = sha256_hex(text)
                found[digest] = Operation(prefix + entry.name, name, definition.operation.value, text, digest)
    return found


@dataclass(frozen=True)
class Resolved:
    query: str
    register_as: str | None = None  # the hash to store the text under once it validated


@dataclass
class PersistedQueries:
    operations: Mapping[str, Operation]
    persisted_only: bool = False
    ttl_s: float = 24 * 3600
    max_document_bytes: int = 32 * 1024
    # bounds what anyone can make the store hold: at most this many new documents per hour, each for ttl_s
    max_registrations_per_hour: int = 1000
    _texts: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self._texts = frozenset(op.text for op in self.operations.values())

    async def resolve(self, kv: KeyValue, query: Any, extensions: Mapping[str, Any] | None) -> Resolved:
        """The document text to execute (raises RequestRefused)."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if not isinstance(query, str) or not query:
                raise RequestRefused(
                    "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.",
                    "BAD_REQUEST",
                )
            if self.persisted_only and query not in self._texts:
                raise not_allowed()
            return Resolved(query)
        digest = self._digest(persisted)
        if query is None:
            text = await self._lookup(kv, digest)
            if text is None:
                raise not_found()
            return Resolved(text)
        if not isinstance(query, str):
            raise RequestRefused("The GraphQL operation's `query` must be a string.", "BAD_REQUEST")
        if sha256_hex(query) != digest:
            raise RequestRefused("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        if digest in self.operations:
            return Resolved(query)
        if self.persisted_only:
            raise not_allowed()
        return Resolved(query, register_as=digest)

    def _digest(self, persisted: Any) -> str:
        if not isinstance(persisted, Mapping):
            raise RequestRefused("`extensions.persistedQuery` must be an object.", "BAD_REQUEST")
        if persisted.get("version") != APQ_VERSION:
            raise RequestRefused("Unsupported persisted query version", "PERSISTED_QUERY_VERSION_NOT_SUPPORTED")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not _HEX_SHA256.fullmatch(digest):
            raise RequestRefused("`extensions.persistedQuery.sha256Hash` must be a hex SHA-256.", "BAD_REQUEST")
        return digest.lower()

    async def _lookup(self, kv: KeyValue, digest: str) -> str | None:
        operation = self.operations.get(digest)
        if operation is not None:
            return operation.text
        if self.persisted_only:
            return None
        try:
            stored = await kv.get(_KEY + digest)
        except KVUnavailable:
            return None  # the client sends the text again: slower, still served
        return None if stored is None else stored.decode()

    async def register(self, kv: KeyValue, digest: str, text: str) -> None:
        """Store a document that parsed and validated; best effort (a miss only costs the client a retry)."""
        if self.persisted_only or len(text.encode()) > self.max_document_bytes:
            return
        try:
            if await kv.get(_KEY + digest) is not None:
                return
            if await kv.incr(_KEY + "registrations", ttl_s=3600) > self.max_registrations_per_hour:
                log.warning(
                    "persisted query not stored: more than %d registrations this hour", self.max_registrations_per_hour
                )
                return
            await kv.set(_KEY + digest, text.encode(), ttl_s=self.ttl_s)
        except KVUnavailable as exc:
            log.warning("persisted query not stored: %s", exc)
