"""The service stack's behaviour, asserted directly (the golden files pin the exact text)."""

from __future__ import annotations

from typing import Any

from fgc import compiler, spec


def _service(body: str, name: str = "api") -> dict[str, Any]:
    text = f"app: x\nservices:\n  {name}:\n    image: nginx:1\n" + body
    return compiler.compile(spec.loads(text, environ={}))[f"service-{name}"]


def _props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def test_a_worker_has_no_routing_no_ingress_and_a_fixed_count() -> None:
    template = _service("    count: 3\n")
    service = _props(template, "Service")
    assert service["DesiredCount"] == 3 and service["LaunchType"] == "FARGATE"
    assert "LoadBalancers" not in service and "HealthCheckGracePeriodSeconds" not in service
    assert "DependsOn" not in template["Resources"]["Service"]
    assert "SecurityGroupIngress" not in _props(template, "SecurityGroup")
    assert set(template["Parameters"]) == {"VpcId", "PrivateSubnetIds", "ClusterName", "ImageTag"}
    assert "TaskRole" not in template["Resources"]
    assert service["DeploymentConfiguration"] == {
        "MaximumPercent": 200,
        "MinimumHealthyPercent": 100,
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
    }
    assert service["PlatformVersion"] == "LATEST" and service["PropagateTags"] == "SERVICE"


def test_http_routes_host_and_path_and_waits_for_its_rule() -> None:
    template = _service(
        "    port: 8080\n    http: {host: api.example.com, path: /v1, grace_period: 90s}\n"
        "    scaling: {min: 2, max: 6, requests: 300, cooldown: {in: 5m, out: 30s}}\n"
    )
    rule = _props(template, "ListenerRule")
    assert rule["Conditions"] == [
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}},
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1", "/v1/*"]}},
    ]
    assert template["Resources"]["Service"]["DependsOn"] == ["ListenerRule"]
    service = _props(template, "Service")
    assert service["HealthCheckGracePeriodSeconds"] == 90
    assert "DesiredCount" not in service  # Application Auto Scaling owns the count
    ingress = _props(template, "SecurityGroup")["SecurityGroupIngress"]
    assert ingress == [
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "SourceSecurityGroupId": {"Ref": "LoadBalancerSecurityGroupId"},
            "Description": "Load balancer to api on 8080",
        }
    ]
    policy = _props(template, "RequestsScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]
    assert policy["ScaleInCooldown"] == 300 and policy["ScaleOutCooldown"] == 30
    assert policy["PredefinedMetricSpecification"]["ResourceLabel"] == {
        "Fn::Join": [
            "/",
            [{"Ref": "LoadBalancerFullName"}, {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]}],
        ]
    }


def test_capacity_weights_become_a_strategy_without_launch_type() -> None:
    service = _props(_service("    capacity: {on_demand_base: 1, on_demand: 1, spot: 3}\n"), "Service")
    assert "LaunchType" not in service
    assert service["CapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
    ]
    spot_only = _props(_service("    capacity: {on_demand: 0, spot: 1}\n"), "Service")
    assert spot_only["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]


def test_discovery_registers_an_a_record_and_admits_vpc_callers() -> None:
    template = _service("    port: 5000\n    discovery: api\n")
    registry = _props(template, "DiscoveryService")
    assert registry["DnsConfig"]["RoutingPolicy"] == "MULTIVALUE"
    assert registry["DnsConfig"]["DnsRecords"][0]["Type"] == "A"
    assert "HealthCheckCustomConfig" in registry
    assert _props(template, "Service")["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["DiscoveryService", "Arn"]}}
    ]
    (rule,) = _props(template, "SecurityGroup")["SecurityGroupIngress"]
    assert rule["CidrIp"] == {"Ref": "VpcCidr"} and rule["FromPort"] == 5000


def test_task_definition_shape() -> None:
    template = _service(
        "    cpu: 1024\n    memory: 2048\n    platform: linux/arm64\n    user: '1000'\n"
        "    health_check: {command: curl -f localhost/health}\n    exec: true\n"
    )
    task = _props(template, "TaskDefinition")
    assert (task["Cpu"], task["Memory"], task["NetworkMode"]) == ("1024", "2048", "awsvpc")
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}
    container = task["ContainerDefinitions"][0]
    assert container["User"] == "1000"
    assert container["HealthCheck"]["Command"] == ["CMD-SHELL", "curl -f localhost/health"]
    assert container["Image"] == {"Fn::Sub": "nginx:${ImageTag}"}
    assert _props(template, "Service")["EnableExecuteCommand"] is True
    statements = _props(template, "TaskRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"][0].startswith("ssmmessages:")
