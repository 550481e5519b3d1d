"""Every golden stack set deploys through moto's own CloudFormation with our models, reads back
what the compiler set, and deletes without leaving anything behind.

The root stack's nested-stack wiring is done here by hand (child outputs -> next child's
parameters), since nested stacks are the engine's job; everything inside a child template goes
through moto's parser (Ref, GetAtt, Sub, Join, Select, GetAZs, conditions) into our models."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fgc.emulator.resources import model_for

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
STACK_SETS = sorted(p.parent for p in GOLDEN.glob("*/*/root.json"))


def _types(template: dict[str, Any]) -> set[str]:
    return {r["Type"] for r in template.get("Resources", {}).values()}


@pytest.mark.parametrize("stack_set", STACK_SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_emitted_type_has_a_model(stack_set):
    for path in stack_set.glob("*.json"):
        if path.name == "parameters.json":
            continue
        for resource_type in _types(json.loads(path.read_text())) - {"AWS::CloudFormation::Stack"}:
            assert model_for(resource_type) is not None, f"{path}: {resource_type}"


def _resolve(value: Any, root_params: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return root_params[value["Ref"]]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        child, attribute = value["Fn::GetAtt"]
        return outputs[child][attribute.removeprefix("Outputs.")]
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, items = value["Fn::Join"]
        return sep.join(_resolve(i, root_params, outputs) for i in items)
    assert isinstance(value, str), value
    return value


def _settled(cfn_client: Any, stack: str) -> dict[str, Any]:
    """Wait (the engine works asynchronously, like CloudFormation) until the stack leaves *_IN_PROGRESS."""
    for _ in range(600):
        found = cfn_client.describe_stacks(StackName=stack)["Stacks"][0]
        if not found["StackStatus"].endswith("_IN_PROGRESS"):
            return found
        time.sleep(0.05)
    raise AssertionError(f"{stack} still in progress: {found['StackStatus']}")


def _failures(cfn_client: Any, stack: str) -> list[str]:
    events = cfn_client.describe_stack_events(StackName=stack)["StackEvents"]
    return [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
        for e in events
        if "FAILED" in e["ResourceStatus"]
    ]


def _existing_network(ec2: Any, root: dict[str, Any], route_out: Any) -> dict[str, str]:
    """For a spec with ``network.existing``: create that VPC and its subnets here, and map the
    spec's literal ids to the ones the emulator gave them."""
    literals = [
        v
        for r in root["Resources"].values()
        for v in (r["Properties"].get("Parameters") or {}).values()
        if isinstance(v, str)
    ]
    ids = sorted({i for v in literals for i in v.split(",") if i.startswith(("vpc-", "subnet-"))})
    if not ids:
        return {}
    cidr = next((v for v in literals if "/" in v), "10.0.0.0/16")
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")[:2]
    mapping = {i: vpc for i in ids if i.startswith("vpc-")}
    for n, subnet in enumerate(i for i in ids if i.startswith("subnet-")):
        mapping[subnet] = ec2.create_subnet(
            VpcId=vpc, CidrBlock=".".join([*base, str(n), "0/24"]), AvailabilityZone="us-east-1" + "ab"[n % 2]
        )["Subnet"]["SubnetId"]
    route_out(vpc, [mapping[i] for i in ids if i.startswith("subnet-")])
    return mapping


def _existing_certificates(stack_set: Path) -> None:
    """A spec's ``load_balancer.certificate`` names a certificate the user already has: put one
    under exactly that ARN into the emulator's ACM (in process; ACM gives no way to pick an ARN)."""
    from moto.acm.models import acm_backends

    acm = acm_backends["123456789012"]["us-east-1"]
    for arn in sorted(
        set(re.findall(r"arn:aws:acm:[^\"]+", "".join(p.read_text() for p in stack_set.glob("*.json"))))
    ):
        if arn not in acm._certificates:
            bundle = acm._certificates.pop(acm.request_certificate("example.com", None, [], []))
            bundle.arn = arn
            acm._certificates[arn] = bundle


def _existing_hosted_zones(stack_set: Path) -> None:
    """``load_balancer.domain.hosted_zone`` names the user's zone: create it under that id."""
    from moto.route53.models import route53_backends

    route53 = route53_backends["123456789012"]["aws"]
    for path in stack_set.glob("*.json"):
        for resource in json.loads(path.read_text()).get("Resources", {}).values():
            zone_id = resource.get("Properties", {}).get("HostedZoneId")
            if (
                resource["Type"] == "AWS::Route53::RecordSet"
                and isinstance(zone_id, str)
                and zone_id not in route53.zones
            ):
                zone = route53.create_hosted_zone(
                    resource["Properties"]["Name"].split(".", 1)[1], private_zone=False
                )
                route53.zones[zone_id] = route53.zones.pop(zone.resource_id)
                zone.resource_id = zone_id


def _provided(provide: Any, stack_set: Path) -> None:
    """What the user provides outside fgc for this stack set (its spec, with its environment)."""
    from fgc import spec

    base = spec.load(stack_set.parent / "fargate.yaml", environ={})
    env = stack_set.name.removeprefix(f"{base.app}-") if stack_set.name != base.app else None
    provide(stack_set.parent / "fargate.yaml", env=env)


def _deploy_stack_set(
    aws: Any, stack_set: Path, prefix: str, fixtures: tuple[Any, Any], update: bool = False
) -> list[tuple[str, str]]:
    """Create (or update) each child of root in template order; returns [(logical id, stack name)].

    ``fixtures``: the ``provide`` and ``route_out`` fixtures (what the user brings)."""
    provide, route_out = fixtures
    cfn_client = aws("cloudformation")
    root = json.loads((stack_set / "root.json").read_text())
    if not any(r["Type"] == "AWS::CloudFormation::Stack" for r in root["Resources"].values()):
        # the <app>-registries stack set: one template, deployed as it is
        _deploy_one(cfn_client, f"{prefix}-root", json.dumps(root), {}, update)
        return [("root", f"{prefix}-root")]
    root_params = json.loads((stack_set / "parameters.json").read_text())
    root_params |= _registries_and_built_images(aws, stack_set, root_params)
    _provided(provide, stack_set)
    existing = _existing_network(aws("ec2"), root, route_out)
    _existing_certificates(stack_set)
    _existing_hosted_zones(stack_set)
    children = {p.name.removesuffix(".json"): p for p in stack_set.glob("*.json")}
    outputs: dict[str, dict[str, str]] = {}
    created = []
    for logical_id, resource in root["Resources"].items():
        props = resource["Properties"]
        template_name = _child_template_name(logical_id, children)
        params = {
            k: ",".join(existing.get(i, i) for i in _resolve(v, root_params, outputs).split(","))
            for k, v in (props.get("Parameters") or {}).items()
        }
        stack_name = f"{prefix}-{logical_id}"
        stack = _deploy_one(cfn_client, stack_name, children[template_name].read_text(), params, update)
        outputs[logical_id] = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        created.append((logical_id, stack_name))
    return created


#: The tag an image built from source has here (its content tag needs the build context).
BUILT_TAG = "src-000000000000"
#: Repositories this module made (what the registries stack would hold): removed after each test.
MADE_REPOSITORIES: list[str] = []


@pytest.fixture(autouse=True)
def _remove_made_repositories(aws: Any) -> Iterator[None]:
    yield
    ecr = aws("ecr")
    while MADE_REPOSITORIES:
        with contextlib.suppress(ecr.exceptions.RepositoryNotFoundException):
            ecr.delete_repository(repositoryName=MADE_REPOSITORIES.pop(), force=True)


def _registries_and_built_images(aws: Any, stack_set: Path, given: dict[str, str]) -> dict[str, str]:
    """The root parameters a golden's parameters.json cannot hold: the repositories of the
    `<app>-registries` stack (made here, as that stack would, with their URIs and ARNs) and the
    tags of images built from source (their images declared to the emulator, as `fgc deploy`
    would push them before the stack set: POST /_fgc/stand-ins)."""
    import urllib.request

    from fgc.compiler.naming import pascal

    from fgc import spec

    document = spec.load(stack_set.parent / "fargate.yaml", environ={})
    ecr, values, images = aws("ecr"), {}, []
    for registry in document.registries:
        if registry not in MADE_REPOSITORIES:
            with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
                ecr.create_repository(repositoryName=registry)
            MADE_REPOSITORIES.append(registry)
        uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{registry}"
        values[f"{pascal(registry)}RepositoryUri"] = uri
        values[f"{pascal(registry)}RepositoryArn"] = (
            f"arn:aws:ecr:us-east-1:123456789012:repository/{registry}"
        )
    for name, service in document.services.items():
        if getattr(service.image, "build", None) is not None and f"{pascal(name)}ImageTag" not in given:
            values[f"{pascal(name)}ImageTag"] = BUILT_TAG
            images.append(
                f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{service.image.registry}:{BUILT_TAG}"
            )
    if images:
        request = urllib.request.Request(
            f"{ecr.meta.endpoint_url}/_fgc/stand-ins", json.dumps({"images": images}).encode(), method="POST"
        )
        with urllib.request.urlopen(request) as answer:
            assert set(images) <= set(json.loads(answer.read())["images"])
    return values


def _deploy_one(
    cfn_client: Any, stack_name: str, body: str, params: dict[str, str], update: bool
) -> dict[str, Any]:
    """Create (or update) one stack from one template and wait for it to settle."""
    request = {
        "StackName": stack_name,
        "TemplateBody": body,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    }
    expected = "UPDATE_COMPLETE" if update else "CREATE_COMPLETE"
    try:
        (cfn_client.update_stack if update else cfn_client.create_stack)(**request)
    except cfn_client.exceptions.ClientError as err:
        if not (update and "No updates are to be performed" in str(err)):
            raise
        expected = "CREATE_COMPLETE"
    stack = _settled(cfn_client, stack_name)
    assert stack["StackStatus"] == expected, _failures(cfn_client, stack_name)
    return stack


def _child_template_name(logical_id: str, children: dict[str, Path]) -> str:
    """Which child file a nested stack is: match by the compiler's naming (Network -> network ...)."""
    for name in children:
        if name.replace("-", "").lower() == logical_id.lower():
            return name
    raise AssertionError(f"no template for {logical_id}: {sorted(children)}")


@pytest.mark.parametrize("stack_set", STACK_SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_stack_set_deploys_reads_back_and_deletes(stack_set, aws, provide, route_out):
    cfn_client = aws("cloudformation")
    prefix = f"g-{stack_set.parent.name}-{stack_set.name}"[:60]
    created = _deploy_stack_set(aws, stack_set, prefix, (provide, route_out))

    ecs = aws("ecs")
    for logical_id, stack_name in created:
        resources = cfn_client.describe_stack_resources(StackName=stack_name)["StackResources"]
        template = _template_of(stack_set, logical_id)
        _check_fidelity(aws, template, resources)
        for resource in resources:
            assert resource["PhysicalResourceId"], resource
        services = [r for r in resources if r["ResourceType"] == "AWS::ECS::Service"]
        for service in services:
            arn = service["PhysicalResourceId"]
            cluster = arn.split("/")[-2]
            got = ecs.describe_services(cluster=cluster, services=[arn])["services"][0]
            assert got["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
            # the circuit breaker where ECS documents it: rolling and blue/green (compiler.rollout)
            compiled = template["Resources"][service["LogicalResourceId"]]["Properties"]
            strategy = compiled["DeploymentConfiguration"].get("Strategy", "ROLLING")
            breaker = got["deploymentConfiguration"].get("deploymentCircuitBreaker", {}).get("enable")
            assert breaker is (True if strategy in ("ROLLING", "BLUE_GREEN") else None), strategy
            task = ecs.describe_task_definition(taskDefinition=got["taskDefinition"])["taskDefinition"]
            assert task["networkMode"] == "awsvpc" and task["requiresCompatibilities"] == ["FARGATE"]
            assert task["executionRoleArn"].startswith("arn:aws:iam::")

    retained = _retained(cfn_client, stack_set, created)
    physical = {
        (r["ResourceType"], r["PhysicalResourceId"])
        for _, name in created
        for r in cfn_client.describe_stack_resources(StackName=name)["StackResources"]
    }
    for _, stack_name in reversed(created):
        stack_id = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
        cfn_client.delete_stack(StackName=stack_name)
        assert _settled(cfn_client, stack_id)["StackStatus"] == "DELETE_COMPLETE", _failures(
            cfn_client, stack_id
        )
    left = _still_there(aws, physical - set(retained))
    assert not left, left
    assert not [s for s in ecs.list_clusters()["clusterArns"] if prefix.lower() in s.lower()]
    assert not [
        s
        for s in aws("elbv2").describe_load_balancers()["LoadBalancers"]
        if s["LoadBalancerName"].startswith(stack_set.name)
    ]
    # What holds data is kept (DeletionPolicy Retain); purge it so the next case can reuse names.
    for resource_type, physical_id in retained:
        if resource_type == "AWS::ECR::Repository":
            assert aws("ecr").describe_repositories(repositoryNames=[physical_id])["repositories"]
        if resource_type == "AWS::Logs::LogGroup":
            assert aws("logs").describe_log_groups(logGroupNamePrefix=physical_id)["logGroups"]
        model_for(resource_type).delete_from_cloudformation_json(
            physical_id, {"Properties": {"EmptyOnDelete": True}}, "123456789012", "us-east-1"
        )


def _check_fidelity(aws: Any, template: dict[str, Any], resources: list[dict[str, Any]]) -> None:
    """Literal settings in the template are what the service APIs read back."""
    for resource in resources:
        props = template["Resources"][resource["LogicalResourceId"]].get("Properties", {})
        physical_id, kind = resource["PhysicalResourceId"], resource["ResourceType"]
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            got = aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=physical_id)["Attributes"]
            assert {a["Key"]: a["Value"] for a in props.get("LoadBalancerAttributes", [])}.items() <= {
                a["Key"]: a["Value"] for a in got
            }.items()
        elif kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
            got = aws("elbv2").describe_target_group_attributes(TargetGroupArn=physical_id)["Attributes"]
            assert {a["Key"]: a["Value"] for a in props.get("TargetGroupAttributes", [])}.items() <= {
                a["Key"]: a["Value"] for a in got
            }.items()
            [group] = aws("elbv2").describe_target_groups(TargetGroupArns=[physical_id])["TargetGroups"]
            assert group["HealthCheckPath"] == props.get("HealthCheckPath", "/")
            assert group["TargetType"] == props["TargetType"]
        elif kind == "AWS::EC2::Subnet":
            [subnet] = aws("ec2").describe_subnets(SubnetIds=[physical_id])["Subnets"]
            assert subnet["MapPublicIpOnLaunch"] is bool(props.get("MapPublicIpOnLaunch", False))
        elif kind == "AWS::Logs::LogGroup":
            [group] = aws("logs").describe_log_groups(logGroupNamePrefix=physical_id)["logGroups"]
            assert group.get("retentionInDays") == props.get("RetentionInDays")
        elif kind == "AWS::ECR::Repository" and "LifecyclePolicy" in props:
            text = aws("ecr").get_lifecycle_policy(repositoryName=physical_id)["lifecyclePolicyText"]
            assert json.loads(text) == json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])
        elif kind == "AWS::ECS::Service":
            cluster = physical_id.split("/")[-2]
            [service] = aws("ecs").describe_services(cluster=cluster, services=[physical_id])["services"]
            assert service["enableExecuteCommand"] is bool(props.get("EnableExecuteCommand", False))
            if "HealthCheckGracePeriodSeconds" in props:
                assert service["healthCheckGracePeriodSeconds"] == props["HealthCheckGracePeriodSeconds"]
            strategy = [
                {k[:1].lower() + k[1:]: v for k, v in item.items()}
                for item in props.get("CapacityProviderStrategy", [])
            ]
            assert service.get("capacityProviderStrategy", []) == strategy
            assert len(service["loadBalancers"]) == len(props.get("LoadBalancers", []))
            assert len(service["serviceRegistries"]) == len(props.get("ServiceRegistries", []))
            # Running tasks are registered where ECS puts them: target groups and Cloud Map.
            for entry in service["loadBalancers"]:
                health = aws("elbv2").describe_target_health(TargetGroupArn=entry["targetGroupArn"])
                states = [h["TargetHealth"]["State"] for h in health["TargetHealthDescriptions"]]
                assert states == ["healthy"] * service["runningCount"]
            for entry in service["serviceRegistries"]:
                service_id = entry["registryArn"].rsplit("/", 1)[-1]
                instances = aws("servicediscovery").list_instances(ServiceId=service_id)["Instances"]
                assert len(instances) == service["runningCount"]
                assert all(i["Attributes"]["ECS_SERVICE_NAME"] == service["serviceName"] for i in instances)


def _still_there(aws: Any, resources: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which of these (type, physical id) the service APIs still list after the stacks are deleted."""
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    listed = {
        "AWS::EC2::VPC": {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]},
        "AWS::EC2::Subnet": {v["SubnetId"] for v in ec2.describe_subnets()["Subnets"]},
        "AWS::EC2::SecurityGroup": {v["GroupId"] for v in ec2.describe_security_groups()["SecurityGroups"]},
        "AWS::EC2::RouteTable": {v["RouteTableId"] for v in ec2.describe_route_tables()["RouteTables"]},
        "AWS::EC2::InternetGateway": {
            v["InternetGatewayId"] for v in ec2.describe_internet_gateways()["InternetGateways"]
        },
        "AWS::EC2::NatGateway": {v["NatGatewayId"] for v in ec2.describe_nat_gateways()["NatGateways"]},
        "AWS::EC2::EIP": {v["PublicIp"] for v in ec2.describe_addresses()["Addresses"]},
        "AWS::EC2::VPCEndpoint": {v["VpcEndpointId"] for v in ec2.describe_vpc_endpoints()["VpcEndpoints"]},
        "AWS::ElasticLoadBalancingV2::TargetGroup": {
            v["TargetGroupArn"] for v in elbv2.describe_target_groups()["TargetGroups"]
        },
        "AWS::ServiceDiscovery::PrivateDnsNamespace": {
            v["Id"] for v in aws("servicediscovery").list_namespaces()["Namespaces"]
        },
        "AWS::ServiceDiscovery::Service": {
            v["Id"] for v in aws("servicediscovery").list_services()["Services"]
        },
        "AWS::IAM::Role": {v["RoleName"] for v in aws("iam").list_roles()["Roles"]},
        "AWS::Logs::LogGroup": {v["logGroupName"] for v in aws("logs").describe_log_groups()["logGroups"]},
    }
    return sorted((kind, pid) for kind, pid in resources if pid in listed.get(kind, set()))


def _retained(cfn_client: Any, stack_set: Path, created: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(type, physical id) of the resources whose DeletionPolicy is Retain."""
    kept = []
    for logical_id, stack_name in created:
        resources = cfn_client.describe_stack_resources(StackName=stack_name)["StackResources"]
        body = _template_of(stack_set, logical_id)
        for resource in resources:
            if body["Resources"][resource["LogicalResourceId"]].get("DeletionPolicy") == "Retain":
                kept.append((resource["ResourceType"], resource["PhysicalResourceId"]))
    return kept


def _template_of(stack_set: Path, logical_id: str) -> dict[str, Any]:
    children = {p.name.removesuffix(".json"): p for p in stack_set.glob("*.json")}
    name = _child_template_name(logical_id, children)
    return json.loads(children[name].read_text())


def test_new_image_tag_updates_the_service_in_place_with_a_new_task_definition_revision(
    aws, provide, route_out
):
    """What ``fgc deploy`` of a new version does to the service stack: a parameter change that
    replaces the task definition (a new revision of the same family) and updates the service."""
    stack_set = GOLDEN / "spec-example" / "flask-api"
    cfn_client, ecs = aws("cloudformation"), aws("ecs")
    created = dict(_deploy_stack_set(aws, stack_set, "upd", (provide, route_out)))
    stack_name = created["ServiceApi"]
    stack = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]
    resources = cfn_client.describe_stack_resources(StackName=stack_name)["StackResources"]
    service_arn = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::ECS::Service")
    cluster = service_arn.split("/")[-2]
    old_service = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
    before = old_service["taskDefinition"]
    from fgc import spec

    provide(spec.load(stack_set.parent / "fargate.yaml", environ={"IMAGE_TAG": "v2.0.0"}))  # pushed first
    params = [
        {"ParameterKey": p["ParameterKey"], "ParameterValue": "v2.0.0"}
        if p["ParameterKey"] == "ImageTag"
        else {"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
        for p in stack["Parameters"]
    ]
    cfn_client.update_stack(
        StackName=stack_name,
        UsePreviousTemplate=True,
        Parameters=params,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    assert _settled(cfn_client, stack_name)["StackStatus"] == "UPDATE_COMPLETE", _failures(
        cfn_client, stack_name
    )

    service = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
    assert service["serviceArn"] == service_arn  # updated in place, not replaced
    [deployment] = service["deployments"]
    assert (
        deployment["id"] != old_service["deployments"][0]["id"] and deployment["rolloutState"] == "COMPLETED"
    )
    after = service["taskDefinition"]
    assert after.rsplit(":", 1)[0] == before.rsplit(":", 1)[0]
    assert int(after.rsplit(":", 1)[1]) == int(before.rsplit(":", 1)[1]) + 1
    task = ecs.describe_task_definition(taskDefinition=after)["taskDefinition"]
    assert task["containerDefinitions"][0]["image"].endswith(":v2.0.0")
    assert ecs.describe_task_definition(taskDefinition=before)["taskDefinition"]["status"] == "INACTIVE"

    retained = _retained(cfn_client, stack_set, list(created.items()))
    for stack_name in reversed(list(created.values())):
        stack_id = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
        cfn_client.delete_stack(StackName=stack_name)
        assert _settled(cfn_client, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    for resource_type, physical_id in retained:
        model_for(resource_type).delete_from_cloudformation_json(
            physical_id, {"Properties": {"EmptyOnDelete": True}}, "123456789012", "us-east-1"
        )


UPGRADES = [
    ("spec-example/flask-api", "spec-example/flask-api-dev"),  # scaling removed, smaller task
    ("repo/flask-api", "repo/flask-api-prod"),  # NAT per AZ: gateways, addresses, routes added
]


@pytest.mark.parametrize(("before", "after"), UPGRADES)
def test_stack_set_updates_in_place_from_one_golden_to_another(before, after, aws, provide, route_out):
    cfn_client, ecs = aws("cloudformation"), aws("ecs")
    prefix = "up-" + before.replace("/", "-")
    created = _deploy_stack_set(aws, GOLDEN / before, prefix, (provide, route_out))
    # a log group renamed by the update (/ecs/<stack>/<service>) is replaced and the old one kept
    # (UpdateReplacePolicy Retain): purged with the rest at the end, so no later case meets it
    replaced = set(_retained(cfn_client, GOLDEN / before, created))
    updated = _deploy_stack_set(aws, GOLDEN / after, prefix, (provide, route_out), update=True)
    assert [name for _, name in updated] == [name for _, name in created]

    for _, stack_name in updated:
        template = cfn_client.get_template(StackName=stack_name)["TemplateBody"]  # boto3 parses the JSON
        resources = cfn_client.describe_stack_resources(StackName=stack_name)["StackResources"]
        assert sorted(r["LogicalResourceId"] for r in resources) == sorted(template["Resources"])
        for resource in resources:
            if resource["ResourceType"] == "AWS::ECS::Service":
                arn = resource["PhysicalResourceId"]
                service = ecs.describe_services(cluster=arn.split("/")[-2], services=[arn])["services"][0]
                task_props = template["Resources"]["TaskDefinition"]["Properties"]
                task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])[
                    "taskDefinition"
                ]
                assert (task["cpu"], task["memory"]) == (str(task_props["Cpu"]), str(task_props["Memory"]))
            if resource["ResourceType"] == "AWS::EC2::NatGateway":
                nat = aws("ec2").describe_nat_gateways(NatGatewayIds=[resource["PhysicalResourceId"]])
                assert nat["NatGateways"]

    retained = _retained(cfn_client, GOLDEN / after, updated)
    retained += sorted(replaced - set(retained))
    for _, stack_name in reversed(updated):
        stack_id = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
        cfn_client.delete_stack(StackName=stack_name)
        assert _settled(cfn_client, stack_id)["StackStatus"] == "DELETE_COMPLETE", _failures(
            cfn_client, stack_id
        )
    for resource_type, physical_id in retained:
        model_for(resource_type).delete_from_cloudformation_json(
            physical_id, {"Properties": {"EmptyOnDelete": True}}, "123456789012", "us-east-1"
        )
