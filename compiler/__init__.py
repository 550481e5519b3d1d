"""fargate.yaml -> nested CloudFormation templates (pure: no AWS, no network, no clock).

``compile(spec, ctx) -> StackSet`` and ``lint(stack_set) -> findings``. A
:class:`StackSet` holds every part (root and nested stacks) with its template, content
key and the source of each parameter (:class:`SpecValue`, :class:`RootParameter`,
:class:`PartOutput`, :class:`StackOutput`). ``compile_registries(spec)`` is the application's
``<app>-registries`` stack set; ``image_tags(spec)`` the tags of the images built from source
(it reads their build contexts; pass them in ``CompileContext(image_tags=...)``).

``compile``, ``CompileContext`` and the stack set's types are imported on first use, so that
``fgc render`` can start cfn-lint loading (:meth:`compiler.lint.Linter.warm_up`) before it
pays for troposphere and pydantic. ``lint`` is imported eagerly, and must be: a lazy
``lint`` would be shadowed by the ``compiler.lint`` submodule as soon as anything
imported that module. compiler/lint.py is cheap to import; it loads cfn-lint only
when it has to lint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fgc.compiler.lint import lint
from fgc.spec.lazy import lazy_exports

if TYPE_CHECKING:
    from fgc.compiler.build import compile, compile_registries
    from fgc.compiler.builds import image_tags
    from fgc.compiler.context import CompileContext
    from fgc.compiler.stackset import Part, PartOutput, RootParameter, SpecValue, StackOutput, StackSet

#: Public names that live in submodules, and where.
_LAZY = {
    "compile": "fgc.compiler.build",
    "compile_registries": "fgc.compiler.build",
    "image_tags": "fgc.compiler.builds",
    "CompileContext": "fgc.compiler.context",
    "Part": "fgc.compiler.stackset",
    "PartOutput": "fgc.compiler.stackset",
    "RootParameter": "fgc.compiler.stackset",
    "SpecValue": "fgc.compiler.stackset",
    "StackOutput": "fgc.compiler.stackset",
    "StackSet": "fgc.compiler.stackset",
}

__all__ = [
    "CompileContext",
    "Part",
    "PartOutput",
    "RootParameter",
    "SpecValue",
    "StackOutput",
    "StackSet",
    "compile",
    "compile_registries",
    "image_tags",
    "lint",
]

__getattr__ = lazy_exports(globals(), _LAZY)
