"""ECS Service Connect in the emulator's ECS models: what ECS refuses, and what it manages in Cloud Map.

The rules are those of the ECS API reference (ServiceConnectConfiguration, ServiceConnectService,
ClusterServiceConnectDefaultsRequest); emulator/resources/service_connect.py cites each."""

from __future__ import annotations

from typing import Any

import pytest
from fgc.emulator.resources import ResourceError


@pytest.fixture
def namespace(cfn: Any, network: dict[str, Any]) -> Any:
    ns = cfn.create(
        "AWS::ServiceDiscovery::PrivateDnsNamespace", "Ns", {"Name": "connect.local", "Vpc": network["vpc"]}
    )
    yield ns
    cfn.delete(ns)


@pytest.fixture
def cluster(cfn: Any, namespace: Any) -> Any:
    cluster = cfn.create(
        "AWS::ECS::Cluster",
        "connect",
        {
            "ClusterName": "connect",
            "ServiceConnectDefaults": {"Namespace": namespace.get_cfn_attribute("Arn")},
        },
    )
    yield cluster
    cfn.delete(cluster)


@pytest.fixture
def task(cfn: Any) -> Any:
    task = cfn.create(
        "AWS::ECS::TaskDefinition",
        "connect-api",
        {
            "RequiresCompatibilities": ["FARGATE"],
            "Cpu": "256",
            "Memory": "512",
            "NetworkMode": "awsvpc",
            "ContainerDefinitions": [
                {"Name": "api", "Image": "nginx", "PortMappings": [{"ContainerPort": 8080, "Name": "api"}]}
            ],
        },
    )
    yield task
    cfn.delete(task)


def _service(network: dict[str, Any], task: Any, namespace: str, port_name: str = "api") -> dict[str, Any]:
    return {
        "Cluster": "connect",
        "ServiceName": "api",
        "TaskDefinition": task.physical_resource_id,
        "DesiredCount": 2,
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": network["subnets"]}},
        "ServiceConnectConfiguration": {
            "Enabled": True,
            "Namespace": namespace,
            "Services": [
                {
                    "PortName": port_name,
                    "DiscoveryName": "api",
                    "ClientAliases": [{"Port": 8080, "DnsName": "api"}],
                }
            ],
        },
    }


def test_the_cluster_keeps_its_default_namespace_as_an_arn(aws: Any, cluster: Any, namespace: Any) -> None:
    got = aws("ecs").describe_clusters(clusters=["connect"])["clusters"][0]
    assert got["serviceConnectDefaults"] == {"namespace": namespace.get_cfn_attribute("Arn")}


def test_a_default_namespace_arn_that_does_not_exist_is_refused(cfn: Any) -> None:
    arn = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-missing"
    with pytest.raises(ResourceError, match="Failed to retrieve namespace for .*NamespaceNotFoundException"):
        cfn.create(
            "AWS::ECS::Cluster", "nope", {"ClusterName": "nope", "ServiceConnectDefaults": {"Namespace": arn}}
        )


def test_a_service_in_a_namespace_that_does_not_exist_is_refused(
    cfn: Any, network: dict[str, Any], cluster: Any, task: Any
) -> None:
    missing = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-missing"
    with pytest.raises(ResourceError, match=f"Failed to retrieve namespace for {missing}"):
        cfn.create("AWS::ECS::Service", "api", _service(network, task, missing))


def test_a_port_name_no_port_mapping_has_is_refused(
    cfn: Any, network: dict[str, Any], cluster: Any, task: Any, namespace: Any
) -> None:
    props = _service(network, task, namespace.get_cfn_attribute("Arn"), port_name="http")
    with pytest.raises(ResourceError, match="portName http does not match .*InvalidParameterException"):
        cfn.create("AWS::ECS::Service", "api", props)


def test_a_discovery_name_taken_in_the_namespace_is_refused(
    cfn: Any, network: dict[str, Any], cluster: Any, task: Any, namespace: Any
) -> None:
    """What a switch from dns to service_connect in one deploy would meet: fgc's own Cloud Map
    service of that name still exists while ECS creates its own."""
    taken = cfn.create(
        "AWS::ServiceDiscovery::Service",
        "api",
        {"Name": "api", "NamespaceId": namespace.physical_resource_id, "DnsConfig": {"DnsRecords": []}},
    )
    try:
        with pytest.raises(
            ResourceError, match="discovery name api is already used in namespace connect.local"
        ):
            cfn.create(
                "AWS::ECS::Service", "api", _service(network, task, namespace.get_cfn_attribute("Arn"))
            )
    finally:
        cfn.delete(taken)


def test_ecs_manages_the_cloud_map_service_and_its_instances(
    cfn: Any, aws: Any, network: dict[str, Any], cluster: Any, task: Any, namespace: Any
) -> None:
    props = _service(network, task, namespace.get_cfn_attribute("Arn"))
    service = cfn.create("AWS::ECS::Service", "api", props)
    sd = aws("servicediscovery")
    (cloud_map,) = [s for s in sd.list_services()["Services"] if s["Name"] == "api"]
    assert len(sd.list_instances(ServiceId=cloud_map["Id"])["Instances"]) == 2
    got = aws("ecs").describe_services(cluster="connect", services=["api"])["services"][0]
    assert got["deployments"][0]["serviceConnectResources"] == [
        {"discoveryName": "api", "discoveryArn": cloud_map["Arn"]}
    ]

    service = cfn.update(service, {**props, "DesiredCount": 1}, name="api")
    assert len(sd.list_instances(ServiceId=cloud_map["Id"])["Instances"]) == 1

    client_only = {**props["ServiceConnectConfiguration"], "Services": []}
    service = cfn.update(service, {**props, "ServiceConnectConfiguration": client_only}, name="api")
    assert "api" not in [s["Name"] for s in sd.list_services()["Services"]]  # no longer published
    got = aws("ecs").describe_services(cluster="connect", services=["api"])["services"][0]
    assert "serviceConnectResources" not in got["deployments"][0]

    service = cfn.update(service, props, name="api")
    cfn.delete(service)  # ECS deregisters the tasks and deletes its Cloud Map service: the namespace can go
    assert "api" not in [s["Name"] for s in sd.list_services()["Services"]]
