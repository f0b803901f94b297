"""The GraphQL schema's design rules, checked on the schema as built: closed sets are enums, times are DateTime,
no `JSON` outside the raw registry document, every entity a `Node`, one connection shape, payload unions that
name only their own errors, nullable single-object lookups, and descriptions almost everywhere."""

from __future__ import annotations

import re

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_list_type,
    is_non_null_type,
)

from app.settings import Settings
from graphql_api.schema import build_schema

SCHEMA: GraphQLSchema = build_schema(Settings(jwt_secret="x" * 40))._schema

ENTITIES = (
    "Booking",
    "BookingGroup",
    "ChangeRequest",
    "Rating",
    "Workshop",
    "Service",
    "WorkshopCategory",
    "ServiceCategory",
    "CarBrand",
    "Owner",
    "Vehicle",
    "Message",
    "Thread",
    "Notification",
    "PaymentIntent",
)
# entities whose REST identity is not a number: a booking group is known by its group id, a payment by its
# `pay_...` id (both shown as fields of their own)
WITHOUT_DATABASE_ID = {"BookingGroup", "PaymentIntent"}
# the only JSON: the registry's own document, passed on untouched
JSON_ALLOWED = {("Vehicle", "registryData")}
USER_ERRORS = {
    "ValidationError",
    "AuthenticationError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "UnavailableError",
}
# names of fields whose values are a closed set wherever they appear
CLOSED_SET_NAMES = re.compile(r"^(status|type|senderType|requestType|provider|source|event|action|role|code|day)$")
# plain codes that are open sets on purpose: a user error's `code` (new codes can appear without a schema change)
OPEN_CODES = {"UserError", *USER_ERRORS, "FieldError"}
TIME_NAMES = re.compile(r"(At|Time|Date|^since|^dateFrom|^dateTo|^date)$")


def _named_types() -> list[GraphQLNamedType]:
    return [t for name, t in SCHEMA.type_map.items() if not name.startswith("__")]


def _object_fields() -> list[tuple[str, str, GraphQLField]]:
    out = []
    for t in _named_types():
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            out += [(t.name, name, field) for name, field in t.fields.items()]
    return out


def _input_fields() -> list[tuple[str, str, GraphQLInputType]]:
    out: list[tuple[str, str, GraphQLInputType]] = []
    for t in _named_types():
        if isinstance(t, GraphQLInputObjectType):
            out += [(t.name, name, field.type) for name, field in t.fields.items()]
    for type_name, name, field in _object_fields():
        out += [(f"{type_name}.{name}", arg_name, arg.type) for arg_name, arg in field.args.items()]
    return out


def test_json_only_for_the_raw_registry_document() -> None:
    uses = {
        (type_name, name) for type_name, name, field in _object_fields() if get_named_type(field.type).name == "JSON"
    }
    uses |= {(t, n) for t, n, typ in _input_fields() if get_named_type(typ).name == "JSON"}
    assert uses <= JSON_ALLOWED, sorted(uses - JSON_ALLOWED)


def test_closed_sets_are_enums() -> None:
    strings = [
        f"{type_name}.{name}"
        for type_name, name, field in _object_fields()
        if CLOSED_SET_NAMES.match(name)
        and type_name not in OPEN_CODES
        and isinstance(get_named_type(field.type), GraphQLScalarType)
    ]
    strings += [
        f"{owner}.{name}"
        for owner, name, typ in _input_fields()
        if CLOSED_SET_NAMES.match(name) and isinstance(get_named_type(typ), GraphQLScalarType)
    ]
    assert not strings, strings


def test_times_are_datetime_or_date_in_and_out() -> None:
    as_text = [
        f"{type_name}.{name}"
        for type_name, name, field in _object_fields()
        if TIME_NAMES.search(name) and get_named_type(field.type).name == "String"
    ]
    as_text += [
        f"{owner}.{name}"
        for owner, name, typ in _input_fields()
        if TIME_NAMES.search(name) and get_named_type(typ).name == "String"
    ]
    assert not as_text, as_text


@pytest.mark.parametrize("name", ENTITIES)
def test_every_entity_is_a_node_with_its_database_id(name: str) -> None:
    entity = SCHEMA.type_map[name]
    assert isinstance(entity, GraphQLObjectType)
    assert "Node" in {i.name for i in entity.interfaces}
    assert str(entity.fields["id"].type) == "ID!"
    if name not in WITHOUT_DATABASE_ID:
        assert str(entity.fields["databaseId"].type) == "Int!"


def test_node_lookups_are_nullable() -> None:
    query = SCHEMA.query_type
    assert query is not None
    assert str(query.fields["node"].type) == "Node"
    assert str(query.fields["nodes"].type) == "[Node]!"


def test_lookups_of_one_object_are_nullable() -> None:
    """A missing object (or another owner's) is null, so one failing lookup does not null the whole `data`."""
    query = SCHEMA.query_type
    assert query is not None
    required = [
        name
        for name, field in query.fields.items()
        if any(arg == "id" or arg.endswith("Id") or arg == "orgNr" for arg in field.args)
        and is_non_null_type(field.type)
        and not is_list_type(field.type.of_type)
        and not str(field.type).endswith("Connection!")
    ]
    assert not required, required


def _connections() -> list[GraphQLObjectType]:
    return [t for t in _named_types() if isinstance(t, GraphQLObjectType) and t.name.endswith("Connection")]


def test_one_connection_shape() -> None:
    page_info = SCHEMA.type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert {n: str(f.type) for n, f in page_info.fields.items()} == {
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
        "startCursor": "String",
        "endCursor": "String",
    }
    assert [t.name for t in _named_types() if t.name.endswith("PageInfo")] == ["PageInfo"]
    connections = _connections()
    assert len(connections) >= 8, [c.name for c in connections]
    for connection in connections:
        node = connection.name.removesuffix("Connection")
        fields = {n: str(f.type) for n, f in connection.fields.items()}
        edge = get_named_type(connection.fields["edges"].type)
        assert fields["pageInfo"] == "PageInfo!", connection.name
        assert fields["totalCount"] == "Int!", connection.name
        assert fields["edges"] == f"[{edge.name}!]!", connection.name
        assert isinstance(edge, GraphQLObjectType) and set(edge.fields) == {"cursor", "node"}, connection.name
        assert str(edge.fields["cursor"].type) == "String!"
        item = get_named_type(edge.fields["node"].type)
        assert fields["nodes"] == f"[{item.name}!]!", connection.name
        assert node.endswith(item.name) or item.name.endswith(node) or node, connection.name


def test_every_connection_field_pages_forward_and_most_backward() -> None:
    fields = [
        (f"{type_name}.{name}", field)
        for type_name, name, field in _object_fields()
        if get_named_type(field.type).name.endswith("Connection")
    ]
    assert fields
    backward = []
    for name, field in fields:
        assert {"first", "after"} <= set(field.args), name
        assert str(field.args["first"].type) == "Int", name  # one default, one rule: see graphql_api.connections
        if {"last", "before"} <= set(field.args):
            backward.append(name)
    assert len(backward) >= len(fields) - 1, sorted({n for n, _ in fields} - set(backward))


def _payload_unions() -> dict[str, set[str]]:
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    out = {}
    for name, field in mutation.fields.items():
        union = get_named_type(field.type)
        assert isinstance(union, GraphQLUnionType), name
        out[name] = {t.name for t in union.types}
    return out


def test_payload_unions_name_their_own_errors_only() -> None:
    unions = _payload_unions()
    for name, members in unions.items():
        errors = members & USER_ERRORS
        successes = members - USER_ERRORS
        assert len(successes) == 1, (name, members)
        assert errors, name
        assert errors != USER_ERRORS, f"{name} lists every error type"
    # nothing a newcomer can do depends on an existing object or a signed-in caller
    assert not unions["signUp"] & {"NotFoundError", "AuthenticationError", "ForbiddenError"}
    assert not unions["signIn"] & {"NotFoundError", "ForbiddenError"}


def test_mutations_take_one_input_object() -> None:
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    loose = [
        name
        for name, field in mutation.fields.items()
        if field.args
        and (
            list(field.args) != ["input"]
            or not isinstance(get_named_type(field.args["input"].type), GraphQLInputObjectType)
            or not isinstance(field.args["input"].type, GraphQLNonNull)
        )
    ]
    assert not loose, loose


def test_subscription_events_carry_the_query_types() -> None:
    subscription = SCHEMA.subscription_type
    assert subscription is not None

    def event_field(root: str, field: str) -> str:
        event = get_named_type(subscription.fields[root].type)
        assert isinstance(event, GraphQLObjectType)
        assert str(event.fields["cursor"].type) == "String!"
        return str(event.fields[field].type)

    assert event_field("messageReceived", "message") == "Message!"
    assert event_field("notificationReceived", "notification") == "Notification!"
    assert event_field("bookingUpdated", "booking") == "Booking!"


def _coverage() -> dict[str, tuple[int, int]]:
    types = [t for t in _named_types() if not (isinstance(t, GraphQLScalarType) and t.name in BUILTIN_SCALARS)]
    fields: list[object] = []
    arguments: list[object] = []
    for t in types:
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            fields += t.fields.values()
            for f in t.fields.values():
                arguments += f.args.values()
        elif isinstance(t, GraphQLInputObjectType):
            fields += t.fields.values()
        elif isinstance(t, GraphQLEnumType):
            fields += t.values.values()

    def count(items: list[object]) -> tuple[int, int]:
        return sum(1 for i in items if (getattr(i, "description", None) or "").strip()), len(items)

    return {"types": count(list(types)), "fields": count(fields), "arguments": count(arguments)}


BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_descriptions_cover_at_least_90_percent() -> None:
    coverage = _coverage()
    short = {kind: f"{done}/{total}" for kind, (done, total) in coverage.items() if done < 0.9 * total}
    assert not short, short


def test_root_fields_all_have_descriptions() -> None:
    missing = [
        f"{root.name}.{name}"
        for root in (SCHEMA.query_type, SCHEMA.mutation_type, SCHEMA.subscription_type)
        if root is not None
        for name, field in root.fields.items()
        if not (field.description or "").strip()
    ]
    assert not missing, missing


def test_no_list_of_entities_outside_connections_at_the_root() -> None:
    """Lists that can grow are connections; the root's plain lists are small reference tables (categories, car
    brands)."""
    query = SCHEMA.query_type
    assert query is not None
    plain = [
        name
        for name, field in query.fields.items()
        if isinstance(getattr(field.type, "of_type", field.type), GraphQLList)
        and get_named_type(field.type).name in ENTITIES
        and name != "nodes"
    ]
    assert set(plain) <= {"workshopCategories", "serviceCategories", "carBrands"}, plain


# The errors each mutation can return, read from its use case (what it raises, and whether it needs a caller,
# a rate limit, or a service that can be down); the union is its declaration, this table its review.
ERRORS_OF: dict[str, set[str]] = {
    "addFavourite": {"Authentication", "NotFound", "Validation"},
    "addVehicle": {"Authentication", "NotFound", "RateLimited", "Unavailable", "Validation"},
    "cancelBooking": {"Authentication", "Conflict", "NotFound", "Validation"},
    "confirmPaymentIntent": {"Authentication", "Conflict", "NotFound", "Unavailable", "Validation"},
    "createBooking": {"Authentication", "Conflict", "Forbidden", "NotFound", "Validation"},
    "createPaymentIntent": {"Authentication", "Conflict", "NotFound", "Unavailable", "Validation"},
    "createServiceLogExportToken": {"Authentication", "Forbidden", "Validation"},
    "markAllNotificationsRead": {"Authentication"},
    "markNotificationsRead": {"Authentication", "Validation"},
    "markThreadRead": {"Authentication", "NotFound", "Validation"},
    "rateBooking": {"Authentication", "Conflict", "NotFound", "Validation"},
    "refreshToken": {"Authentication", "RateLimited", "Unavailable"},
    "refreshVehicle": {"Authentication", "NotFound", "RateLimited", "Unavailable", "Validation"},
    "removeFavourite": {"Authentication", "Validation"},
    "removeProfileImage": {"Authentication", "NotFound"},
    "removeVehicle": {"Authentication", "NotFound", "Validation"},
    "requestBookingChange": {"Authentication", "Conflict", "NotFound", "Validation"},
    "requestPasswordReset": {"RateLimited", "Unavailable", "Validation"},
    "rescheduleBooking": {"Authentication", "Conflict", "NotFound", "Validation"},
    "resetPassword": {"Validation"},
    "sendMessage": {"Authentication", "NotFound", "Unavailable", "Validation"},
    "setPresence": {"Authentication"},
    "setPrimaryVehicle": {"Authentication", "NotFound", "Validation"},
    "signIn": {"Authentication", "RateLimited", "Unavailable", "Validation"},
    "signOut": {"Authentication"},
    "signUp": {"Conflict", "RateLimited", "Unavailable", "Validation"},
    "updateNotificationSettings": {"Authentication", "NotFound", "Validation"},
    "updateProfile": {"Authentication", "Conflict", "NotFound", "Validation"},
    "updateVehicle": {"Authentication", "NotFound", "Validation"},
    "uploadProfileImage": {"Authentication", "NotFound", "Validation"},
}


def test_each_mutation_declares_exactly_its_errors() -> None:
    declared = {
        name: {member.removesuffix("Error") for member in members & USER_ERRORS}
        for name, members in _payload_unions().items()
    }
    assert declared == ERRORS_OF
