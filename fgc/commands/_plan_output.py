"""The ``--output`` option of ``fgc diff`` and ``fgc deploy``, and the document it prints.

``text`` is the plan as people read it on a terminal; ``json`` (docs/plan-json.md) and
``markdown`` (a pull-request comment) are one document each on standard output, with
everything else (progress, questions, the text plan a person confirms) on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.deployer.api import DeployResult
    from fgc.deployer.plan import Plan
    from fgc.deployer.review import Review

#: The formats of ``--output``.
FORMATS = ("text", "json", "markdown")


def add_output(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--output",
        choices=FORMATS,
        default="text",
        help=f"{what} format: text, json (docs/plan-json.md) or markdown (a pull-request comment); "
        "json and markdown print one document on stdout, anything else goes to stderr (default: text)",
    )


def print_document(
    output: str,
    reviewed: Sequence[tuple[Plan, Review | None, DeployResult | None]],
    diagnosis: Sequence[Any] = (),
) -> None:
    """Print the ``json`` or ``markdown`` document of ``reviewed`` (registries first) on stdout;
    ``diagnosis``: a failed deploy's :class:`fgc.deployer.diagnose.Diagnosis` values."""
    found = [d.to_dict() for d in diagnosis]
    if output == "json":
        from fgc.commands._plan_json import document

        print(json.dumps(document(reviewed, found), indent=2, default=str), flush=True)
    else:
        from fgc.commands._plan_markdown import markdown

        sys.stdout.write(markdown(reviewed, found))
        sys.stdout.flush()
