"""No import cycle between the modules of `app`, `db`, `rest` and `graphql_api`.

The graph counts every import a module makes: at the top, inside functions and under `TYPE_CHECKING`.
An import moved into a function still ties the two modules together; it only hides the cycle until the
order of first imports changes.
"""

from __future__ import annotations

from collections import deque

import grimp

PACKAGES = ("app", "db", "rest", "graphql_api")


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that reach each other (Tarjan), each of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    for root in sorted(graph):
        if root in index:
            continue
        # iterative depth-first search: (module, the modules it imports still to visit)
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            step = next(pending, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = counter
                    counter += 1
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[module] = min(low[module], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def chain(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One shortest cycle through the group's first module, as the modules along it."""
    start = min(group)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for imported in sorted(graph[module] & group):
            if imported == start:
                path = [module]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if imported not in previous:
                previous[imported] = module
                queue.append(imported)
    raise AssertionError(f"no cycle through {start}")


def test_the_finder_sees_imports_inside_functions_and_under_type_checking() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [{"a", "b", "c"}]
    assert chain(graph, {"a", "b", "c"}) == ["a", "b", "c", "a"]
    # grimp reads the whole module: an import in a function body and one under TYPE_CHECKING both count
    real = import_graph()
    assert "app.settings" in real["app.cli"]  # a top-level import, as a sanity check of the graph
    lazily = {m for m, imported in real.items() if "app.logging_setup" in imported}
    assert "app.cli" in lazily  # `_serve` imports it inside the function


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = [
        f"{' -> '.join(chain(graph, group))} ({len(group)} modules reach each other: {', '.join(sorted(group))})"
        for group in strongly_connected(graph)
    ]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
