"""ELBv2 models: attributes, GetAtts, in-place updates and deletes, read back over HTTP."""

from __future__ import annotations

import pytest


@pytest.fixture
def alb(cfn, network):
    lb = cfn.create(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "flask-api",
        {
            "Name": "flask-api",
            "Scheme": "internet-facing",
            "Type": "application",
            "Subnets": network["subnets"],
            "SecurityGroups": [network["sg"]],
            "LoadBalancerAttributes": [
                {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
                {"Key": "deletion_protection.enabled", "Value": "false"},
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
            ],
            "Tags": [{"Key": "team", "Value": "platform"}],
        },
    )
    yield lb
    cfn.delete(lb)


def test_load_balancer_attributes_getatts_update_and_delete(cfn, aws, alb, network):
    elbv2 = aws("elbv2")
    arn = alb.physical_resource_id
    attrs = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    assert attrs["idle_timeout.timeout_seconds"] == "60"
    assert attrs["deletion_protection.enabled"] == "false"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["routing.http.desync_mitigation_mode"] == "defensive"
    got = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert alb.get_cfn_attribute("DNSName") == got["DNSName"]
    assert alb.get_cfn_attribute("CanonicalHostedZoneID") == got["CanonicalHostedZoneId"] == "Z35SXDOTRQ7X7K"
    assert alb.get_cfn_attribute("LoadBalancerFullName") == "app/flask-api/" + arn.rsplit("/", 1)[1]
    tags = elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    assert {"Key": "team", "Value": "platform"} in tags

    props = dict(
        alb.properties, LoadBalancerAttributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    assert cfn.update(alb, props, name="flask-api") is alb
    attrs = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    assert attrs["idle_timeout.timeout_seconds"] == "120"


def test_target_group_listener_and_rule_lifecycle(cfn, aws, alb, network):
    elbv2 = aws("elbv2")
    tg_props = {
        "Name": "flask-api-api",
        "Port": 8080,
        "Protocol": "HTTP",
        "TargetType": "ip",
        "VpcId": network["vpc"],
        "HealthCheckPath": "/health",
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 3,
        "Matcher": {"HttpCode": "200"},
        "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
    }
    tg = cfn.create("AWS::ElasticLoadBalancingV2::TargetGroup", "flask-api-api", tg_props)
    arn = tg.physical_resource_id
    got = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    assert (got["TargetType"], got["HealthCheckPath"], got["Matcher"]["HttpCode"]) == ("ip", "/health", "200")
    assert (got["HealthyThresholdCount"], got["UnhealthyThresholdCount"]) == (2, 3)
    attrs = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    assert attrs["deregistration_delay.timeout_seconds"] == "30"
    assert tg.get_cfn_attribute("TargetGroupFullName") == "targetgroup/flask-api-api/" + arn.rsplit("/", 1)[1]

    tg = cfn.update(
        tg,
        dict(
            tg_props,
            HealthCheckPath="/ready",
            TargetGroupAttributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "10"}],
        ),
        name="flask-api-api",
    )
    assert tg.physical_resource_id == arn
    assert (
        elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]["HealthCheckPath"] == "/ready"
    )
    attrs = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    assert attrs["deregistration_delay.timeout_seconds"] == "10"

    http = cfn.create(
        "AWS::ElasticLoadBalancingV2::Listener",
        "Http",
        {
            "LoadBalancerArn": alb.physical_resource_id,
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
                }
            ],
        },
    )
    rule_props = {
        "ListenerArn": http.physical_resource_id,
        "Priority": 10,
        "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
        "Actions": [{"Type": "forward", "TargetGroupArn": arn}],
    }
    rule = cfn.create("AWS::ElasticLoadBalancingV2::ListenerRule", "Rule", rule_props)
    rules = elbv2.describe_rules(ListenerArn=http.physical_resource_id)["Rules"]
    mine = next(r for r in rules if r["RuleArn"] == rule.physical_resource_id)
    assert mine["Priority"] == "10" and mine["Actions"][0]["TargetGroupArn"] == arn
    assert tg.get_cfn_attribute("LoadBalancerArns") == [alb.physical_resource_id]

    rule = cfn.update(rule, dict(rule_props, Priority=20), name="Rule")
    rules = elbv2.describe_rules(ListenerArn=http.physical_resource_id)["Rules"]
    assert next(r for r in rules if r["RuleArn"] == rule.physical_resource_id)["Priority"] == "20"

    http = cfn.update(http, dict(http.properties, Port=8080), name="Http")
    assert elbv2.describe_listeners(ListenerArns=[http.physical_resource_id])["Listeners"][0]["Port"] == 8080

    cfn.delete(rule)
    assert all(
        r["RuleArn"] != rule.physical_resource_id
        for r in elbv2.describe_rules(ListenerArn=http.physical_resource_id)["Rules"]
    )
    cfn.delete(http)
    assert elbv2.describe_listeners(LoadBalancerArn=alb.physical_resource_id)["Listeners"] == []
    cfn.delete(tg)
    assert not [t for t in elbv2.describe_target_groups()["TargetGroups"] if t["TargetGroupArn"] == arn]


def test_load_balancer_delete_removes_it(cfn, aws, network):
    lb = cfn.create(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "gone",
        {"Subnets": network["subnets"], "SecurityGroups": [network["sg"]]},
    )
    cfn.delete(lb)
    names = [lb["LoadBalancerName"] for lb in aws("elbv2").describe_load_balancers()["LoadBalancers"]]
    assert "gone" not in names
