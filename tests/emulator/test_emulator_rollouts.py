"""ECS-native blue/green, canary and linear deployments through the engine, from hand-written templates.

What the emulator models is ECS's documented behaviour ("Amazon ECS blue/green service deployments
workflow", "Amazon ECS canary deployments", "Amazon ECS linear deployments", API_DeploymentAlarms):
green tasks in the alternate target group, the production listener rule's forward weights rewritten
by ECS, bake, blue stopped; an alarm in ALARM rolls the deployment back and fails the stack's update.
Every assertion reads back over HTTP what the emulator holds.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

STACK = "rollouts"
PORT = 8080
#: ServiceDeployment.lifecycleStage values in the order a deployment goes through them (ECS API reference).
ORDER = [
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
]


def template(strategy: str, **config: Any) -> dict[str, Any]:
    """A cluster, a load balancer with a production and a test listener, two target groups, the
    production and test rules, and a service deployed with ``strategy``. ``Image`` and the two
    production weights are parameters (what fgc's compiled templates make them)."""
    deployment = {
        "Strategy": strategy,
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
        "Alarms": {"AlarmNames": [{"Ref": "Errors"}], "Enable": True, "Rollback": True},
        **config,
    }

    def rule(listener: str, blue: Any, green: Any, priority: int) -> dict[str, Any]:
        return {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": listener},
                "Priority": priority,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
                "Actions": [
                    {
                        "Type": "forward",
                        "ForwardConfig": {
                            "TargetGroups": [
                                {"TargetGroupArn": {"Ref": "Blue"}, "Weight": blue},
                                {"TargetGroupArn": {"Ref": "Green"}, "Weight": green},
                            ]
                        },
                    }
                ],
            },
        }

    def listener(port: int) -> dict[str, Any]:
        return {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"},
                "Port": port,
                "Protocol": "HTTP",
                "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
            },
        }

    group = {
        "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
        "Properties": {"Port": PORT, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "Vpc"}},
    }
    return {
        "Parameters": {
            "Vpc": {"Type": "String"},
            "Subnets": {"Type": "CommaDelimitedList"},
            "Sg": {"Type": "String"},
            "Image": {"Type": "String"},
            "BlueWeight": {"Type": "Number", "Default": 100},
            "GreenWeight": {"Type": "Number", "Default": 0},
        },
        "Resources": {
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": STACK}},
            "Lb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": {"Ref": "Subnets"}, "SecurityGroups": [{"Ref": "Sg"}]},
            },
            "Blue": group,
            "Green": group,
            "Listener": listener(80),
            "TestListener": listener(8443),
            "ProductionRule": rule("Listener", {"Ref": "BlueWeight"}, {"Ref": "GreenWeight"}, 1),
            "TestRule": rule("TestListener", 100, 0, 1),
            "Errors": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "rollouts-5xx",
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "HTTPCode_Target_5XX_Count",
                    "Statistic": "Sum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 5,
                    "ComparisonOperator": "GreaterThanThreshold",
                },
            },
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "Family": STACK,
                    "Cpu": "256",
                    "Memory": "512",
                    "NetworkMode": "awsvpc",
                    "RequiresCompatibilities": ["FARGATE"],
                    "ContainerDefinitions": [
                        {"Name": "web", "Image": {"Ref": "Image"}, "PortMappings": [{"ContainerPort": PORT}]}
                    ],
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "DependsOn": ["ProductionRule", "TestRule"],
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "ServiceName": "web",
                    "TaskDefinition": {"Ref": "Task"},
                    "DesiredCount": 2,
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": {
                        "AwsvpcConfiguration": {
                            "Subnets": {"Ref": "Subnets"},
                            "SecurityGroups": [{"Ref": "Sg"}],
                        }
                    },
                    "DeploymentController": {"Type": "ECS"},
                    "DeploymentConfiguration": deployment,
                    "LoadBalancers": [
                        {
                            "ContainerName": "web",
                            "ContainerPort": PORT,
                            "TargetGroupArn": {"Ref": "Blue"},
                            "AdvancedConfiguration": {
                                "AlternateTargetGroupArn": {"Ref": "Green"},
                                "ProductionListenerRule": {"Ref": "ProductionRule"},
                                "TestListenerRule": {"Ref": "TestRule"},
                                "RoleArn": "arn:aws:iam::123456789012:role/ecs-infrastructure",
                            },
                        }
                    ],
                },
            },
        },
    }


class App:
    """The stack, its parameters, and read-backs of what carries traffic."""

    def __init__(self, stacks: Any, aws: Any, route_out: Any, strategy: str, **config: Any) -> None:
        self.stacks, self.aws = stacks, aws
        self.template = template(strategy, **config)
        ec2 = aws("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{n}.0/24", AvailabilityZone=f"us-east-1{z}")[
                "Subnet"
            ]["SubnetId"]
            for n, z in enumerate("ab")
        ]
        route_out(vpc, subnets)  # the public image is pulled through a NAT gateway
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        self.parameters = {"Vpc": vpc, "Subnets": ",".join(subnets), "Sg": sg, "Image": "nginx:1.0"}

    def deploy(self, **parameters: str) -> dict[str, Any]:
        self.parameters.update(parameters)
        return self.stacks.deploy(STACK, self.template, self.parameters)

    def start(self, **parameters: str) -> str:
        """Execute an update and return at once (the engine works in the background, as AWS does)."""
        self.parameters.update(parameters)
        change_set = self.stacks.change_set(STACK, self.template, self.parameters)
        self.stacks.cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
        return str(change_set["StackId"])

    def physical(self, logical_id: str) -> str:
        found = self.stacks.cfn.describe_stack_resource(StackName=STACK, LogicalResourceId=logical_id)
        return str(found["StackResourceDetail"]["PhysicalResourceId"])

    def weights(self, rule: str = "ProductionRule") -> dict[str, int]:
        """Logical target group -> weight, as DescribeRules shows the rule now."""
        names = {self.physical("Blue"): "Blue", self.physical("Green"): "Green"}
        [described] = self.aws("elbv2").describe_rules(RuleArns=[self.physical(rule)])["Rules"]
        groups = described["Actions"][0]["ForwardConfig"]["TargetGroups"]
        return {names[g["TargetGroupArn"]]: g["Weight"] for g in groups}

    def targets(self, group: str) -> int:
        health = self.aws("elbv2").describe_target_health(TargetGroupArn=self.physical(group))
        return sum(h["TargetHealth"]["State"] == "healthy" for h in health["TargetHealthDescriptions"])

    def service(self) -> dict[str, Any]:
        return dict(self.aws("ecs").describe_services(cluster=STACK, services=["web"])["services"][0])

    def images(self) -> set[str]:
        ecs = self.aws("ecs")
        arns = ecs.list_tasks(cluster=STACK, serviceName="web", desiredStatus="RUNNING")["taskArns"]
        described = ecs.describe_tasks(cluster=STACK, tasks=arns)["tasks"] if arns else []
        return {c["image"] for t in described if t["lastStatus"] == "RUNNING" for c in t["containers"]}

    def deployments(self, **filters: Any) -> list[dict[str, Any]]:
        return list(
            self.aws("ecs").list_service_deployments(cluster=STACK, service="web", **filters)[
                "serviceDeployments"
            ]
        )

    def described(self, arn: str) -> dict[str, Any]:
        answer = self.aws("ecs").describe_service_deployments(serviceDeploymentArns=[arn])
        return dict(answer["serviceDeployments"][0])

    def watch(self, stack_id: str, on_sample: Any = None) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
        """Poll the running rollout until the stack settles: (stack, [(lifecycle stage, weights)])."""
        seen: list[tuple[str, Any]] = []
        deadline = time.monotonic() + 60
        while True:
            stack = self.stacks.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
            running = self.deployments(status=["IN_PROGRESS"])
            if running:
                stage = self.described(running[0]["serviceDeploymentArn"]).get("lifecycleStage")
                sample = (stage, self.weights())
                if not seen or seen[-1] != sample:
                    seen.append(sample)
                if on_sample is not None:
                    on_sample(sample)
            if not stack["StackStatus"].endswith("_IN_PROGRESS"):
                return stack, seen
            assert time.monotonic() < deadline, stack["StackStatus"]
            time.sleep(0.01)


@pytest.fixture
def app(stacks, aws, route_out):
    def make(strategy: str, **config: Any) -> App:
        return App(stacks, aws, route_out, strategy, **config)

    return make


@pytest.mark.parametrize(
    ("strategy", "config", "steps"),
    [
        ("BLUE_GREEN", {"BakeTimeInMinutes": 3}, [100]),
        (
            "CANARY",
            {
                "BakeTimeInMinutes": 1,
                "CanaryConfiguration": {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 3},
            },
            [10, 100],
        ),
        (
            "LINEAR",
            {"BakeTimeInMinutes": 1, "LinearConfiguration": {"StepPercent": 25, "StepBakeTimeInMinutes": 2}},
            [25, 50, 75, 100],
        ),
    ],
)
def test_an_image_update_shifts_traffic_to_the_alternate_group_by_rewriting_the_rule(
    app, strategy, config, steps
):
    web = app(strategy, **config)
    assert web.deploy()["StackStatus"] == "CREATE_COMPLETE"
    assert web.weights() == {"Blue": 100, "Green": 0}
    assert (web.targets("Blue"), web.targets("Green")) == (2, 0)
    first = web.service()["taskDefinition"]

    stack, seen = web.watch(web.start(Image="nginx:2.0"))

    # CloudFormation's update finished only once ECS's deployment did.
    assert stack["StackStatus"] == "UPDATE_COMPLETE", web.stacks.failures()
    [done] = web.deployments()
    assert done["status"] == "SUCCESSFUL" and done.get("finishedAt")
    # Each traffic step was observable while it ran, through DescribeRules and the stages.
    greens = [w["Green"] for _, w in seen]
    assert [g for n, g in enumerate(greens) if g not in greens[:n]] == [0, *steps]
    # The stages came in ECS's order; the ones that last (shifting, baking) were always seen.
    stages = [stage for n, (stage, _) in enumerate(seen) if stage not in [s for s, _ in seen[:n]]]
    assert stages == sorted(stages, key=ORDER.index)
    assert {"PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME"} <= set(stages)
    # After: the green tasks (new task definition) in the alternate group carry all the traffic.
    assert web.weights() == {"Blue": 0, "Green": 100}
    assert web.weights("TestRule") == {"Blue": 0, "Green": 100}
    assert (web.targets("Blue"), web.targets("Green")) == (0, 2)
    service = web.service()
    assert service["taskDefinition"] != first and web.images() == {"nginx:2.0"}
    assert service["deploymentConfiguration"]["strategy"] == strategy
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY"]
    assert service["currentServiceDeployment"] == done["serviceDeploymentArn"]


def test_the_next_deployment_goes_back_to_the_primary_group(app):
    web = app("BLUE_GREEN", BakeTimeInMinutes=0)
    web.deploy()
    assert web.deploy(Image="nginx:2.0")["StackStatus"] == "UPDATE_COMPLETE"
    assert web.weights() == {"Blue": 0, "Green": 100}
    assert web.deploy(Image="nginx:3.0")["StackStatus"] == "UPDATE_COMPLETE"
    assert web.weights() == {"Blue": 100, "Green": 0}
    assert (web.targets("Blue"), web.targets("Green")) == (2, 0) and web.images() == {"nginx:3.0"}
    assert [d["status"] for d in web.deployments()] == ["SUCCESSFUL", "SUCCESSFUL"]


def test_an_alarm_in_alarm_during_the_bake_rolls_the_deployment_and_the_stack_back(app, aws):
    """API_DeploymentAlarms: "When the alarms are generated, Amazon ECS sets the service deployment
    to failed", and with rollback "the service is rolled back to the last deployment that completed
    successfully"; CloudFormation then rolls the stack back."""
    web = app(
        "CANARY",
        BakeTimeInMinutes=30,
        CanaryConfiguration={"CanaryPercent": 20, "CanaryBakeTimeInMinutes": 30},
    )
    web.deploy()
    first = web.service()["taskDefinition"]
    fired = threading.Event()

    def alarm_once_canary_takes_traffic(sample: tuple[str, Any]) -> None:
        if not fired.is_set() and sample[1]["Green"] == 20:
            aws("cloudwatch").set_alarm_state(
                AlarmName="rollouts-5xx", StateValue="ALARM", StateReason="Threshold Crossed: 9 5XX"
            )
            fired.set()

    stack, seen = web.watch(web.start(Image="nginx:2.0"), alarm_once_canary_takes_traffic)

    assert fired.is_set() and stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [reason for _, logical, reason in web.stacks.failures() if logical == "Service"]
    assert any("rollouts-5xx" in r and "rolled back" in r for r in reasons), reasons
    # Traffic is back on blue, running the task definition that was there before.
    assert web.weights() == {"Blue": 100, "Green": 0}
    assert web.weights("TestRule") == {"Blue": 100, "Green": 0}
    assert (web.targets("Blue"), web.targets("Green")) == (2, 0)
    assert web.service()["taskDefinition"] == first and web.images() == {"nginx:1.0"}
    [record] = web.deployments()
    described = web.described(record["serviceDeploymentArn"])
    assert described["status"] == "ROLLBACK_SUCCESSFUL"
    assert described["alarms"]["triggeredAlarmNames"] == ["rollouts-5xx"]
    assert described["rollback"]["serviceRevisionArn"] == described["sourceServiceRevisions"][0]["arn"]


def test_tasks_that_fail_trip_the_circuit_breaker_and_traffic_stays_on_blue(app, emulator_faults):
    web = app("BLUE_GREEN", BakeTimeInMinutes=1)
    web.deploy()
    emulator_faults.add_fault({"kind": "task", "service": "web", "effect": "exit", "exit_code": 1})
    stack = web.stacks.wait(web.start(Image="nginx:2.0"))
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [reason for _, logical, reason in web.stacks.failures() if logical == "Service"]
    assert any("Circuit Breaker" in r for r in reasons), reasons
    assert web.weights() == {"Blue": 100, "Green": 0} and web.images() == {"nginx:1.0"}
    described = web.described(web.deployments()[0]["serviceDeploymentArn"])
    assert described["status"] == "ROLLBACK_SUCCESSFUL"
    assert described["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


def test_switching_back_to_rolling_registers_the_tasks_where_the_rule_forwards(app):
    """A rolling service's tasks are in its TargetGroupArn, which its rule forwards to again."""
    web = app("BLUE_GREEN", BakeTimeInMinutes=0)
    web.deploy()
    web.deploy(Image="nginx:2.0")
    assert web.targets("Green") == 2
    resources = web.template["Resources"]
    resources["ProductionRule"]["Properties"]["Actions"] = [
        {"Type": "forward", "TargetGroupArn": {"Ref": "Blue"}}
    ]
    service = resources["Service"]["Properties"]
    service["DeploymentConfiguration"] = {
        "Strategy": "ROLLING",
        "MaximumPercent": 200,
        "MinimumHealthyPercent": 100,
    }
    del service["LoadBalancers"][0]["AdvancedConfiguration"]

    assert web.deploy()["StackStatus"] == "UPDATE_COMPLETE", web.stacks.failures()

    [rule] = web.aws("elbv2").describe_rules(RuleArns=[web.physical("ProductionRule")])["Rules"]
    assert rule["Actions"][0]["TargetGroupArn"] == web.physical("Blue")
    assert (web.targets("Blue"), web.targets("Green")) == (2, 0) and web.images() == {"nginx:2.0"}
