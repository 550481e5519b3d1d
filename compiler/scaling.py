"""Application Auto Scaling of a service: scalable target, target tracking, schedules."""

from __future__ import annotations

from fgc.spec.models import Scaling
from troposphere import GetAtt, Join, Ref, Template
from troposphere import applicationautoscaling as aas

_METRICS = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}


def add(t: Template, name: str, scaling: Scaling, *, service: str, target_group: str | None) -> None:
    """Scale ``service`` between min and max; one target-tracking policy per metric given.

    Request count tracking needs the ALB's and target group's full names as its label.
    """
    scheduled = [
        aas.ScheduledAction(
            ScheduledActionName=f"{name}-schedule-{i + 1}",
            Schedule=f"cron({s.cron})",
            ScalableTargetAction=aas.ScalableTargetAction(MinCapacity=s.min, MaxCapacity=s.max),
            **({"Timezone": s.timezone} if s.timezone else {}),
        )
        for i, s in enumerate(scaling.schedule)
    ]
    target = t.add_resource(
        aas.ScalableTarget(
            "ScalableTarget",
            MinCapacity=scaling.min,
            MaxCapacity=scaling.max,
            ResourceId=Join("/", ["service", Ref("ClusterName"), GetAtt(service, "Name")]),
            ScalableDimension="ecs:service:DesiredCount",
            ServiceNamespace="ecs",
            **({"ScheduledActions": scheduled} if scheduled else {}),
        )
    )
    for metric, metric_type in _METRICS.items():
        value = getattr(scaling, metric)
        if not value:
            continue
        spec = aas.PredefinedMetricSpecification(PredefinedMetricType=metric_type)
        if metric == "requests":
            spec.ResourceLabel = Join(
                "/", [Ref("LoadBalancerFullName"), GetAtt(target_group, "TargetGroupFullName")]
            )
        t.add_resource(
            aas.ScalingPolicy(
                f"{metric.capitalize()}ScalingPolicy",
                PolicyName=f"{name}-{metric}",
                PolicyType="TargetTrackingScaling",
                ScalingTargetId=Ref(target),
                TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                    TargetValue=float(value),
                    PredefinedMetricSpecification=spec,
                    ScaleInCooldown=scaling.cooldown.in_,
                    ScaleOutCooldown=scaling.cooldown.out,
                ),
            )
        )
