"""fargate.yaml -> nested CloudFormation templates (pure: no AWS, no network, no clock).

``compile(spec, ctx) -> Templates`` and ``lint(templates) -> findings``. Importing
``lint`` is cheap: compiler/lint.py loads cfn-lint only when it has to lint. (It is
imported here eagerly on purpose: a lazy wrapper named ``lint`` would be replaced by
the ``compiler.lint`` submodule as soon as anything imported that module.)
"""

from __future__ import annotations

from compiler.build import compile
from compiler.context import CompileContext
from compiler.lint import lint
from compiler.templates import Templates

__all__ = ["CompileContext", "Templates", "compile", "lint"]
