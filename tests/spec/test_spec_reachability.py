"""``fgc validate`` knows offline what private tasks without NAT cannot reach, at the key's line."""

from __future__ import annotations

from pathlib import Path

import pytest

SPEC = """\
app: reach
region: eu-west-1
{network}services:
  web:
    image: {image}
    secrets:
      TOKEN: {{secretsmanager: "arn:aws:secretsmanager:{secret_region}:123456789012:secret:token-AbCdEf"}}
"""
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1"


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], **fields: str) -> tuple[int, str]:
    from fgc.cli import main

    values = {"network": "", "image": ECR, "secret_region": "eu-west-1", **fields}
    (tmp_path / "fargate.yaml").write_text(SPEC.format(**values))
    code = main(["validate", "-f", str(tmp_path / "fargate.yaml")])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "image", ["nginx:1.27", "public.ecr.aws/nginx/nginx:1.27", ECR.replace("eu-west-1", "us-east-1")]
)
def test_image_outside_ecr_of_the_region_without_nat_is_an_error_at_its_line(tmp_path, capsys, image):
    code, err = _validate(tmp_path, capsys, image=image)
    assert code == 2
    assert f"fargate.yaml:5:12: services.web.image: tasks cannot pull {image}" in err
    assert "set network.vpc.nat: single" in err and "ECR of eu-west-1" in err


def test_same_region_ecr_or_a_nat_gateway_is_reachable(tmp_path, capsys):
    assert _validate(tmp_path, capsys)[0] == 0
    nat = "network: {vpc: {nat: single}}\n"
    assert _validate(tmp_path, capsys, image="nginx:1.27", network=nat, secret_region="us-east-1")[0] == 0


def test_secret_of_another_region_without_nat(tmp_path, capsys):
    code, err = _validate(tmp_path, capsys, secret_region="us-east-1")
    assert code == 2 and "services.web.secrets.TOKEN.secretsmanager: tasks cannot read" in err
    assert "the secretsmanager endpoint serves only eu-west-1" in err


def test_no_nat_and_no_endpoints_reaches_nothing(tmp_path, capsys):
    code, err = _validate(tmp_path, capsys, network="network: {vpc: {nat: none, endpoints: false}}\n")
    assert code == 2 and "network.vpc.endpoints: with nat: none and endpoints: false" in err
