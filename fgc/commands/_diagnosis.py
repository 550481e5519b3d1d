"""Printing a :class:`fgc.deployer.diagnose.Diagnosis`: what happened, the cause, the fix."""

from __future__ import annotations

import sys
from typing import Any


def diagnose_failure(aws: Any, failure: Any) -> Any:
    """The diagnosis of a deploy that failed on an ECS service, or None for any other failure."""
    from fgc.deployer.diagnose import diagnose

    if failure is None or failure.resource_type != "AWS::ECS::Service" or not failure.physical_id:
        return None
    return diagnose(aws, failure.physical_id, failure.stack)


def for_stack(aws: Any, stack_name: str, labels: dict[str, str]) -> list[Any]:
    """Diagnoses of a deployed stack set: every service that is not stable, or, for a stack whose
    last operation failed on an ECS service (rolled back), that service."""
    from fgc.deployer.diagnose import diagnose
    from fgc.deployer.events import latest_failure
    from fgc.deployer.services import stack_services
    from fgc.deployer.stacks import describe

    state = describe(aws, stack_name)
    if state is None:
        return []
    if "ROLLBACK" in state.status or state.status.endswith("_FAILED"):
        found = diagnose_failure(aws, latest_failure(aws, state.stack_id, labels))
        return [found] if found is not None else []
    unstable = [s for s in stack_services(aws, stack_name, labels) if not s.stable]
    return [d for d in (diagnose(aws, s.name, s.stack, s.cluster) for s in unstable) if d is not None]


def show(diagnoses: list[Any]) -> None:
    """Each diagnosis as text on stderr, next to the error (``--output json`` and ``markdown`` put
    them in their document instead)."""
    for d in diagnoses:
        lines = [f"diagnosis of service {d.service} (ECS service {d.ecs_service}, {d.status}): {d.what}"]
        shown: dict[tuple[str | None, str | None], int] = {}
        for task in d.stopped:
            key = (task.stop_code, task.reason)
            if key in shown:  # tasks stopped the same way are counted, not repeated
                shown[key] += 1
                continue
            shown[key] = 1
            lines.append(f"  stopped task {task.task_id}: {task.stop_code}: {task.reason}")
            lines += [
                f"    container {c.name}: "
                + ", ".join(
                    ([f"exit code {c.exit_code}"] if c.exit_code is not None else [])
                    + ([c.reason] if c.reason and c.reason != task.reason else [])
                )
                for c in task.containers
                if c.exit_code not in (None, 0) or (c.reason and c.reason != task.reason)
            ]
        lines += [f"  ({n - 1} more stopped the same way)" for n in shown.values() if n > 1]
        lines += [f"  target {t}" for t in d.targets]
        lines += [f"  event: {e}" for e in d.events[:3]]
        if d.cause is not None:
            lines.append(f"  likely cause: {d.cause.summary}")
            lines.append(f"  fix: {'; '.join(d.cause.fix)}")
        if d.log_lines:
            lines.append("  last log lines:")
            lines += [f"    {line}" for line in d.log_lines]
        print("\n".join(lines), file=sys.stderr, flush=True)
