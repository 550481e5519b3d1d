"""Traffic-shifting strategies and deployment alarms in the service stack (compiler.rollout,
compiler.alarms), asserted directly; the golden cases pin the exact text."""

from __future__ import annotations

from typing import Any

import pytest

from fgc import compiler, spec

ROUTED = "    port: 8080\n    http: {path: /api}\n"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111"


def _service(body: str, top: str = "") -> dict[str, Any]:
    text = f"app: x\n{top}services:\n  api:\n    image: nginx:1\n{body}"
    return compiler.compile(spec.loads(text, environ={}))["service-api"]


def _props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        ("{strategy: blue_green}", {"Strategy": "BLUE_GREEN", "BakeTimeInMinutes": 5}),
        (
            "{strategy: canary, bake_time: 0s, canary: {percent: 12.5, bake_time: 3m}}",
            {
                "Strategy": "CANARY",
                "BakeTimeInMinutes": 0,
                "CanaryConfiguration": {"CanaryPercent": 12.5, "CanaryBakeTimeInMinutes": 3},
            },
        ),
        (
            "{strategy: linear, bake_time: 1h}",
            {
                "Strategy": "LINEAR",
                "BakeTimeInMinutes": 60,
                "LinearConfiguration": {"StepPercent": 10.0, "StepBakeTimeInMinutes": 6},
            },
        ),
    ],
)
def test_each_strategy_configures_ecs_without_rolling_percents(deployment: str, expected: dict) -> None:
    template = _service(ROUTED + f"    deployment: {deployment}\n")
    service = _props(template, "Service")
    assert service["DeploymentController"] == {"Type": "ECS"}
    # the circuit breaker only where ECS documents it (rolling and blue/green)
    breaker = {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
    assert service["DeploymentConfiguration"] == {
        **expected,
        **(breaker if expected["Strategy"] == "BLUE_GREEN" else {}),
    }
    (entry,) = service["LoadBalancers"]
    assert entry["TargetGroupArn"] == {"Ref": "TargetGroup"}
    assert entry["AdvancedConfiguration"] == {
        "AlternateTargetGroupArn": {"Ref": "AlternateTargetGroup"},
        "ProductionListenerRule": {"Ref": "ListenerRule"},
        "RoleArn": {"Fn::GetAtt": ["InfrastructureRole", "Arn"]},
    }
    # the alternate target group is the primary's twin: ECS moves the same tasks between them
    assert _props(template, "AlternateTargetGroup") == _props(template, "TargetGroup")
    assert "TestListener" not in template["Resources"]


def test_the_infrastructure_role_may_touch_only_this_services_rules_and_target_groups() -> None:
    template = _service(ROUTED + "    deployment: {strategy: blue_green, test_port: 9000}\n")
    role = _props(template, "InfrastructureRole")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    (policy,) = role["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["ShiftTraffic"]["Action"] == "elasticloadbalancing:ModifyRule"
    assert statements["ShiftTraffic"]["Resource"] == [{"Ref": "ListenerRule"}, {"Ref": "TestListenerRule"}]
    assert statements["ServiceTargets"]["Resource"] == [
        {"Ref": "TargetGroup"},
        {"Ref": "AlternateTargetGroup"},
    ]
    everywhere = [s for s in statements.values() if s["Resource"] == "*"]
    assert [
        a for s in everywhere for a in s["Action"] if not a.startswith("elasticloadbalancing:Describe")
    ] == []
    actions = {
        a
        for s in statements.values()
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "elasticloadbalancing:ModifyListener" not in actions


def test_test_port_is_a_listener_of_its_own_that_speaks_https_with_a_certificate() -> None:
    top = f"load_balancer: {{certificate: {CERTIFICATE}, allowed_cidrs: [10.0.0.0/8, 192.168.0.0/16]}}\n"
    template = _service(ROUTED + "    deployment: {strategy: canary, test_port: 8443}\n", top)
    listener = _props(template, "TestListener")
    assert (listener["Port"], listener["Protocol"]) == (8443, "HTTPS")
    assert listener["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    assert listener["LoadBalancerArn"] == {"Ref": "LoadBalancerArn"}
    assert listener["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
    rule = _props(template, "TestListenerRule")
    assert rule["ListenerArn"] == {"Ref": "TestListener"}
    assert rule["Conditions"] == _props(template, "ListenerRule")["Conditions"]
    assert rule["Actions"] == _props(template, "ListenerRule")["Actions"]
    ingress = [_props(template, f"TestListenerIngress{i}") for i in (1, 2)]
    assert [(i["CidrIp"], i["FromPort"], i["ToPort"]) for i in ingress] == [
        ("10.0.0.0/8", 8443, 8443),
        ("192.168.0.0/16", 8443, 8443),
    ]
    assert {i["GroupId"]["Ref"] for i in ingress} == {"LoadBalancerSecurityGroupId"}
    advanced = _props(template, "Service")["LoadBalancers"][0]["AdvancedConfiguration"]
    assert advanced["TestListenerRule"] == {"Ref": "TestListenerRule"}


def test_a_rolling_service_with_alarms_keeps_its_percents_and_rolls_back_on_them() -> None:
    template = _service(
        ROUTED + "    count: 2\n    deployment: {max_percent: 150, rollback: false, "
        "alarms: {http_5xx_percent: 5, p99_latency: 2s, names: [db-errors]}}\n"
    )
    service = _props(template, "Service")
    assert "DeploymentController" not in service
    assert service["DeploymentConfiguration"] == {
        "MaximumPercent": 150,
        "MinimumHealthyPercent": 100,
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": False},
        "Alarms": {
            "AlarmNames": [{"Ref": "Http5xxAlarm"}, {"Ref": "P99LatencyAlarm"}, "db-errors"],
            "Enable": True,
            "Rollback": False,
        },
    }
    errors = _props(template, "Http5xxAlarm")
    assert (errors["Threshold"], errors["ComparisonOperator"]) == (5.0, "GreaterThanThreshold")
    assert errors["TreatMissingData"] == "notBreaching"
    queries = {q["Id"]: q for q in errors["Metrics"]}
    assert queries["errors"]["Expression"] == "100*(FILL(e0,0))/(FILL(r0,0))"
    assert queries["e0"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["r0"]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "LoadBalancer", "Value": {"Ref": "LoadBalancerFullName"}},
        {"Name": "TargetGroup", "Value": {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]}},
    ]
    latency = {q["Id"]: q for q in _props(template, "P99LatencyAlarm")["Metrics"]}
    assert latency["t0"]["MetricStat"]["Stat"] == "p99" and latency["latency"]["Expression"] == "MAX([t0])"
    assert "LoadBalancerFullName" in template["Parameters"]


def test_alarms_of_a_traffic_shifting_service_watch_both_target_groups() -> None:
    template = _service(ROUTED + "    deployment: {strategy: linear, alarms: {http_5xx_percent: 1}}\n")
    queries = {q["Id"]: q for q in _props(template, "Http5xxAlarm")["Metrics"]}
    assert queries["errors"]["Expression"] == "100*(FILL(e0,0)+FILL(e1,0))/(FILL(r0,0)+FILL(r1,0))"
    groups = [
        q["MetricStat"]["Metric"]["Dimensions"][1]["Value"]["Fn::GetAtt"][0]
        for k, q in queries.items()
        if k != "errors"
    ]
    assert groups == ["TargetGroup", "AlternateTargetGroup"] * 2


def test_existing_alarms_need_no_load_balancer() -> None:
    template = _service("    deployment: {alarms: {names: [queue-depth]}}\n")
    alarms = _props(template, "Service")["DeploymentConfiguration"]["Alarms"]
    assert alarms == {"AlarmNames": ["queue-depth"], "Enable": True, "Rollback": True}
    assert not any(r["Type"] == "AWS::CloudWatch::Alarm" for r in template["Resources"].values())
    assert "LoadBalancerFullName" not in template["Parameters"]
