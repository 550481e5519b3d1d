"""The fargate.yaml contract: models, loading with source positions, errors.

Library use::

    from fgc import spec
    app = spec.load("fargate.yaml", env="prod")   # -> spec.Spec, or raises spec.SpecError

The errors are imported with the package; the models and the loader (and with them
pydantic) on first use, so that importing :mod:`spec.errors`, as every layer and the
CLI's start-up do, costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fgc.spec.errors import FgcError, Problem, SpecError, UsageError
from fgc.spec.lazy import lazy_exports

if TYPE_CHECKING:
    from fgc.spec.loader import environments, load, loads
    from fgc.spec.models import Spec

#: Public names that live in submodules, and where.
_LAZY = {
    "environments": "fgc.spec.loader",
    "load": "fgc.spec.loader",
    "loads": "fgc.spec.loader",
    "Spec": "fgc.spec.models",
}

__all__ = ["FgcError", "Problem", "Spec", "SpecError", "UsageError", "environments", "load", "loads"]

__getattr__ = lazy_exports(globals(), _LAZY)
