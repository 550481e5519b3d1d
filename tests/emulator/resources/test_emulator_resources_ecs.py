"""ECS models: what the compiler sets is what describe_* reads back over HTTP."""

from __future__ import annotations

import json

import pytest
from fgc.emulator.resources import ResourceError

CONTAINER = {
    "Name": "api",
    "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/flask-api:v1",
    "Essential": True,
    "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp"}],
    "Environment": [{"Name": "ENVIRONMENT", "Value": "production"}],
    "Secrets": [
        {"Name": "DB_PASSWORD", "ValueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}
    ],
    "HealthCheck": {
        "Command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
        "Interval": 30,
        "Timeout": 5,
        "Retries": 3,
        "StartPeriod": 60,
    },
    "LogConfiguration": {
        "LogDriver": "awslogs",
        "Options": {
            "awslogs-group": "/ecs/api",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "api",
        },
    },
    "ReadonlyRootFilesystem": True,
    "User": "1000",
    "MountPoints": [{"ContainerPath": "/tmp", "SourceVolume": "tmp", "ReadOnly": False}],
}

TASK = {
    "Family": "flask-api-api",
    "Cpu": "512",
    "Memory": "1024",
    "NetworkMode": "awsvpc",
    "RequiresCompatibilities": ["FARGATE"],
    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/exec",
    "TaskRoleArn": "arn:aws:iam::123456789012:role/task",
    "RuntimePlatform": {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"},
    "ContainerDefinitions": [CONTAINER],
    "Volumes": [{"Name": "tmp"}],
}


def test_task_definition_reads_back_everything_and_update_registers_a_new_revision(cfn, aws):
    task = cfn.create("AWS::ECS::TaskDefinition", "flask-api-api", TASK)
    ecs = aws("ecs")
    got = ecs.describe_task_definition(taskDefinition=task.physical_resource_id)["taskDefinition"]
    assert (got["cpu"], got["memory"], got["networkMode"]) == ("512", "1024", "awsvpc")
    assert got["requiresCompatibilities"] == ["FARGATE"]
    assert got["executionRoleArn"].endswith("role/exec") and got["taskRoleArn"].endswith("role/task")
    assert got["runtimePlatform"] == {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
    assert got["volumes"] == [{"name": "tmp"}]
    container = got["containerDefinitions"][0]
    assert container["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": CONTAINER["Secrets"][0]["ValueFrom"]}
    ]
    assert container["healthCheck"]["startPeriod"] == 60
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/api"
    assert container["readonlyRootFilesystem"] is True and container["user"] == "1000"
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert container["mountPoints"] == [{"containerPath": "/tmp", "sourceVolume": "tmp", "readOnly": False}]
    assert task.get_cfn_attribute("TaskDefinitionArn") == task.physical_resource_id

    same = cfn.update(task, {**TASK, "Tags": [{"Key": "team", "Value": "platform"}]}, name="ignored")
    assert same.physical_resource_id == task.physical_resource_id  # tags alone update in place
    tagged = ecs.describe_task_definition(taskDefinition=task.physical_resource_id, include=["TAGS"])
    assert tagged["tags"] == [{"key": "team", "value": "platform"}]
    new = cfn.update(task, {**TASK, "Cpu": "1024", "Memory": "2048"}, name="ignored")
    assert new.physical_resource_id.endswith(":2")
    assert (
        ecs.describe_task_definition(taskDefinition=new.physical_resource_id)["taskDefinition"]["cpu"]
        == "1024"
    )
    old = ecs.describe_task_definition(taskDefinition=task.physical_resource_id)["taskDefinition"]
    assert old["status"] == "INACTIVE"
    cfn.delete(new)
    assert ecs.describe_task_definition(taskDefinition=new.physical_resource_id)["taskDefinition"][
        "status"
    ] == ("INACTIVE")


@pytest.fixture
def cluster(cfn):
    cluster = cfn.create(
        "AWS::ECS::Cluster",
        "flask-api",
        {"ClusterName": "flask-api", "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
    )
    yield cluster
    cfn.delete(cluster)


def test_cluster_settings_capacity_providers_and_delete(cfn, aws):
    ecs = aws("ecs")
    cluster = cfn.create(
        "AWS::ECS::Cluster",
        "c1",
        {"ClusterName": "c1", "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
    )
    assert cluster.physical_resource_id == "c1"
    assert cluster.get_cfn_attribute("Arn").endswith(":cluster/c1")
    got = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert got["settings"] == [{"name": "containerInsights", "value": "enabled"}]

    assoc = cfn.create(
        "AWS::ECS::ClusterCapacityProviderAssociations",
        "Assoc",
        {
            "Cluster": "c1",
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "DefaultCapacityProviderStrategy": [
                {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
                {"CapacityProvider": "FARGATE_SPOT", "Weight": 4},
            ],
        },
    )
    got = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert got["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert got["defaultCapacityProviderStrategy"][1] == {"capacityProvider": "FARGATE_SPOT", "weight": 4}
    cfn.delete(assoc)
    assert ecs.describe_clusters(clusters=["c1"])["clusters"][0].get("capacityProviders", []) == []

    cfn.update(
        cluster,
        {"ClusterName": "c1", "ClusterSettings": [{"Name": "containerInsights", "Value": "disabled"}]},
    )
    got = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert got["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    cfn.delete(cluster)
    # DeleteCluster: the cluster turns INACTIVE; it is still described, no longer listed.
    assert [c["status"] for c in ecs.describe_clusters(clusters=["c1"])["clusters"]] == ["INACTIVE"]
    assert "c1" not in str(ecs.list_clusters()["clusterArns"])


@pytest.fixture(scope="module")
def target_group(fresh, network):
    """A target group a load balancer routes to (ECS accepts no other)."""
    from fgc.emulator.resources import model_for

    def create(resource_type, props):
        return model_for(resource_type).create_from_cloudformation_json(
            "svc-" + resource_type.rsplit(":", 1)[1].lower(),
            {"Properties": props},
            "123456789012",
            "us-east-1",
        )

    tg = create(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"Port": 8080, "Protocol": "HTTP", "TargetType": "ip", "VpcId": network["vpc"]},
    )
    lb = create(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Subnets": network["subnets"], "SecurityGroups": [network["sg"]]},
    )
    create(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "LoadBalancerArn": lb.physical_resource_id,
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg.physical_resource_id}],
        },
    )
    return tg.physical_resource_id


@pytest.fixture(scope="module")
def provided(fresh, aws):
    """What the user provides for TASK outside CloudFormation: its execution role (allowed to pull and
    to read the secret), the image pushed to its repository, the secret."""
    aws("iam").create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(TRUST))
    aws("iam").put_role_policy(RoleName="exec", PolicyName="start", PolicyDocument=json.dumps(START))
    aws("ecr").create_repository(repositoryName="flask-api")
    fresh.stand_in_image(CONTAINER["Image"])
    aws("secretsmanager").create_secret(Name="db", SecretString="s3cret")


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
START = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:*:*:secret:db-??????",
        },
    ],
}


def _service_props(network, task_arn, **extra):
    return {
        "Cluster": "flask-api",
        "ServiceName": "api",
        "TaskDefinition": task_arn,
        "DesiredCount": 2,
        "LaunchType": "FARGATE",
        "PlatformVersion": "1.4.0",
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {
                "AssignPublicIp": "DISABLED",
                "Subnets": network["subnets"],
                "SecurityGroups": [network["sg"]],
            }
        },
        "LoadBalancers": [{"ContainerName": "api", "ContainerPort": 8080, "TargetGroupArn": network["tg"]}],
        "ServiceRegistries": [
            {"RegistryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}
        ],
        "DeploymentConfiguration": {
            "MaximumPercent": 200,
            "MinimumHealthyPercent": 100,
            "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
        },
        "HealthCheckGracePeriodSeconds": 60,
        "EnableExecuteCommand": False,
        "PropagateTags": "SERVICE",
        **extra,
    }


def test_service_reads_back_what_the_compiler_sets_and_updates_in_place(
    cfn, aws, cluster, network, target_group, provided
):
    network = {**network, "tg": target_group}
    task = cfn.create("AWS::ECS::TaskDefinition", "svc-task", TASK)
    service = cfn.create("AWS::ECS::Service", "api", _service_props(network, task.physical_resource_id))
    assert service.get_cfn_attribute("Name") == "api"
    ecs = aws("ecs")
    got = ecs.describe_services(cluster="flask-api", services=["api"])["services"][0]
    assert got["serviceArn"] == service.physical_resource_id
    assert got["desiredCount"] == 2 and got["launchType"] == "FARGATE" and got["platformVersion"] == "1.4.0"
    assert got["loadBalancers"] == [
        {"containerName": "api", "containerPort": 8080, "targetGroupArn": network["tg"]}
    ]
    assert got["serviceRegistries"][0]["registryArn"].endswith("srv-1")
    assert got["deploymentConfiguration"] == {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    }
    assert got["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": network["subnets"],
        "securityGroups": [network["sg"]],
        "assignPublicIp": "DISABLED",
    }
    assert got["healthCheckGracePeriodSeconds"] == 60
    assert got["enableExecuteCommand"] is False and got["propagateTags"] == "SERVICE"
    # CloudFormation finishes a service only once it is stable; so is the emulator's.
    assert (got["runningCount"], got["pendingCount"]) == (2, 0)
    [deployment] = got["deployments"]
    assert (
        deployment["rolloutState"] == "COMPLETED"
        and deployment["taskDefinition"] == task.physical_resource_id
    )
    ecs.get_waiter("services_stable").wait(
        cluster="flask-api", services=["api"], WaiterConfig={"Delay": 1, "MaxAttempts": 1}
    )
    health = aws("elbv2").describe_target_health(TargetGroupArn=network["tg"])["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy", "healthy"]
    assert {h["Target"]["Port"] for h in health} == {8080}
    cluster_got = ecs.describe_clusters(clusters=["flask-api"])["clusters"][0]
    assert (cluster_got["activeServicesCount"], cluster_got["runningTasksCount"]) == (1, 2)

    props = _service_props(network, task.physical_resource_id, DesiredCount=3, EnableExecuteCommand=True)
    with pytest.raises(ResourceError, match="custom-named resource requires replacing"):
        cfn.update(service, {**props, "Cluster": "elsewhere"}, name="api")
    updated = cfn.update(service, {**props, "HealthCheckGracePeriodSeconds": 120}, name="api")
    assert updated.physical_resource_id == service.physical_resource_id
    got = ecs.describe_services(cluster="flask-api", services=["api"])["services"][0]
    assert got["desiredCount"] == 3 and got["enableExecuteCommand"] is True and got["runningCount"] == 3
    assert got["healthCheckGracePeriodSeconds"] == 120
    assert got["events"][0]["message"] == "(service api) has reached a steady state."
    assert got["deployments"][0]["id"] == deployment["id"]  # same task definition: same deployment

    # Launch type -> capacity provider strategy is an in-place update (AWS allows it since 2022).
    strategy = [{"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1}]
    props = {k: v for k, v in props.items() if k != "LaunchType"}
    updated = cfn.update(updated, {**props, "CapacityProviderStrategy": strategy}, name="api")
    got = ecs.describe_services(cluster="flask-api", services=["api"])["services"][0]
    assert "launchType" not in got and got["capacityProviderStrategy"][0]["capacityProvider"] == "FARGATE"

    strategy = [
        {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 4},
    ]
    props = _service_props(
        network, task.physical_resource_id, ServiceName="spot", CapacityProviderStrategy=strategy
    )
    props.pop("LaunchType")
    spot = cfn.create("AWS::ECS::Service", "spot", props)
    got = ecs.describe_services(cluster="flask-api", services=["spot"])["services"][0]
    assert "launchType" not in got
    assert got["capacityProviderStrategy"][0] == {"capacityProvider": "FARGATE", "base": 1, "weight": 1}
    cfn.delete(spot)

    with pytest.raises(ResourceError, match="ClusterContainsServicesException"):
        cfn.delete(cluster)
    health = aws("elbv2").describe_target_health(TargetGroupArn=network["tg"])["TargetHealthDescriptions"]
    assert len(health) == 3  # one target per running task, after scaling to 3
    cfn.delete(updated)
    # DeleteService: "Services in the DRAINING or INACTIVE status can still be viewed with DescribeServices"
    [deleted] = ecs.describe_services(cluster="flask-api", services=["api"])["services"]
    assert deleted["status"] == "INACTIVE" and ecs.list_services(cluster="flask-api")["serviceArns"] == []
    assert aws("elbv2").describe_target_health(TargetGroupArn=network["tg"])["TargetHealthDescriptions"] == []
    cfn.delete(task)


def test_service_rejects_launch_type_with_capacity_providers(cfn, cluster, network, target_group):
    network = {**network, "tg": target_group}
    props = _service_props(
        network, None, CapacityProviderStrategy=[{"CapacityProvider": "FARGATE", "Weight": 1}]
    )
    with pytest.raises(ResourceError, match="launch type and capacity provider"):
        cfn.create("AWS::ECS::Service", "bad", props)


def test_service_refuses_a_target_group_no_load_balancer_routes_to(cfn, cluster, network):
    from fgc.emulator.resources import model_for

    lonely = model_for("AWS::ElasticLoadBalancingV2::TargetGroup").create_from_cloudformation_json(
        "lonely",
        {"Properties": {"Port": 80, "Protocol": "HTTP", "TargetType": "ip", "VpcId": network["vpc"]}},
        "123456789012",
        "us-east-1",
    )
    props = _service_props({**network, "tg": lonely.physical_resource_id}, None)
    with pytest.raises(ResourceError, match="does not have an associated load balancer"):
        cfn.create("AWS::ECS::Service", "api", props)


@pytest.mark.parametrize(
    ("cpu", "memory"), [("256", "4096"), ("512", "1536"), ("300", "1024"), (None, "512")]
)
def test_task_definition_refuses_sizes_fargate_does_not_offer(cfn, cpu, memory):
    props = {**TASK, "Cpu": cpu, "Memory": memory}
    with pytest.raises(ResourceError, match="No Fargate configuration exists for given values"):
        cfn.create("AWS::ECS::TaskDefinition", "bad-size", props)
