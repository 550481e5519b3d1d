"""The ECS-native traffic-shifting deployments of a service (``deployment.strategy`` blue_green,
canary or linear): what the service stack adds to a rolling service's resources.

* the alternate target group, a twin of the primary one: ECS registers the new tasks there;
* the production listener rule forwards to both target groups, with weights that are stack
  parameters (``compiler.traffic`` explains why: ECS rewrites them, CloudFormation must not);
* with ``test_port``, a listener of its own on the shared load balancer, whose rule ECS points
  at the new tasks before any production traffic reaches them (the docs make a test rule
  optional for every strategy, so fgc allows it with canary and linear too);
* the infrastructure role ECS assumes to do all that (:func:`infrastructure_role`);
* ``DeploymentController: ECS`` and the strategy's configuration.

Reference: the Amazon ECS developer guide, "Application Load Balancer resources for
blue/green, linear, and canary deployments" and "Amazon ECS infrastructure IAM role for load
balancers"; the CloudFormation reference of AWS::ECS::Service DeploymentConfiguration and
AdvancedConfiguration.
"""

from __future__ import annotations

from typing import Any

from fgc.compiler import cluster, defaults, load_balancer, root
from fgc.compiler.draft import Draft
from fgc.compiler.stackset import PartOutput
from fgc.compiler.traffic import (
    ALTERNATE_TARGET_GROUP,
    ALTERNATE_WEIGHT,
    LISTENER_RULE,
    MAX_WEIGHT,
    PRIMARY_WEIGHT,
    TARGET_GROUP,
    TEST_LISTENER_RULE,
)
from fgc.spec.models import DeploymentConfig, Spec
from troposphere import GetAtt, Ref, Template, ec2, ecs, iam
from troposphere import elasticloadbalancingv2 as elb

INFRASTRUCTURE_ROLE = "InfrastructureRole"
TEST_LISTENER = "TestListener"
#: The strategies ECS documents the deployment circuit breaker for (see :func:`configuration`).
CIRCUIT_BREAKER_STRATEGIES = ("rolling", "blue_green")


def declare_parameters(draft: Draft, spec: Spec, name: str, deployment: DeploymentConfig) -> None:
    """The weights of the production rule (from the root, see ``compiler.traffic``) and, with a
    test port, the load balancer the test listener belongs to."""
    primary, alternate = root.weight_sources(spec, name)
    for parameter, source, target_group in (
        (PRIMARY_WEIGHT, primary, "primary"),
        (ALTERNATE_WEIGHT, alternate, "alternate"),
    ):
        draft.parameter(
            parameter, source, "Number", f"Production rule weight of the {target_group} target group"
        )
        draft.template.parameters[parameter].MinValue = 0
        draft.template.parameters[parameter].MaxValue = MAX_WEIGHT
    if deployment.test_port is not None:
        draft.parameter(
            "LoadBalancerArn",
            PartOutput(cluster.NAME, "LoadBalancerArn"),
            "String",
            "The shared load balancer: the test listener is added to it",
        )


def forward(deployment: DeploymentConfig) -> list[elb.ListenerRuleAction]:
    """The production (and test) rule's action: the primary target group alone for rolling; both,
    weighted by the stack's weight parameters, when ECS shifts traffic."""
    if not deployment.shifts_traffic:
        return [elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(TARGET_GROUP))]
    return [
        elb.ListenerRuleAction(
            Type="forward",
            ForwardConfig=elb.ForwardConfig(
                TargetGroups=[
                    elb.TargetGroupTuple(TargetGroupArn=Ref(TARGET_GROUP), Weight=Ref(PRIMARY_WEIGHT)),
                    elb.TargetGroupTuple(
                        TargetGroupArn=Ref(ALTERNATE_TARGET_GROUP), Weight=Ref(ALTERNATE_WEIGHT)
                    ),
                ]
            ),
        )
    ]


def add(
    t: Template, spec: Spec, name: str, deployment: DeploymentConfig, conditions: list[elb.Condition]
) -> None:
    """The test listener (with ``test_port``) and the infrastructure role; the caller adds the
    alternate target group, a twin of its primary one."""
    if deployment.test_port is not None:
        _add_test_listener(t, spec, name, deployment.test_port, conditions)
    t.add_resource(infrastructure_role(has_test_rule=deployment.test_port is not None))


def _add_test_listener(
    t: Template, spec: Spec, name: str, port: int, conditions: list[elb.Condition]
) -> None:
    """A listener on ``port`` that answers 404 but for the service's routes, open to the same
    CIDR blocks as the production listeners (an ingress rule on the load balancer's group)."""
    certificate = spec.load_balancer.certificate
    listener = elb.Listener(
        TEST_LISTENER,
        LoadBalancerArn=Ref("LoadBalancerArn"),
        Port=port,
        **load_balancer.protocol(certificate),
        DefaultActions=[load_balancer.not_found()],
    )
    if not certificate:
        listener.Metadata = load_balancer.plain_http_metadata("speaks HTTPS")
    t.add_resource(listener)
    t.add_resource(
        elb.ListenerRule(
            TEST_LISTENER_RULE,
            ListenerArn=Ref(listener),
            Priority=defaults.TEST_RULE_PRIORITY,
            Conditions=conditions,
            Actions=forward(spec.services[name].deployment),
        )
    )
    for index, cidr in enumerate(dict.fromkeys(spec.load_balancer.allowed_cidrs)):
        t.add_resource(
            ec2.SecurityGroupIngress(
                f"TestListenerIngress{index + 1}",
                GroupId=Ref("LoadBalancerSecurityGroupId"),
                IpProtocol="tcp",
                FromPort=port,
                ToPort=port,
                CidrIp=cidr,
                Description=f"Test traffic of {name} from {cidr}",
            )
        )


def infrastructure_role(*, has_test_rule: bool) -> iam.Role:
    """The role ECS assumes to shift this service's traffic (AdvancedConfiguration.RoleArn).

    AWS documents a managed policy for it, AmazonECSInfrastructureRolePolicyForLoadBalancers:
    describe listeners, rules, target groups and target health on ``*``; register and
    deregister targets in any target group; modify any ALB or NLB listener and any listener
    rule in the account. fgc writes its own policy instead, the same actions scoped to this
    service: the describe actions stay on ``*`` (Elastic Load Balancing supports no resource
    scoping for them); targets only in the service's two target groups; ``ModifyRule`` only
    on its production (and test) rule. ``ModifyListener`` is left out: with an Application
    Load Balancer ECS rewrites the listener rules, never the listeners (the managed policy
    grants it for Network Load Balancers, whose listeners have no rules).
    """
    rules = [Ref(LISTENER_RULE)] + ([Ref(TEST_LISTENER_RULE)] if has_test_rule else [])
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DescribeLoadBalancing",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ServiceTargets",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": [Ref(TARGET_GROUP), Ref(ALTERNATE_TARGET_GROUP)],
        },
        {
            "Sid": "ShiftTraffic",
            "Effect": "Allow",
            "Action": "elasticloadbalancing:ModifyRule",
            "Resource": rules,
        },
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return iam.Role(
        INFRASTRUCTURE_ROLE,
        AssumeRolePolicyDocument=trust,
        Policies=[
            iam.Policy(
                PolicyName="shift-traffic",
                PolicyDocument={"Version": "2012-10-17", "Statement": statements},
            )
        ],
    )


def advanced_configuration(deployment: DeploymentConfig) -> ecs.AdvancedConfiguration:
    """What the service's load balancer entry adds for ECS to shift traffic."""
    props: dict[str, Any] = {
        "AlternateTargetGroupArn": Ref(ALTERNATE_TARGET_GROUP),
        "ProductionListenerRule": Ref(LISTENER_RULE),
        "RoleArn": GetAtt(INFRASTRUCTURE_ROLE, "Arn"),
    }
    if deployment.test_port is not None:
        props["TestListenerRule"] = Ref(TEST_LISTENER_RULE)
    return ecs.AdvancedConfiguration(**props)


def configuration(
    deployment: DeploymentConfig, alarms: ecs.DeploymentAlarms | None
) -> ecs.DeploymentConfiguration:
    """The service's DeploymentConfiguration: rolling's percents, or the strategy and its bakes.

    The circuit breaker (which stops, and with ``rollback`` reverts, a deployment whose new tasks
    never become healthy) is on where ECS documents it: "Both methods [circuit breaker and
    CloudWatch alarms] only support rolling update deployment and blue/green deployment types"
    (ECS developer guide, "Amazon ECS deployment failure detection"). Canary and linear
    deployments are not named there, so they get none; their failures are caught by the
    alarms and by ECS's own health checks of the new tasks before any traffic shifts.
    """
    props: dict[str, Any] = {}
    if deployment.shifts_traffic:
        props["Strategy"] = deployment.strategy.upper()  # blue_green -> BLUE_GREEN, ECS's spelling
        props["BakeTimeInMinutes"] = deployment.bake_minutes
        if deployment.strategy == "canary":
            canary = deployment.canary
            props["CanaryConfiguration"] = ecs.CanaryConfiguration(
                CanaryPercent=canary.percent, CanaryBakeTimeInMinutes=canary.bake_time // 60
            )
        elif deployment.strategy == "linear":
            linear = deployment.linear
            props["LinearConfiguration"] = ecs.LinearConfiguration(
                StepPercent=linear.step_percent, StepBakeTimeInMinutes=linear.step_bake_time // 60
            )
    else:
        props["MaximumPercent"] = deployment.max_percent
        props["MinimumHealthyPercent"] = deployment.min_healthy_percent
    if deployment.strategy in CIRCUIT_BREAKER_STRATEGIES:
        props["DeploymentCircuitBreaker"] = ecs.DeploymentCircuitBreaker(
            Enable=True, Rollback=deployment.rollback
        )
    if alarms is not None:
        props["Alarms"] = alarms
    return ecs.DeploymentConfiguration(**props)
