"""What a query selects under the current field, through named and inline fragments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import (
    FragmentSpread,
    InlineFragment,
    SelectedField,
    Selection,
)


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
