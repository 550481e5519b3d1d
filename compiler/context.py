"""What the compiler takes besides the spec.

Deliberately small: templates never depend on the account or the region (they use
``${AWS::AccountId}``, ``${AWS::Region}`` and ``${AWS::Partition}``) nor on where the
artifacts bucket is (``ArtifactsUrl`` is a root parameter), so the same spec renders
the same bytes everywhere and ``fgc render`` shows exactly what ``fgc deploy`` sends.
The stack name and environment come with the spec (``spec.stack_name``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompileContext:
    """Inputs from outside fargate.yaml.

    ``image_tags``: service name -> main image tag (or ``sha256:`` digest) to deploy instead
    of the spec's, e.g. from CI. Only the root parameter values change, never a template.
    """

    image_tags: Mapping[str, str] = field(default_factory=dict)
