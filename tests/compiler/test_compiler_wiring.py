"""Root <-> child wiring holds for every golden stack set (see wiring.py for what is checked)."""

from __future__ import annotations

from wiring import check_wiring


def test_every_golden_stack_set_is_wired(golden_outputs) -> None:
    problems = [
        f"{case}/{templates.stack_name}: {p}"
        for case, sets in golden_outputs.items()
        for templates in sets
        for p in check_wiring(templates)
    ]
    assert not problems, "\n".join(problems)
