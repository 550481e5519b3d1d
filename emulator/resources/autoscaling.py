"""Application Auto Scaling scalable target (with scheduled actions) and scaling policy.

Backed by moto's applicationautoscaling backend, so ``describe_scalable_targets``,
``describe_scheduled_actions`` and ``describe_scaling_policies`` read back the template."""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import (
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)
from moto.core.common_models import CloudFormationModel

from .base import Resource, ResourceError, as_bool
from .ecs import clamp_desired_count


def _backend(account_id: str, region_name: str) -> Any:
    return applicationautoscaling_backends[account_id][region_name]


def _key(props: dict[str, Any]) -> tuple[str, str, str]:
    return props["ServiceNamespace"], props["ResourceId"], props["ScalableDimension"]


class ScalableTarget(Resource, CloudFormationModel):
    """Ref is ``ResourceId|ScalableDimension|ServiceNamespace``, the form CloudFormation uses."""

    TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    CREATE_ONLY = ("ResourceId", "ScalableDimension", "ServiceNamespace")
    ATTRIBUTES = {"Id": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        missing = [
            p
            for p in ("ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity")
            if props.get(p) is None
        ]
        if missing:
            raise ResourceError(f"Properties validation failed: required key(s) {missing} not found")
        namespace, resource_id, dimension = _key(props)
        handle = cls(f"{resource_id}|{dimension}|{namespace}", props, account_id, region_name)
        handle._register(props, previous={})
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        self._register(props, previous=self.properties)

    def _register(self, props: dict[str, Any], previous: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        namespace, resource_id, dimension = _key(props)
        suspended = {
            k[:1].lower() + k[1:]: as_bool(v) for k, v in (props.get("SuspendedState") or {}).items()
        }
        backend.register_scalable_target(
            namespace,
            resource_id,
            dimension,
            min_capacity=int(props["MinCapacity"]),
            max_capacity=int(props["MaxCapacity"]),
            role_arn=props.get("RoleARN"),
            suspended_state=suspended or None,
        )
        if namespace == "ecs" and dimension == "ecs:service:DesiredCount":
            # RegisterScalableTarget moves an active resource's capacity into [min, max] at once.
            clamp_desired_count(
                self.account_id,
                self.region_name,
                resource_id,
                int(props["MinCapacity"]),
                int(props["MaxCapacity"]),
            )
        wanted = {a["ScheduledActionName"]: a for a in props.get("ScheduledActions") or []}
        for old in previous.get("ScheduledActions") or []:
            if old["ScheduledActionName"] not in wanted:
                backend.delete_scheduled_action(namespace, old["ScheduledActionName"], resource_id, dimension)
        for action_name, action in wanted.items():
            target_action = action.get("ScalableTargetAction") or {}
            backend.put_scheduled_action(
                namespace,
                action["Schedule"],
                action.get("Timezone"),
                action_name,
                resource_id,
                dimension,
                action.get("StartTime"),
                action.get("EndTime"),
                {k: int(v) for k, v in target_action.items()},
            )

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        namespace, resource_id, dimension = _key(self.properties)
        for action in list(backend.scheduled_actions):
            if (action.service_namespace, action.resource_id, action.scalable_dimension) == (
                namespace,
                resource_id,
                dimension,
            ):
                backend.delete_scheduled_action(
                    namespace, action.scheduled_action_name, resource_id, dimension
                )
        if backend._scalable_target_exists(resource_id, dimension):
            backend.deregister_scalable_target(namespace, resource_id, dimension)


class ScalingPolicy(Resource, CloudFormationModel):
    """A target tracking or step scaling policy; Ref is the policy ARN."""

    TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    CREATE_ONLY = ("PolicyName", "ResourceId", "ScalableDimension", "ScalingTargetId", "ServiceNamespace")
    ATTRIBUTES = {"Arn": "physical_id"}

    @staticmethod
    def _target(props: dict[str, Any]) -> tuple[str, str, str]:
        """Namespace, resource id and dimension, given directly or through ScalingTargetId."""
        if props.get("ScalingTargetId"):
            resource_id, dimension, namespace = str(props["ScalingTargetId"]).split("|")
            return namespace, resource_id, dimension
        try:
            return _key(props)
        except KeyError as err:
            raise ResourceError(
                "Properties validation failed: give ScalingTargetId, or ServiceNamespace, ResourceId "
                "and ScalableDimension"
            ) from err

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        policy = cls._put(props, account_id, region_name)
        return cls(policy.policy_arn, props, account_id, region_name)

    @classmethod
    def _put(cls, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        namespace, resource_id, dimension = cls._target(props)
        backend = _backend(account_id, region_name)
        if not backend._scalable_target_exists(resource_id, dimension):
            raise ResourceError(
                f"No scalable target registered for service namespace: {namespace}, "
                f"resource ID: {resource_id}, scalable dimension: {dimension}"
            )
        policy_type = props.get("PolicyType")
        body = props.get(
            "TargetTrackingScalingPolicyConfiguration"
            if policy_type == "TargetTrackingScaling"
            else "StepScalingPolicyConfiguration"
        )
        if not body:
            raise ResourceError(f"Properties validation failed: {policy_type} needs its policy configuration")
        return backend.put_scaling_policy(
            props["PolicyName"], namespace, resource_id, dimension, body, policy_type
        )

    def _update(self, props: dict[str, Any]) -> None:
        # PutScalingPolicy on an existing policy keeps its ARN in AWS; moto mints a new one.
        self._put(props, self.account_id, self.region_name).policy_arn = self.physical_id

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        namespace, resource_id, dimension = self._target(self.properties)
        name = self.properties["PolicyName"]
        key = FakeApplicationAutoscalingPolicy.formulate_key(namespace, resource_id, dimension, name)
        if key in backend.policies:
            backend.delete_scaling_policy(name, namespace, resource_id, dimension)
