"""A Service Connect app with two services, deployed through the CLI onto the emulator (issue 15).

``api`` publishes its port as ``api:8080``; ``web`` (behind the load balancer) is a client only.
What the test reads back is what ECS and Cloud Map hold: each service's Service Connect
configuration (on its deployment, where DescribeServices reports it), the cluster's default
namespace, the Cloud Map service ECS created and the tasks registered in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

SPEC = """\
app: dtest
network:
  vpc: {{azs: 2, endpoints: false, nat: single}}  # public images: tasks need a route out
discovery: {{mode: {mode}}}
services:
  api:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8080
    {discovery}
    count: {count}
  web:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8000
    http: {{path: /, health_check: {{path: /health}}}}
environments:
  {env}: {{discovery: {{namespace: {env}.dtest.local}}}}
"""


@pytest.fixture
def write(tmp_path: Path, env: str) -> Callable[..., Path]:
    """``write(count=2, mode="service_connect", published=True)``: the two-service spec in this
    test's own file, ``count`` api tasks, api publishing its name when ``published``.

    Each test environment has its own namespace name: Cloud Map's DiscoverInstances finds a
    namespace by name, and every deploy test shares the emulator."""
    path = tmp_path / "fargate.yaml"

    def run(count: int = 2, mode: str = "service_connect", published: bool = True) -> Path:
        discovery = "discovery: api" if published else ""
        path.write_text(SPEC.format(env=env, count=count, mode=mode, discovery=discovery))
        return path

    return run


def _cloud_map(session: Any) -> Any:
    """A Cloud Map client whose DiscoverInstances reaches the emulator: botocore sends that call to
    a ``data-`` host prefix of the endpoint, which only AWS's own host names resolve."""
    config = session.config.merge(Config(inject_host_prefix=False))
    return session.session.client(
        "servicediscovery", region_name=session.region, endpoint_url=session.endpoint_url, config=config
    )


def _outputs(session: Any, env: str) -> dict[str, str]:
    stack = session.client("cloudformation").describe_stacks(StackName=f"dtest-{env}")["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _in_namespace(sd: Any, namespace_id: str) -> list[dict[str, Any]]:
    """The Cloud Map services of one namespace, each described in full."""
    described = [sd.get_service(Id=s["Id"])["Service"] for s in sd.list_services()["Services"]]
    return [s for s in described if s["NamespaceId"] == namespace_id]


def test_two_services_connect_through_the_namespace_and_ecs_registers_the_publisher(
    cli: Callable[..., tuple[int, str, str]], session: Any, env: str, write: Callable[..., Path]
) -> None:
    code, out, err = cli("deploy", "-f", str(write()), "--env", env, "--yes")
    assert code == 0, out + err
    outputs = _outputs(session, env)
    ecs = session.client("ecs")
    cluster = ecs.describe_clusters(clusters=[outputs["ClusterName"]])["clusters"][0]
    sd = _cloud_map(session)
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == f"{env}.dtest.local")
    assert cluster["serviceConnectDefaults"] == {"namespace": namespace["Arn"]}
    assert outputs["ServiceApiDiscoveryName"] == "api:8080"

    names = [outputs["ServiceApiServiceName"], outputs["ServiceWebServiceName"]]
    api, web = ecs.describe_services(cluster=cluster["clusterName"], services=names)["services"]
    api_config = api["deployments"][0]["serviceConnectConfiguration"]
    assert api_config["enabled"] is True and api_config["namespace"] == namespace["Arn"]
    assert api_config["services"] == [
        {"portName": "api", "discoveryName": "api", "clientAliases": [{"port": 8080, "dnsName": "api"}]}
    ]
    assert api_config["logConfiguration"]["options"]["awslogs-stream-prefix"] == "service-connect"
    web_config = web["deployments"][0]["serviceConnectConfiguration"]
    assert web_config["enabled"] is True and "services" not in web_config  # a client only
    assert "serviceConnectResources" not in web["deployments"][0]
    (resource,) = api["deployments"][0]["serviceConnectResources"]
    assert resource["discoveryName"] == "api"

    # the only Cloud Map service in the namespace is the one ECS made (fgc makes none in this mode)
    (cloud_map,) = _in_namespace(sd, namespace["Id"])
    assert (cloud_map["Arn"], cloud_map["Name"], cloud_map["Type"]) == (
        resource["discoveryArn"],
        "api",
        "HTTP",
    )
    found = sd.discover_instances(NamespaceName=f"{env}.dtest.local", ServiceName="api")["Instances"]
    assert len(found) == 2 and api["runningCount"] == 2  # one instance per running task
    assert {i["Attributes"]["AWS_INSTANCE_PORT"] for i in found} == {"8080"}
    assert {i["Attributes"]["ECS_SERVICE_NAME"] for i in found} == {api["serviceName"]}

    code, out, err = cli("deploy", "-f", str(write(count=3)), "--env", env, "--yes")
    assert code == 0, out + err
    found = sd.discover_instances(NamespaceName=f"{env}.dtest.local", ServiceName="api")["Instances"]
    assert len(found) == 3  # ECS registers each new task

    code, out, err = cli("destroy", "-f", str(write(count=3)), "--env", env, "--yes")
    assert code == 0, out + err  # the namespace goes: ECS deleted the Cloud Map service it made
    assert resource["discoveryArn"] not in [s["Arn"] for s in sd.list_services()["Services"]]
    assert not [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == f"{env}.dtest.local"]


def test_switching_modes_takes_two_deploys_as_the_docs_say(
    cli: Callable[..., tuple[int, str, str]], session: Any, env: str, write: Callable[..., Path]
) -> None:
    """docs/fargate-yaml.md: a direct switch meets the old mode's Cloud Map service of the same
    name and rolls back; ``mode: dns`` without ``discovery`` first, then the new mode, works."""
    assert cli("deploy", "-f", str(write(mode="dns")), "--env", env, "--yes")[0] == 0
    code, out, err = cli("deploy", "-f", str(write()), "--env", env, "--yes")
    assert code == 1 and "discovery name api is already used" in out + err
    assert cli("deploy", "-f", str(write(mode="dns", published=False)), "--env", env, "--yes")[0] == 0
    code, out, err = cli("deploy", "-f", str(write()), "--env", env, "--yes")
    assert code == 0, out + err
    found = _cloud_map(session).discover_instances(NamespaceName=f"{env}.dtest.local", ServiceName="api")
    assert len(found["Instances"]) == 2
