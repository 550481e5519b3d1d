"""``fgc cost`` and ``fgc diagram`` through the installed console script (Graphviz for real)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MULTI = REPO / "tests" / "golden" / "multi-service" / "fargate.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def svg_text(path: Path) -> str:
    """Every text element of an SVG file, parsed as XML (so a malformed file fails here)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return "\n".join(node.text or "" for node in root.iter(f"{SVG}text"))


def ten_services(tmp_path: Path) -> Path:
    services = "".join(
        f"  s{i}:\n    image: nginx:1.27\n    port: 8080\n    http: {{path: /s{i}}}\n    count: {i % 3 + 1}\n"
        for i in range(10)
    )
    path = tmp_path / "fargate.yaml"
    path.write_text(f"app: ten\nnetwork: {{vpc: {{azs: 3, nat: per_az}}}}\nservices:\n{services}")
    return path


def test_cost_prints_the_lines_the_total_and_the_assumptions(fgc) -> None:
    done = fgc("cost", "--env", "prod", "--region", "us-east-1")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "monthly estimate, us-east-1, 730 hours"
    assert any(
        line.startswith("NAT gateways: 2 NAT gateways x 730 h") and line.endswith("$65.70") for line in out
    )
    assert "total: $202.36..$270.00/month (incomplete: 1 line without a price)" in out
    assert out[out.index("not in the total (1 line without a price):") + 1].startswith(
        "  Container Insights: not found"
    )
    assert "  GB per month through the NAT gateways, all together: 50 (--nat-gb)" in out


def test_cost_json_and_a_changed_assumption(fgc) -> None:
    done = fgc("cost", "--output", "json", "--region", "us-east-1", "--env", "prod", "--nat-gb", "1000")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    nat = next(line for line in data["lines"] if line["item"] == "NAT data processed")
    assert (nat["quantity"], nat["unit_price_usd"], nat["amount_usd"]) == (1000, 0.045, 45.0)
    assert {
        "assumption": "GB per month through the NAT gateways, all together",
        "value": 1000.0,
        "changed_by": "--nat-gb",
    } in data["assumptions"]


def test_cost_in_an_unknown_region_is_a_usage_error(fgc) -> None:
    done = fgc("cost", "--region", "mars-east-1")
    assert done.returncode == 2
    assert "no prices for region 'mars-east-1'" in done.stderr and "Traceback" not in done.stderr
    assert fgc("cost", "--nat-gb", "-5").returncode == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by .ci/run")
def test_svg_is_well_formed_with_every_service_the_load_balancer_and_each_zone(fgc, tmp_path: Path) -> None:
    out = tmp_path / "platform.svg"
    done = fgc("-f", str(MULTI), "diagram", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = svg_text(out)
    for name in ("web", "api", "admin", "docs", "worker"):
        assert f"service {name}" in text
    assert "load balancer (internet&#45;facing)" in text or "load balancer (internet-facing)" in text
    assert "AZ 1" in text and "AZ 2" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by .ci/run")
def test_ten_services_in_three_zones_and_the_same_bytes_twice(fgc, tmp_path: Path) -> None:
    spec = ten_services(tmp_path)
    for run in ("a", "b"):
        assert fgc("-f", str(spec), "diagram", "-o", str(tmp_path / f"{run}.svg")).returncode == 0
        assert fgc("-f", str(spec), "diagram", "-o", str(tmp_path / f"{run}.png")).returncode == 0
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg_text(tmp_path / "a.svg")
    assert all(f"service s{i}" in text for i in range(10))
    assert all(f"AZ {zone}" in text for zone in (1, 2, 3)) and text.count("NAT gateway") == 3


def test_mermaid_and_dot_are_the_same_bytes_twice(fgc) -> None:
    for fmt in ("mermaid", "dot"):
        first = fgc("-f", str(MULTI), "diagram", "--format", fmt)
        assert first.returncode == 0, first.stderr
        assert first.stdout == fgc("-f", str(MULTI), "diagram", "--format", fmt).stdout


def test_without_graphviz_svg_says_how_to_install_it_and_text_formats_still_work(fgc, tmp_path: Path) -> None:
    no_dot = {"PATH": str(tmp_path)}  # a PATH where there is no `dot`
    done = fgc("diagram", "--format", "svg", env=no_dot)
    assert done.returncode == 2
    assert "needs Graphviz's `dot` program" in done.stderr and "apt-get install graphviz" in done.stderr
    assert not list(tmp_path.iterdir())
    for fmt in ("mermaid", "dot"):
        done = fgc("diagram", "--format", fmt, env=no_dot)
        assert done.returncode == 0 and "service api" in done.stdout


def test_png_needs_a_file(fgc) -> None:
    done = fgc("diagram", "--format", "png")
    assert done.returncode == 2 and "give a file with -o" in done.stderr
