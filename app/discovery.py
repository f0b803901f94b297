"""Find the modules of a package in a stable order, so each area plugs itself in from its own file."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules_of(package_name: str) -> list[ModuleType]:
    package = importlib.import_module(package_name)
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_"))
    return [importlib.import_module(f"{package_name}.{name}") for name in names]
