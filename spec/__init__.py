"""The fargate.yaml contract: models, loading with source positions, errors.

Library use::

    import spec
    app = spec.load("fargate.yaml", env="prod")   # -> spec.Spec, or raises spec.SpecError
"""

from spec.errors import FgcError, Problem, SpecError, UsageError
from spec.loader import environments, load, loads
from spec.models import Spec

__all__ = ["FgcError", "Problem", "Spec", "SpecError", "UsageError", "environments", "load", "loads"]
