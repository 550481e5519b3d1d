"""`fgc status` by the spec's names (image, revision, nested events, JSON) and `fgc logs` with nothing to show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_status_json_names_services_as_the_spec_does(cli: Any, spec_file: Path, env: str) -> None:
    spec = ["-f", str(spec_file), "--env", env]
    assert cli("deploy", *spec, "--yes")[0] == 0
    code, out, err = cli("status", *spec, "--output", "json")
    assert code == 0, err
    status = json.loads(out)
    assert status["stack"] == f"dtest-{env}" and status["status"] == "CREATE_COMPLETE"
    assert [n["name"] for n in status["nested"]] == ["network", "cluster", "service-web"]
    (service,) = status["services"]
    assert service["service"] == "web" and service["stack"] == "service-web"
    assert service["revision"] == "1"
    assert service["images"] == ["public.ecr.aws/docker/library/nginx:1.25"]
    assert "traffic" not in service  # a rolling service: ECS shifts no listener rule weights
    assert {e["stack"] for e in status["events"]} > {f"dtest-{env}"}  # nested stacks' events as well
    assert status["outputs"]["ClusterName"].startswith(f"dtest-{env}-Cluster-")


def test_logs_without_events_says_so(cli: Any, spec_file: Path, env: str) -> None:
    spec = ["-f", str(spec_file), "--env", env]
    assert cli("deploy", *spec, "--yes")[0] == 0
    code, out, err = cli("logs", "web", *spec, "--since", "5m")
    assert code == 0
    assert out == ""
    assert err.startswith("no log events in ") and err.rstrip().endswith("in the last 5m")
