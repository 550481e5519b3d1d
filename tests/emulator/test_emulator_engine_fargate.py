"""The compiled fargate.yaml stack sets deploy, update in place and delete through the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
GOLDEN_SPECS = sorted((REPO / "tests" / "golden").glob("*/fargate.yaml"))


def compile_spec(path: Path, replace: dict[str, str] | None = None):
    """The spec's stack set and its registries stack set (None without registries); an image built
    from source gets a fixed tag (its content tag needs the build context, not this test's concern)."""
    from fgc.compiler.context import CompileContext

    from fgc import compiler, spec

    text = path.read_text()
    for literal, value in (replace or {}).items():
        text = text.replace(literal, value)
    document = spec.loads(text, filename=str(path), environ={})
    tags = {name: "v1.0.0" for name, s in document.services.items() if getattr(s.image, "build", None)}
    return compiler.compile(document, CompileContext(image_tags=tags)), compiler.compile_registries(document)


def existing_resources(aws, text: str) -> dict[str, str]:
    """A spec naming an existing VPC, certificate or zone gets one: ids cannot be forced, so map them."""
    mapping = {
        arn: aws("acm").request_certificate(DomainName="app.example.com")["CertificateArn"]
        for arn in set(re.findall(r"arn:aws:acm:[^\s\"']+", text))
    }
    for zone in set(re.findall(r"hosted_zone: (Z[0-9A-Z]+)", text)):
        # the spec validates zone ids as Route 53 writes them; moto's own ids do not look like that
        from moto.route53.models import HostedZoneIdentifier
        from moto.utilities.id_generator import moto_id_manager

        moto_id_manager.set_custom_id(HostedZoneIdentifier(ACCOUNT, "example.com.", None), zone)
        aws("route53").create_hosted_zone(Name="example.com", CallerReference=zone)
    ids = sorted(set(re.findall(r"\b(?:vpc|subnet)-[0-9a-f]+\b", text)))
    if not ids:
        return mapping
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [i for i in ids if i.startswith("subnet-")]
    mapping |= {i: vpc for i in ids if i.startswith("vpc-")}
    for n, literal in enumerate(subnets):
        zone = f"us-east-1{'ab'[n % 2]}"
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=zone)
        mapping[literal] = subnet["Subnet"]["SubnetId"]
    return mapping


def test_repo_fargate_yaml_create_update_delete(stacks, aws):
    templates, registries = compile_spec(REPO / "fargate.yaml")
    stack = stacks.deploy_compiled(templates, registries)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stacks.failures()
    ecs = aws("ecs")
    [cluster] = ecs.list_clusters()["clusterArns"]
    [service_arn] = ecs.list_services(cluster=cluster)["serviceArns"]
    service = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert service["status"] == "ACTIVE"
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert [lb["containerPort"] for lb in service["loadBalancers"]] == [8080]
    assert task["networkMode"] == "awsvpc" and (task["cpu"], task["memory"]) == ("512", "1024")
    assert task["containerDefinitions"][0]["image"].endswith("/flask-api:v1.0.0")
    target_group = aws("elbv2").describe_target_groups(
        TargetGroupArns=[service["loadBalancers"][0]["targetGroupArn"]]
    )
    assert target_group["TargetGroups"][0]["HealthCheckPath"] == "/health"

    updated = stacks.deploy_compiled(templates, registries, ApiImageTag="v1.1.0")

    assert updated["StackStatus"] == "UPDATE_COMPLETE", stacks.failures()
    after = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
    assert after["serviceArn"] == service["serviceArn"]
    image = ecs.describe_task_definition(taskDefinition=after["taskDefinition"])["taskDefinition"]
    assert image["containerDefinitions"][0]["image"].endswith("/flask-api:v1.1.0")
    service_stack = stacks.nested_id(templates.stack_name, "ServiceApi")
    assert stacks.statuses(service_stack, "Service")[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert (
        stacks.statuses(stack["StackId"], "Network")[-1] == "CREATE_COMPLETE"
    )  # untouched by the tag change

    assert stacks.delete(templates.stack_name)["StackStatus"] == "DELETE_COMPLETE"
    assert ecs.list_clusters()["clusterArns"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []


@pytest.mark.parametrize("path", GOLDEN_SPECS, ids=lambda p: p.parent.name)
def test_golden_stack_sets_deploy_and_delete(stacks, aws, path):
    templates, registries = compile_spec(path, existing_resources(aws, path.read_text()))

    stack = stacks.deploy_compiled(templates, registries)

    assert stack["StackStatus"] == "CREATE_COMPLETE", stacks.failures()
    assert stacks.delete(templates.stack_name)["StackStatus"] == "DELETE_COMPLETE", stacks.failures()
