"""Generated fargate.yaml files of any size, shared by the render and lint benches.

Shaped like a real application so the templates are representative: every service
has secrets, an environment, a health check and autoscaling; the first 90 sit
behind the shared load balancer (an ALB listener allows 100 rules), the rest are
backend services reached through service discovery, and every third one runs on
Fargate Spot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: Services routed from the load balancer; the rest are discovery-only backends.
MAX_HTTP_SERVICES = 90
#: The repository's own spec, the first case of every bench.
REPO_SPEC = Path(__file__).resolve().parent.parent / "fargate.yaml"


def spec_text(services: int, app: str = "bench") -> str:
    """A valid fargate.yaml with `services` services."""
    lines = [
        f"app: {app}",
        "region: us-east-1",
        "tags: {team: platform, cost-center: bench}",
        "network: {vpc: {cidr: 10.0.0.0/16, azs: 2, nat: single, endpoints: true}}",
        "registries:",
        f"  {app}: {{scan_on_push: true, immutable_tags: true, keep: 10}}",
        "services:",
    ]
    for i in range(services):
        name = f"svc{i:03d}"
        lines += [
            f"  {name}:",
            f"    image: {{registry: {app}, tag: v1.{i}.0}}",
            "    cpu: 512",
            "    memory: 1024",
            "    port: 8080",
            f"    environment: {{SERVICE: {name}, LOG_LEVEL: info}}",
            "    secrets:",
            f"      DB_PASSWORD: {{secretsmanager: {app}/{name}/db, key: password}}",
            f"      API_KEY: {{ssm: /{app}/{name}/api-key}}",
            "    health_check: {command: curl -f http://localhost:8080/health || exit 1, start_period: 30s}",
            "    scaling: {min: 1, max: 4, cpu: 70, memory: 80}",
            f"    discovery: {name}",
        ]
        if i < MAX_HTTP_SERVICES:
            lines.append(f"    http: {{path: /{name}/*, health_check: {{path: /health}}}}")
        if i % 3 == 2:
            lines.append("    capacity: {on_demand_base: 1, on_demand: 1, spot: 3}")
    return "\n".join(lines) + "\n"


def write_spec(folder: Path, services: int) -> Path:
    """Write a generated spec into `folder` (created) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fargate.yaml"
    path.write_text(spec_text(services), encoding="utf-8")
    return path


def cases(work: Path, sizes: Sequence[int]) -> list[tuple[str, Path]]:
    """(label, spec) for each bench case: the repo's spec, then one generated spec per size in `work`."""
    return [("repo fargate.yaml", REPO_SPEC)] + [
        (f"{n} services", write_spec(work / f"spec-{n}", n)) for n in sizes
    ]


def template_files(out: Path) -> list[Path]:
    """The templates of the environment's stack set that ``fgc render -o out`` wrote (the folder with
    a root template; the ``<app>-registries`` stack set beside it is not counted), without parameters.json."""
    folder = next(p for p in sorted(out.iterdir()) if (p / "root.json").exists())
    return sorted(p for p in folder.glob("*.json") if p.name != "parameters.json")
