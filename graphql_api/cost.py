"""What an operation costs, computed from its document and variables before anything executes.

The one home of the cost rules:

- an object costs OBJECT_COST for every object a field produces; a leaf (scalar, enum) costs nothing;
- a list produces `size` items per parent object, and everything selected under it counts once per item, so
  costs multiply down the tree and add up across siblings:
  - `nodes(ids:)` is sized by the number of ids (the most it answers when that is not known);
  - a field with a page argument (`first`/`last`) is sized by its value: the literal,
    else the request's variable (an int), else the variable's declared default, else the argument's default;
    capped at the largest page the server serves (a larger page is refused: graphql_api.connections.page_args);
  - the lists directly under a paged object (a connection's `edges`/`nodes`) take its size;
  - any other list takes its declared size in FIELDS, else DEFAULT_LIST_SIZE;
- a field that does its own work for each parent (a root field's statements, a DataLoader's share of a batch)
  adds its `weight` per parent: ROOT_WEIGHT for root fields, FIELDS for the rest;
- fields are collected the way graphql executes them: named and inline fragments in place, one response key
  counted once (the same field selected twice runs once), @skip/@include honoured; an abstract type (a payload
  union, an interface) counts as its costliest member;
- introspection (`__schema`, `__type`) costs INTROSPECTION_COST in all; `__typename` nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast

from graphql_api.selection import collect_fields, fragments_of

OBJECT_COST = 1
ROOT_WEIGHT = 1
DEFAULT_LIST_SIZE = 10
DEFAULT_PAGE = 20  # a page argument without a usable value or default
MAX_PAGE = 100  # the largest page every paged field of the schema serves
PAGE_ARGUMENTS = ("first", "last")
INTROSPECTION_COST = 10
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Rule:
    weight: int = 0  # work per parent object, on top of the objects produced
    size: int | None = None  # the assumed length of a list without a page argument
    list_argument: str | None = None  # a list argument whose length is the page size (`nodes(ids:)`)


# Per-field rules ("Type.field"); a field not listed follows the defaults above.
FIELDS: dict[str, Rule] = {
    # the search: the page, the total and (when asked) the facet aggregations
    "Query.node": Rule(weight=2),
    "Query.nodes": Rule(weight=2, list_argument="ids"),
    "Query.workshops": Rule(weight=5),
    "Query.nearbyWorkshops": Rule(weight=5),
    "WorkshopConnection.facets": Rule(weight=10),
    "Query.serviceLog": Rule(weight=2),
    "Query.vehicleHistory": Rule(weight=3),
    "Query.carBrands": Rule(size=100),
    "Query.serviceCategories": Rule(size=30),
    # DataLoader-backed fields of a workshop: one batched statement, but rows to build for every workshop
    "Workshop.services": Rule(weight=1, size=10),
    "Workshop.categories": Rule(weight=1, size=5),
    "Workshop.openingHours": Rule(weight=1, size=7),
    "Workshop.isOpenNow": Rule(weight=1),
    "Workshop.isFavourite": Rule(weight=1),
    "Workshop.addresses": Rule(weight=1, size=3),
    "Workshop.contacts": Rule(weight=1, size=3),
    "WorkshopRating.reviews": Rule(weight=1, size=10),
    "Service.categories": Rule(weight=1, size=3),
    "Service.workshop": Rule(weight=1),
    "ServiceCategory.parent": Rule(weight=1),
    "ServiceCategory.workshopCategory": Rule(weight=1),
    "FavouriteResult.workshop": Rule(weight=1),
    "Query.favourites": Rule(weight=2),
    # bookings: the group's lines on one page, loader-backed change requests
    "BookingGroup.items": Rule(size=5),
    "BookingGroup.warnings": Rule(size=3),
    "Booking.changeRequests": Rule(weight=1, size=3),
    "Booking.attachments": Rule(size=3),
    "BookingGroupSummary.statuses": Rule(size=3),
    "ChangeRequest.booking": Rule(weight=1),
    "Rating.booking": Rule(weight=1),
    "Owner.vehicles": Rule(weight=1),
    "Owner.notificationSettings": Rule(weight=1, size=10),
    "Message.attachments": Rule(size=3),
}
_DEFAULT_RULE = Rule()


def operation_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    """The cost of the operation the request executes (0 when the document names none: it fails anyway)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    return _Walk(schema, fragments_of(document), operation, variables or {}).per_object(
        root, (operation.selection_set,), None
    )


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or ()}
        self.roots = {t.name for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t}
        # A cost is linear in the number of parent objects, so the cost of one object is computed once per
        # (type, selections, page): a fragment spread in many places is walked once, not once per path
        # (nested spreads would otherwise make the walk itself exponential in the document's size).
        self.known: dict[tuple[str, tuple[int, ...], int | None], int] = {}

    def per_object(
        self, parent: GraphQLObjectType, selection_sets: tuple[SelectionSetNode, ...], page: int | None
    ) -> int:
        """The cost of `selection_sets` on one object of type `parent`; `page` sizes its lists."""
        key = (parent.name, tuple(id(s) for s in selection_sets), page)
        known = self.known.get(key)
        if known is not None:
            return known
        total = 0
        for nodes in self._collect(parent, selection_sets).values():
            name = nodes[0].name.value
            if name in INTROSPECTION_FIELDS:
                total += INTROSPECTION_COST
                continue
            field = parent.fields.get(name)
            if field is None:  # __typename (or a field validation let through: it fails anyway)
                continue
            total += self._field(parent, name, field, nodes, page)
        self.known[key] = total
        return total

    def _field(
        self, parent: GraphQLObjectType, name: str, field: GraphQLField, nodes: list[FieldNode], page: int | None
    ) -> int:
        rule = FIELDS.get(f"{parent.name}.{name}", _DEFAULT_RULE)
        weight = rule.weight or (ROOT_WEIGHT if parent.name in self.roots else 0)
        target = get_named_type(field.type)
        if not is_composite_type(target):
            return weight
        own_page = self._page(rule, field, nodes[0])
        is_list = is_list_type(get_nullable_type(field.type))
        size = (
            (own_page if own_page is not None else page if page is not None else rule.size or DEFAULT_LIST_SIZE)
            if is_list
            else 1
        )
        if size == 0:
            return weight
        children = tuple(node.selection_set for node in nodes if node.selection_set is not None)
        child_page = own_page if not is_list else None  # a connection's page sizes its own lists only
        members = [target] if isinstance(target, GraphQLObjectType) else self.schema.get_possible_types(target)
        each = max((self.per_object(member, children, child_page) for member in members), default=0)
        return weight + size * (OBJECT_COST + each)

    def _page(self, rule: Rule, field: GraphQLField, node: FieldNode) -> int | None:
        """The page size a field asks for, or None when it has no page argument."""
        if rule.list_argument is not None:
            given = next((a.value for a in node.arguments or () if a.name.value == rule.list_argument), None)
            length = self._length(given)
            return min(length, MAX_PAGE) if length is not None else MAX_PAGE
        argument_name = next((n for n in PAGE_ARGUMENTS if n in field.args), None)
        if argument_name is None:
            return None
        given = next((a.value for a in node.arguments or () if a.name.value == argument_name), None)
        value = self._int(given) if given is not None else None
        if value is None:
            default = field.args[argument_name].default_value
            value = default if isinstance(default, int) and not isinstance(default, bool) else DEFAULT_PAGE
        return max(0, min(value, MAX_PAGE))

    def _int(self, node: ValueNode | None) -> int | None:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            name = node.name.value
            value = self.variables.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            default = self.defaults.get(name)
            return int(default.value) if isinstance(default, IntValueNode) else None
        return None

    def _length(self, node: ValueNode | None) -> int | None:
        if isinstance(node, ListValueNode):
            return len(node.values)
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            return len(value) if isinstance(value, list) else None
        return None

    def _bool(self, node: ValueNode | None) -> bool | None:
        if isinstance(node, BooleanValueNode):
            return node.value
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            if isinstance(value, bool):
                return value
            default = self.defaults.get(node.name.value)
            return default.value if isinstance(default, BooleanValueNode) else None
        return None

    def _included(self, selection: SelectionNode) -> bool:
        """False only when @skip/@include certainly leave the selection out (unknown values count it in)."""
        for directive in selection.directives or ():
            condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            value = self._bool(condition)
            if value is None:
                continue
            if (directive.name.value == "skip" and value) or (directive.name.value == "include" and not value):
                return False
        return True

    def _applies(self, type_name: str | None, object_type: GraphQLObjectType) -> bool:
        if type_name is None or type_name == object_type.name:
            return True
        condition = self.schema.get_type(type_name)
        return condition is not None and is_abstract_type(condition) and self.schema.is_sub_type(condition, object_type)

    def _collect(
        self, object_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """The fields selected on one object type, as graphql's CollectFields finds them for these variables."""
        return collect_fields(
            selection_sets,
            self.fragments,
            included=self._included,
            applies=lambda condition: self._applies(condition, object_type),
        )
