"""Cloud Map, Application Auto Scaling and Secrets Manager models, read back over HTTP."""

from __future__ import annotations

import json

import pytest
from fgc.emulator.resources import ResourceError


def test_private_dns_namespace_and_discovery_service(cfn, aws, network):
    ns = cfn.create(
        "AWS::ServiceDiscovery::PrivateDnsNamespace", "Ns", {"Name": "flask-api.local", "Vpc": network["vpc"]}
    )
    sd = aws("servicediscovery")
    got = sd.get_namespace(Id=ns.physical_resource_id)["Namespace"]
    assert got["Name"] == "flask-api.local" and got["Type"] == "DNS_PRIVATE"
    assert ns.get_cfn_attribute("Id") == ns.physical_resource_id == got["Id"]
    assert ns.get_cfn_attribute("Arn") == got["Arn"]
    zone = ns.get_cfn_attribute("HostedZoneId")
    assert aws("route53").get_hosted_zone(Id=zone)["HostedZone"]["Name"] == "flask-api.local."
    # A second namespace in the same VPC is fine in AWS when the name differs.
    other = cfn.create(
        "AWS::ServiceDiscovery::PrivateDnsNamespace", "Other", {"Name": "other.local", "Vpc": network["vpc"]}
    )

    props = {
        "Name": "api",
        "NamespaceId": ns.physical_resource_id,
        "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 10}], "RoutingPolicy": "MULTIVALUE"},
        "HealthCheckCustomConfig": {"FailureThreshold": 1},
    }
    svc = cfn.create("AWS::ServiceDiscovery::Service", "api", props)
    got = sd.get_service(Id=svc.physical_resource_id)["Service"]
    assert got["Name"] == "api" and got["NamespaceId"] == ns.physical_resource_id
    assert got["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 10}]
    assert svc.get_cfn_attribute("Arn") == got["Arn"] and svc.get_cfn_attribute("Name") == "api"

    svc = cfn.update(svc, dict(props, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 60}]}), name="api")
    assert sd.get_service(Id=svc.physical_resource_id)["Service"]["DnsConfig"]["DnsRecords"][0]["TTL"] == 60

    with pytest.raises(ResourceError, match="associated services"):
        cfn.delete(ns)
    cfn.delete(svc)
    cfn.delete(ns)
    cfn.delete(other)
    ids = {n["Id"] for n in sd.list_namespaces()["Namespaces"]}
    assert ns.physical_resource_id not in ids and other.physical_resource_id not in ids
    assert svc.physical_resource_id not in {s["Id"] for s in sd.list_services()["Services"]}


@pytest.fixture
def ecs_service(cfn, network):
    cluster = cfn.create("AWS::ECS::Cluster", "scaled", {"ClusterName": "scaled"})
    task = cfn.create(
        "AWS::ECS::TaskDefinition",
        "scaled",
        {
            "RequiresCompatibilities": ["FARGATE"],
            "Cpu": "256",
            "Memory": "512",
            "NetworkMode": "awsvpc",
            "ContainerDefinitions": [{"Name": "web", "Image": "nginx"}],
        },
    )
    service = cfn.create(
        "AWS::ECS::Service",
        "web",
        {
            "Cluster": "scaled",
            "ServiceName": "web",
            "TaskDefinition": task.physical_resource_id,
            "DesiredCount": 2,
            "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": network["subnets"]}},
        },
    )
    yield "service/scaled/web"
    cfn.delete(service)
    cfn.delete(task)
    cfn.delete(cluster)


def test_scalable_target_with_schedule_and_target_tracking_policies(cfn, aws, ecs_service):
    target_props = {
        "ServiceNamespace": "ecs",
        "ResourceId": ecs_service,
        "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": 2,
        "MaxCapacity": 10,
        "ScheduledActions": [
            {
                "ScheduledActionName": "business-hours",
                "Schedule": "cron(0 8 ? * MON-FRI *)",
                "ScalableTargetAction": {"MinCapacity": 4, "MaxCapacity": 20},
            }
        ],
    }
    target = cfn.create("AWS::ApplicationAutoScaling::ScalableTarget", "Target", target_props)
    assert target.physical_resource_id == f"{ecs_service}|ecs:service:DesiredCount|ecs"
    aas = aws("application-autoscaling")
    got = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[ecs_service])["ScalableTargets"]
    assert [(t["MinCapacity"], t["MaxCapacity"]) for t in got] == [(2, 10)]
    actions = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=ecs_service)[
        "ScheduledActions"
    ]
    assert [(a["Schedule"], a["ScalableTargetAction"]) for a in actions] == [
        ("cron(0 8 ? * MON-FRI *)", {"MinCapacity": 4, "MaxCapacity": 20})
    ]

    policies = []
    for metric, value in (
        ("ECSServiceAverageCPUUtilization", 70),
        ("ECSServiceAverageMemoryUtilization", 80),
    ):
        policies.append(
            cfn.create(
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                metric,
                {
                    "PolicyName": f"{metric}-policy",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": target.physical_resource_id,
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": value,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                        "ScaleInCooldown": 300,
                        "ScaleOutCooldown": 60,
                    },
                },
            )
        )
    requests_props = {
        "PolicyName": "requests",
        "PolicyType": "TargetTrackingScaling",
        "ServiceNamespace": "ecs",
        "ResourceId": ecs_service,
        "ScalableDimension": "ecs:service:DesiredCount",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 1000,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": "app/flask-api/abc/targetgroup/api/def",
            },
        },
    }
    requests = cfn.create("AWS::ApplicationAutoScaling::ScalingPolicy", "Requests", requests_props)
    got = {
        p["PolicyName"]: p for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    }
    assert (
        got["ECSServiceAverageCPUUtilization-policy"]["TargetTrackingScalingPolicyConfiguration"][
            "TargetValue"
        ]
        == 70
    )
    spec = got["requests"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert spec["ResourceLabel"] == "app/flask-api/abc/targetgroup/api/def"
    assert requests.physical_resource_id == got["requests"]["PolicyARN"]

    requests_props["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] = 500
    arn = requests.physical_resource_id
    requests = cfn.update(requests, requests_props, name="Requests")
    assert requests.physical_resource_id == arn
    got = {
        p["PolicyName"]: p for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    }
    assert got["requests"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 500
    assert got["requests"]["PolicyARN"] == arn

    target = cfn.update(target, dict(target_props, MaxCapacity=12, ScheduledActions=[]), name="Target")
    got = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[ecs_service])["ScalableTargets"]
    assert got[0]["MaxCapacity"] == 12
    assert (
        aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=ecs_service)["ScheduledActions"]
        == []
    )

    for policy in [*policies, requests]:
        cfn.delete(policy)
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    cfn.delete(target)
    assert (
        aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[ecs_service])["ScalableTargets"]
        == []
    )


def test_scaling_policy_without_a_target_fails_with_a_reason(cfn):
    with pytest.raises(ResourceError, match="No scalable target"):
        cfn.create(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Orphan",
            {
                "PolicyName": "p",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": "service/none/none|ecs:service:DesiredCount|ecs",
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 1},
            },
        )


def test_secret_generated_value_update_and_delete(cfn, aws):
    secret = cfn.create(
        "AWS::SecretsManager::Secret",
        "flask-api/database",
        {
            "Name": "flask-api/database",
            "Description": "db",
            "GenerateSecretString": {
                "SecretStringTemplate": json.dumps({"username": "app"}),
                "GenerateStringKey": "password",
                "PasswordLength": 24,
                "ExcludePunctuation": True,
            },
        },
    )
    sm = aws("secretsmanager")
    assert secret.physical_resource_id.startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:flask-api/database-"
    )
    value = json.loads(sm.get_secret_value(SecretId="flask-api/database")["SecretString"])
    assert value["username"] == "app" and len(value["password"]) == 24

    secret = cfn.update(
        secret, dict(secret.properties, Description="database credentials"), name="flask-api/database"
    )
    assert sm.describe_secret(SecretId=secret.physical_resource_id)["Description"] == "database credentials"
    cfn.delete(secret)
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId=secret.physical_resource_id)
