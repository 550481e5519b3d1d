"""The compiled fargate.yaml stack sets deploy, update in place and delete through the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
GOLDEN_SPECS = sorted((REPO / "tests" / "golden").glob("*/fargate.yaml"))


def compile_spec_text(path: Path, replace: dict[str, str] | None = None):
    """The spec at ``path``, with literals replaced (existing resources' ids, a tag)."""
    from fgc import spec

    text = path.read_text()
    for literal, value in (replace or {}).items():
        text = text.replace(literal, value)
    return spec.loads(text, filename=str(path), environ={})


#: The tag an image built from source gets here (its content tag needs the build context).
BUILT_TAG = "v1.0.0"


def compile_spec(path: Path, replace: dict[str, str] | None = None):
    """The spec's stack set and its registries stack set (None without registries)."""
    from fgc.compiler.context import CompileContext

    from fgc import compiler

    document = compile_spec_text(path, replace)
    tags = {name: BUILT_TAG for name, s in document.services.items() if getattr(s.image, "build", None)}
    return compiler.compile(document, CompileContext(image_tags=tags)), compiler.compile_registries(document)


def stand_in_built(emulator, document, *tags: str) -> None:
    """The images fgc would build and push before deploying (`fgc deploy` does; this test deploys
    templates only), declared to the emulator, which puts them into ECR when a task pulls them."""
    for service in document.services.values():
        if getattr(service.image, "build", None) is not None:
            for tag in tags:
                emulator.stand_in_image(
                    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{service.image.registry}:{tag}"
                )


def existing_resources(aws, text: str, route_out=None) -> dict[str, str]:
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
    if route_out is not None:
        route_out(vpc, [mapping[s] for s in subnets])
    return mapping


def test_repo_fargate_yaml_create_update_delete(stacks, aws, provide):
    provide(REPO / "fargate.yaml")  # the secret, as the guide creates it first
    stand_in_built(stacks.emulator, compile_spec_text(REPO / "fargate.yaml"), "v1.0.0", "v1.1.0")
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
def test_golden_stack_sets_deploy_and_delete(stacks, aws, provide, route_out, path):
    replace = existing_resources(aws, path.read_text(), route_out)
    provide(compile_spec_text(path, replace))
    stand_in_built(stacks.emulator, compile_spec_text(path, replace), BUILT_TAG)
    templates, registries = compile_spec(path, replace)

    stack = stacks.deploy_compiled(templates, registries)

    assert stack["StackStatus"] == "CREATE_COMPLETE", stacks.failures()
    assert stacks.delete(templates.stack_name)["StackStatus"] == "DELETE_COMPLETE", stacks.failures()
