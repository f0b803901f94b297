"""What a query selects, through named and inline fragments: the fields of a selection in the document
(for the cost and the caching rules, before anything executes), and, in a resolver, whether the current
field's selection asks for a sub-field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
)
from strawberry.types import Info
from strawberry.types.nodes import (
    FragmentSpread,
    InlineFragment,
    SelectedField,
    Selection,
)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _everything(_: object) -> bool:
    return True


def collect_fields(
    selection_sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    *,
    included: Callable[[SelectionNode], bool] = _everything,
    applies: Callable[[str | None], bool] = _everything,
) -> dict[str, list[FieldNode]]:
    """The fields selected by response key, through fragments (graphql's CollectFields).

    `included` decides on @skip/@include and `applies` on a fragment's type condition (None: no condition);
    by default every selection counts. A named fragment is followed once, however often it is spread.
    """
    fields: dict[str, list[FieldNode]] = {}
    spread: set[str] = set()
    stack = [selection for selection_set in selection_sets for selection in selection_set.selections]
    while stack:  # a stack, not recursion: nesting depth in the document costs no Python frames
        selection = stack.pop()
        if not included(selection):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            fields.setdefault(key, []).append(selection)
            continue
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            inner = selection.selection_set
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if name in spread or fragment is None:
                continue
            spread.add(name)
            condition, inner = fragment.type_condition.name.value, fragment.selection_set
        else:
            continue
        if applies(condition):
            stack.extend(inner.selections)
    return fields


def _included(selection: Selection) -> bool:
    directives = selection.directives
    return not directives.get("skip", {}).get("if", False) and directives.get("include", {}).get("if", True)


def _selects(selections: Iterable[Selection], name: str) -> bool:
    for selection in selections:
        if not _included(selection):
            continue
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif isinstance(selection, FragmentSpread | InlineFragment) and _selects(selection.selections, name):
            return True
    return False


def selects(info: Info[Any, Any], name: str) -> bool:
    """True when the current field's selection asks for the sub-field `name` (skipped ones excluded)."""
    return any(_selects(field.selections, name) for field in info.selected_fields)
