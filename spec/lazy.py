"""Package attributes imported on first use (PEP 562), for packages whose import must stay cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(namespace: dict[str, Any], where: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that imports each name of ``where`` from its module on first use.

    ``namespace`` is the package's ``globals()``: the value is stored there, so later
    reads are plain attribute reads.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    return __getattr__
