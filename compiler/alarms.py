"""``deployment.alarms``: CloudWatch alarms that roll a deployment back (DeploymentAlarms).

fgc creates the two the spec names on the service's own target groups (both of them when ECS
shifts traffic between two, so the alarm follows the new tasks whichever group they are in):

* ``http_5xx_percent``: HTTPCode_Target_5XX_Count as a percent of RequestCount, by metric math;
* ``p99_latency``: the 99th percentile of TargetResponseTime (the worse of the two groups).

Metrics and dimensions from the Elastic Load Balancing guide, "CloudWatch metrics for your
Application Load Balancer" (namespace AWS/ApplicationELB, dimensions LoadBalancer and
TargetGroup). A minute with no requests is not a breach (``TreatMissingData: notBreaching``):
a fresh service must not roll back for lack of traffic. ``names`` are existing alarms, added as
they are. The ECS service lists them all with ``Enable`` and ``Rollback`` (the spec's ``rollback``).
"""

from __future__ import annotations

from typing import Any

from fgc.compiler import defaults
from fgc.spec.models import DeploymentConfig
from troposphere import GetAtt, Ref, Template, cloudwatch, ecs

NAMESPACE = "AWS/ApplicationELB"
HTTP_5XX = "Http5xxAlarm"
P99_LATENCY = "P99LatencyAlarm"


def add(
    t: Template, name: str, deployment: DeploymentConfig, target_groups: list[str]
) -> ecs.DeploymentAlarms | None:
    """Add the alarms ``deployment.alarms`` asks for on ``target_groups`` (logical ids); return the
    service's DeploymentAlarms, or None without ``alarms``."""
    spec = deployment.alarms
    if spec is None:
        return None
    names: list[Any] = []
    if spec.http_5xx_percent is not None:
        errors = [
            _metric(f"e{i}", "HTTPCode_Target_5XX_Count", "Sum", tg) for i, tg in enumerate(target_groups)
        ]
        requests = [_metric(f"r{i}", "RequestCount", "Sum", tg) for i, tg in enumerate(target_groups)]
        total = "+".join
        expression = (
            f"100*({total(f'FILL({m.Id},0)' for m in errors)})/({total(f'FILL({m.Id},0)' for m in requests)})"
        )
        names.append(
            Ref(
                t.add_resource(
                    _alarm(
                        HTTP_5XX,
                        f"{name}: target 5XX responses above {spec.http_5xx_percent}% of requests",
                        spec.http_5xx_percent,
                        [*errors, *requests, _expression("errors", expression, "5XX percent")],
                    )
                )
            )
        )
    if spec.p99_latency is not None:
        latencies = [_metric(f"t{i}", "TargetResponseTime", "p99", tg) for i, tg in enumerate(target_groups)]
        expression = f"MAX([{','.join(m.Id for m in latencies)}])"
        names.append(
            Ref(
                t.add_resource(
                    _alarm(
                        P99_LATENCY,
                        f"{name}: p99 target response time above {spec.p99_latency}s",
                        spec.p99_latency,
                        [*latencies, _expression("latency", expression, "p99 seconds")],
                    )
                )
            )
        )
    return ecs.DeploymentAlarms(AlarmNames=[*names, *spec.names], Enable=True, Rollback=deployment.rollback)


def _alarm(
    title: str, description: str, threshold: float, metrics: list[cloudwatch.MetricDataQuery]
) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        title,
        AlarmDescription=description,
        ComparisonOperator="GreaterThanThreshold",
        Threshold=threshold,
        EvaluationPeriods=defaults.ALARM_EVALUATION_PERIODS,
        DatapointsToAlarm=defaults.ALARM_DATAPOINTS,
        TreatMissingData="notBreaching",
        Metrics=metrics,
    )


def _metric(query: str, metric: str, stat: str, target_group: str) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(
        Id=query,
        ReturnData=False,
        MetricStat=cloudwatch.MetricStat(
            Metric=cloudwatch.Metric(
                Namespace=NAMESPACE,
                MetricName=metric,
                Dimensions=[
                    cloudwatch.MetricDimension(Name="LoadBalancer", Value=Ref("LoadBalancerFullName")),
                    cloudwatch.MetricDimension(
                        Name="TargetGroup", Value=GetAtt(target_group, "TargetGroupFullName")
                    ),
                ],
            ),
            Period=defaults.ALARM_PERIOD,
            Stat=stat,
        ),
    )


def _expression(query: str, expression: str, label: str) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(Id=query, Expression=expression, Label=label, ReturnData=True)


def needs_load_balancer_name(deployment: DeploymentConfig) -> bool:
    """Whether the alarms read the load balancer's metrics (its full name is a dimension)."""
    alarms = deployment.alarms
    return alarms is not None and (alarms.http_5xx_percent is not None or alarms.p99_latency is not None)
