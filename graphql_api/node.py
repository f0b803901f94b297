"""Global object identification (the GraphQL Cursor Connections / Relay `Node` convention).

Every entity implements `Node`: its `id` is a global, opaque `ID` (strawberry's `GlobalID`: base64 of
`<TypeName>:<key>`) that a normalised client cache can key on, and `databaseId` is the number REST shows for
the same object. `node(id:)` and `nodes(ids:)` look objects up by global id through each type's
`resolve_nodes`, which applies the same ownership rule as the type's own query field: an id of another
owner's object resolves to null, exactly like an id that does not exist.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError
from strawberry.types import Info

from app.domain.limits import in_db_range
from app.domain.uow import UnitOfWork
from app.errors import ValidationFailed
from graphql_api.context import GraphQLContext

K = TypeVar("K")
V = TypeVar("V")
N = TypeVar("N")

Ctx = Info[GraphQLContext, None]


@strawberry.type
class Entity(relay.Node):
    """Base of the schema's entities: `id` (global) from the `NodeID` attribute, and `databaseId`.

    A type whose global key is not its number (a workshop is keyed by organisation number) overrides
    `database_id`."""

    @strawberry.field(description="The numeric id of this object, as the REST API shows it.")
    def database_id(self) -> int:
        return int(getattr(self, type(self).resolve_id_attr()))


def database_ids(node_ids: Iterable[str]) -> list[int | None]:
    """The numbers behind the keys of global ids; None for a key that cannot be one (it resolves to null)."""
    out: list[int | None] = []
    for key in node_ids:
        try:
            number = int(key)
        except ValueError:
            out.append(None)
            continue
        out.append(number if in_db_range(number) else None)
    return out


def in_order(keys: Sequence[K | None], found: Mapping[K, V], build: Callable[[V], N]) -> list[N | None]:
    """`resolve_nodes`' answer: one object or None per requested key, in the requested order."""
    return [build(found[key]) if key is not None and key in found else None for key in keys]


def text_keys(node_ids: Iterable[str], max_length: int | None = None) -> list[str | None]:
    """The keys of global ids whose key is text (a group id, a payment id, an org number); None for an empty or
    over-long key (it resolves to null)."""
    return [key if key and (max_length is None or len(key) <= max_length) else None for key in node_ids]


async def owner_keyed(
    info: Ctx,
    keys: Sequence[K | None],
    fetch: Callable[[UnitOfWork, int, list[K]], Awaitable[Mapping[K, V]]],
    build: Callable[[V], N],
) -> list[N | None]:
    """`resolve_nodes` of an owner's entity: `fetch(uow, owner_id, keys)` returns the caller's objects among
    `keys`; without a signed-in caller every id resolves to null (a bad token still fails the field)."""
    claims = await info.context.claims()
    wanted = [key for key in keys if key is not None]
    if claims is None or not wanted:
        return [None for _ in keys]
    found = await info.context.read(fetch, claims.owner_id, wanted)
    return in_order(keys, found, build)


async def anyone_keyed(
    info: Ctx,
    keys: Sequence[K | None],
    fetch: Callable[[UnitOfWork, list[K]], Awaitable[Mapping[K, V]]],
    build: Callable[[V], N],
) -> list[N | None]:
    """`resolve_nodes` of an entity anyone may read (a workshop, its services, a category)."""
    wanted = [key for key in keys if key is not None]
    found: Mapping[K, V] = await info.context.read(fetch, wanted) if wanted else {}
    return in_order(keys, found, build)


async def owned_nodes(
    info: Ctx,
    node_ids: Iterable[str],
    fetch: Callable[[UnitOfWork, int, list[int]], Awaitable[Mapping[int, V]]],
    build: Callable[[V], N],
) -> list[N | None]:
    """`owner_keyed` for an entity keyed by its number."""
    return await owner_keyed(info, database_ids(node_ids), fetch, build)


async def public_nodes(
    info: Ctx,
    node_ids: Iterable[str],
    fetch: Callable[[UnitOfWork, list[int]], Awaitable[Mapping[int, V]]],
    build: Callable[[V], N],
) -> list[N | None]:
    """`anyone_keyed` for an entity keyed by its number."""
    return await anyone_keyed(info, database_ids(node_ids), fetch, build)


MAX_IDS = 100


async def resolve_global_ids(info: Ctx, ids: Sequence[relay.GlobalID]) -> list[relay.Node | None]:
    """The objects behind `ids`, in order: one `resolve_nodes` call per type; an id of a type that is not an
    entity of this schema resolves to null, like an id that does not exist."""
    by_type: dict[type[relay.Node], list[int]] = {}
    for index, gid in enumerate(ids):
        try:
            node_type = gid.resolve_type(info)
        except GlobalIDValueError:
            continue
        by_type.setdefault(node_type, []).append(index)
    found: list[relay.Node | None] = [None] * len(ids)
    for node_type, indexes in by_type.items():
        resolved = node_type.resolve_nodes(info=info, node_ids=[ids[i].node_id for i in indexes], required=False)
        if inspect.isawaitable(resolved):
            resolved = await resolved
        for index, node in zip(indexes, resolved, strict=True):
            found[index] = node
    return found


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this global id, or null when it does not exist or is not the caller's."
    )
    async def node(
        self, info: Ctx, id: Annotated[relay.GlobalID, strawberry.argument(description="A global id (`Node.id`).")]
    ) -> relay.Node | None:
        return (await resolve_global_ids(info, [id]))[0]

    @strawberry.field(
        description="The objects with these global ids, in the same order; null for each that does not exist or "
        f"is not the caller's. At most {MAX_IDS} ids."
    )
    async def nodes(
        self,
        info: Ctx,
        ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global ids (`Node.id`).")],
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_IDS:
            raise ValidationFailed(f"ids: at most {MAX_IDS}.", fields={"ids": "too_many"})
        return await resolve_global_ids(info, ids)


def global_id(type_name: str, key: Any) -> strawberry.ID:
    """The global id of an object named outside its own type (e.g. a cursor's or an event's reference)."""
    return strawberry.ID(str(relay.GlobalID(type_name=type_name, node_id=str(key))))


def database_id_of(gid: relay.GlobalID, type_name: str, argument: str) -> int:
    """The number behind a global id argument that must name a `type_name` (a client mistake otherwise)."""
    if gid.type_name == type_name:
        (number,) = database_ids([gid.node_id])
        if number is not None:
            return number
    raise ValidationFailed(f"{argument} must be the id of a {type_name}.", fields={argument: "invalid_id"})
