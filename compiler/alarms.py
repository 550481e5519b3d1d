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
    created = []
    if spec.http_5xx_percent is not None:
        created.append(_http_5xx(name, spec.http_5xx_percent, target_groups))
    if spec.p99_latency is not None:
        created.append(_p99_latency(name, spec.p99_latency, target_groups))
    names: list[Any] = [Ref(t.add_resource(alarm)) for alarm in created]
    return ecs.DeploymentAlarms(AlarmNames=[*names, *spec.names], Enable=True, Rollback=deployment.rollback)


def _http_5xx(name: str, percent: float, target_groups: list[str]) -> cloudwatch.Alarm:
    """5XX responses of the targets as a percent of their requests, over all ``target_groups``."""
    errors = [_metric(f"e{i}", "HTTPCode_Target_5XX_Count", "Sum", tg) for i, tg in enumerate(target_groups)]
    requests = [_metric(f"r{i}", "RequestCount", "Sum", tg) for i, tg in enumerate(target_groups)]

    def total(queries: list[cloudwatch.MetricDataQuery]) -> str:
        return "+".join(f"FILL({q.Id},0)" for q in queries)

    expression = _expression("errors", f"100*({total(errors)})/({total(requests)})", "5XX percent")
    description = f"{name}: target 5XX responses above {percent}% of requests"
    return _alarm(HTTP_5XX, description, percent, [*errors, *requests, expression])


def _p99_latency(name: str, seconds: int, target_groups: list[str]) -> cloudwatch.Alarm:
    """The 99th percentile of the target response time, the worse of ``target_groups``."""
    latencies = [_metric(f"t{i}", "TargetResponseTime", "p99", tg) for i, tg in enumerate(target_groups)]
    expression = _expression("latency", f"MAX([{','.join(q.Id for q in latencies)}])", "p99 seconds")
    description = f"{name}: p99 target response time above {seconds}s"
    return _alarm(P99_LATENCY, description, seconds, [*latencies, expression])


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
