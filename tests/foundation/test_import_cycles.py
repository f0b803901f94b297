"""No import cycle between the modules of `app`, `db`, `rest` and `graphql_api`.

The graph counts every import a module makes: at the top, inside functions and under `TYPE_CHECKING`.
An import moved into a function still ties the two modules together; it only hides the cycle until the
order of first imports changes.
"""

from __future__ import annotations

import grimp

PACKAGES = ("app", "db", "rest", "graphql_api")


def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each cycle once, as the modules along it: an import `a -> b` closes one when `b` reaches `a` back."""
    found: dict[frozenset[str], tuple[str, ...]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                found.setdefault(frozenset(back), (importer, *back))
    return list(found.values())


def test_the_finder_sees_imports_inside_functions_and_under_type_checking() -> None:
    made = grimp.ImportGraph()
    for module in "abcd":
        made.add_module(module)
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]:
        made.add_import(importer=importer, imported=imported)
    assert cycles(made) == [("a", "b", "c", "a")]
    # grimp reads the whole module: an import in a function body and one under TYPE_CHECKING both count
    real = import_graph()
    assert "app.settings" in real.find_modules_directly_imported_by("app.cli")  # a top-level import
    assert "uvicorn" not in real.modules  # external packages are left out ...
    assert "graphql_api.schema" in real.find_modules_directly_imported_by("app.cli")  # ... `_export_schema`'s is in
    assert "app.services" in real.find_modules_directly_imported_by("db.seed.run")  # under TYPE_CHECKING


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    shown = "\n".join(" -> ".join(cycle) for cycle in found[:10])
    assert not found, f"{len(found)} import cycles, the first {min(len(found), 10)}:\n{shown}"
