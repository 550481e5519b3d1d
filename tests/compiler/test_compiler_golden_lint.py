"""Every golden output passes cfn-lint: no error, no warning, no I3011/I3042 (compiler.lint)."""

from __future__ import annotations

from fgc import compiler


def test_golden_outputs_lint_clean(golden_outputs) -> None:
    problems = []
    for case, sets in golden_outputs.items():
        for templates in sets:
            problems += [f"{case}/{templates.stack_name}/{f}" for f in compiler.lint(templates)]
    assert not problems, "\n".join(problems)
