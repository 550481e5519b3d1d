"""ECS-native blue/green, canary and linear deployments of a service (``Strategy`` other than ROLLING).

What ECS does when such a service starts a new deployment ("Amazon ECS blue/green service
deployments workflow", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html;
"Amazon ECS canary deployments", "Amazon ECS linear deployments"; the lifecycle stages of
``ServiceDeployment.lifecycleStage`` in the ECS API reference):

* SCALE_UP: the green tasks (the new task definition) start, and register in the *alternate* target
  group: the one of the load balancer's pair (``TargetGroupArn`` / ``AdvancedConfiguration.
  AlternateTargetGroupArn``) that carries no production traffic now;
* TEST_TRAFFIC_SHIFT: the test listener rule (``TestListenerRule``, if any) forwards to green;
* PRODUCTION_TRAFFIC_SHIFT: ECS rewrites the forward weights of the production listener rule
  (``ProductionListenerRule``), so ``DescribeRules`` shows them: all at once (BLUE_GREEN), the
  canary percent then, after ``CanaryBakeTimeInMinutes``, the rest (CANARY: ``CanaryConfiguration``),
  or ``StepPercent`` more each step with ``StepBakeTimeInMinutes`` between steps and none after
  100 % (LINEAR: ``LinearConfiguration``);
* BAKE_TIME: blue and green run side by side for ``BakeTimeInMinutes``;
* CLEAN_UP: the blue tasks stop and leave their target group. The green group now carries the
  traffic, so the next deployment's green tasks go to the other one.

Throughout, the deployment alarms (``DeploymentConfiguration.Alarms``: "Amazon ECS sets the service
deployment to failed" when one is in ALARM, and with ``Rollback`` "the service is rolled back to the
last deployment that completed successfully", API_DeploymentAlarms) and the circuit breaker watch it:
a failure puts the production (and test) traffic back on blue, stops green, and fails the
CloudFormation resource, whose stack then rolls back. CloudFormation waits for the whole ECS
deployment before it reports the service updated (hence its 33-hour cap on CANARY/LINEAR bake times).

Times are compressed, never skipped: a minute of bake lasts ``MINUTE`` seconds, so clients polling
``DescribeServices``, ``ListServiceDeployments`` and ``DescribeServiceDeployments`` see every stage.
"""

from __future__ import annotations

import copy
import math
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.utils import utcnow
from moto.elbv2.models import elbv2_backends

from . import tasks
from .base import ResourceError, as_bool

#: Seconds one minute of bake time lasts in the emulator (``FGC_EMULATOR_MINUTE``).
MINUTE = float(os.environ.get("FGC_EMULATOR_MINUTE", "0.1"))
STRATEGIES = ("BLUE_GREEN", "CANARY", "LINEAR")
#: ListServiceDeployments / DescribeServiceDeployments statuses of a deployment still running.
RUNNING = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
#: CloudFormation's reason when the deployment alarms fail the deployment. AWS documents the circuit
#: breaker's handler message ("Error occurred during operation 'ECS Deployment Circuit Breaker was
#: triggered'.", aws/containers-roadmap#1205) but not the alarms' one: this follows its form and
#: names the alarms.
ALARMED = (
    "Resource handler returned message: \"Error occurred during operation 'ECS Deployment Alarms were "
    "triggered ({alarms}); the deployment was rolled back'.\" (RequestToken: {token}, HandlerErrorCode: "
    "GeneralServiceException)"
)


def strategy_of(deployment_configuration: dict[str, Any] | None) -> str:
    """The service's strategy (API form of DeploymentConfiguration); ROLLING when unset."""
    return str((deployment_configuration or {}).get("strategy") or "ROLLING")


@dataclass
class Pair:
    """One load balancer entry of a service with its AdvancedConfiguration."""

    primary: str
    alternate: str
    production_rule: str | None
    test_rule: str | None


def pairs(service: Any) -> list[Pair]:
    """The load balancer entries that take part in a blue/green style deployment."""
    found = []
    for entry in service.load_balancers or []:
        advanced = entry.get("advancedConfiguration") or {}
        if entry.get("targetGroupArn") and advanced.get("alternateTargetGroupArn"):
            found.append(
                Pair(
                    entry["targetGroupArn"],
                    advanced["alternateTargetGroupArn"],
                    advanced.get("productionListenerRule"),
                    advanced.get("testListenerRule"),
                )
            )
    return found


def live_group(service: Any, primary: str) -> str:
    """The target group of ``primary``'s pair whose tasks carry production traffic now: the primary
    one until a deployment shifts traffic to the alternate one, and for a rolling service (its rule
    forwards to ``TargetGroupArn``, where ECS registers its tasks)."""
    if strategy_of(service.deployment_configuration) not in STRATEGIES:
        return primary
    return str(getattr(service, "fgc_live", {}).get(primary, primary))


def shifts(config: dict[str, Any]) -> list[tuple[float, float]]:
    """The production traffic steps: (percent on green, minutes of bake after it)."""
    strategy = strategy_of(config)
    if strategy == "CANARY":
        canary = config.get("canaryConfiguration") or {}
        percent = float(canary.get("canaryPercent", 5.0))
        return [(percent, float(canary.get("canaryBakeTimeInMinutes", 10))), (100.0, 0.0)]
    if strategy == "LINEAR":
        linear = config.get("linearConfiguration") or {}
        step = float(linear.get("stepPercent", 10.0))
        bake = float(linear.get("stepBakeTimeInMinutes", 6))
        count = math.ceil(100.0 / step - 1e-9)
        return [(min(100.0, round(step * n, 1)), bake if n < count else 0.0) for n in range(1, count + 1)]
    return [(100.0, 0.0)]


def weights(percent: float) -> tuple[int, int]:
    """(blue, green) forward weights for ``percent`` on green: out of 100, or out of 1000 for a
    percent with a tenth (ALB weights are integers up to 999)."""
    if float(percent).is_integer():
        return 100 - int(percent), int(percent)
    green = round(percent * 10)
    return 1000 - green, green


class _Failed(Exception):
    """A rollout stopped by an alarm or the circuit breaker: ``reason`` for CloudFormation."""

    def __init__(self, reason: str, status_reason: str, alarms: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status_reason, self.alarms = reason, status_reason, alarms or []


class Rollout:
    """One ECS deployment of a service from its running task definition to a new one."""

    def __init__(self, service: Any, previous: str, addresses: list[tuple[str, str]]) -> None:
        self.service = service
        self.previous, self.target = previous, service.task_definition
        self.config: dict[str, Any] = service.deployment_configuration or {}
        self.pairs = pairs(service)
        self.addresses = addresses
        self.blue = tasks.running(service)
        self.green: list[tasks.Task] = []
        self.record = _start_record(service, self.config)

    # -- the stages ---------------------------------------------------------------------------
    def run(self) -> None:
        """Go through every stage; on failure put traffic back on blue and raise ResourceError."""
        primary_before = copy.deepcopy(self.service.deployments[:1])
        try:
            self._stage("PRE_SCALE_UP")
            self._stage("SCALE_UP")
            self._scale_up(primary_before)
            self._stage("POST_SCALE_UP")
            self._stage("TEST_TRAFFIC_SHIFT")
            for pair in self.pairs:
                if pair.test_rule:
                    self._forward(pair, pair.test_rule, 100.0)
            for revision in self.record["sourceServiceRevisions"]:
                revision["requestedTestTrafficWeight"] = 0.0
            self.record["targetServiceRevision"]["requestedTestTrafficWeight"] = 100.0
            self._stage("POST_TEST_TRAFFIC_SHIFT")
            self._stage("PRODUCTION_TRAFFIC_SHIFT")
            for percent, bake in shifts(self.config):
                self._shift(percent)
                self._watch(bake)
            self._stage("POST_PRODUCTION_TRAFFIC_SHIFT")
            self._stage("BAKE_TIME")
            self._watch(float(self.config.get("bakeTimeInMinutes") or 0))
            self._stage("CLEAN_UP")
        except _Failed as failed:
            self._roll_back(failed, primary_before)
            raise ResourceError(failed.reason) from None
        self._clean_up()

    def _stage(self, stage: str) -> None:
        _touch(self.record, lifecycleStage=stage)
        self._check()
        time.sleep(tasks.TICK)

    def _scale_up(self, primary_before: list[dict[str, Any]]) -> None:
        """Start the green tasks (the circuit breaker counts their failures) in the idle groups."""
        deployment = {
            **copy.deepcopy(primary_before[0] if primary_before else {}),
            "id": f"ecs-svc/{uuid.uuid4().int % 10**19}",
            "status": "PRIMARY",
            "taskDefinition": self.target,
            "desiredCount": self.service.desired_count,
            "runningCount": 0,
            "pendingCount": self.service.desired_count,
            "failedTasks": 0,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment in progress.",
            "createdAt": utcnow(),
            "updatedAt": utcnow(),
        }
        self.service.deployments = [deployment] + [{**d, "status": "ACTIVE"} for d in primary_before]
        definition = self.service._backend.describe_task_definition(self.target)
        idle = [self._idle(pair) for pair in self.pairs]
        try:
            self.green = tasks.roll_out(self.service, definition, self.addresses, idle)
        except ResourceError as err:
            self.record["deploymentCircuitBreaker"]["status"] = "TRIGGERED"
            raise _Failed(str(err), "ECS deployment circuit breaker: tasks failed to start.") from None
        self.record["deploymentCircuitBreaker"]["failureCount"] = deployment.get("failedTasks", 0)
        elbv2 = elbv2_backends[self.service._account_id][self.service.region_name]
        for pair, group in zip(self.pairs, idle, strict=True):
            port = _container_port(self.service, pair.primary) or elbv2.target_groups[group].port
            elbv2.target_groups[group].register([{"Id": t.ip, "Port": int(port)} for t in self.green])
        deployment.update(runningCount=len(self.green), pendingCount=0)
        _revision(self.record["targetServiceRevision"], running=len(self.green))

    def _idle(self, pair: Pair) -> str:
        return pair.alternate if live_group(self.service, pair.primary) == pair.primary else pair.primary

    def _shift(self, percent: float) -> None:
        for pair in self.pairs:
            if pair.production_rule:
                self._forward(pair, pair.production_rule, percent)
        blue, green = 100.0 - percent, percent
        for revision in self.record["sourceServiceRevisions"]:
            revision["requestedProductionTrafficWeight"] = blue
        self.record["targetServiceRevision"]["requestedProductionTrafficWeight"] = green
        _touch(self.record)

    def _forward(self, pair: Pair, rule: str, percent: float) -> None:
        """Rewrite ``rule``'s forward weights: ``percent`` to green, the rest to blue (as ECS does)."""
        live = live_group(self.service, pair.primary)
        blue, green = weights(percent)
        set_weights(self.service, rule, {live: blue, self._idle(pair): green})

    def _watch(self, minutes: float) -> None:
        """Bake: ``minutes`` (compressed) during which alarms and the breaker can still fail it."""
        deadline = time.monotonic() + minutes * MINUTE
        while True:
            self._check()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(tasks.TICK, left))

    def _check(self) -> None:
        alarms = self.config.get("alarms") or {}
        if not as_bool(alarms.get("enable", False)):
            return
        backend = cloudwatch_backends[self.service._account_id][self.service.region_name]
        names = list(alarms.get("alarmNames") or [])
        firing = [n for n in names if n in backend.alarms and backend.alarms[n].state_value == "ALARM"]
        if firing:
            self.record["alarms"]["triggeredAlarmNames"] = firing
            self.record["alarms"]["status"] = "TRIGGERED"
            raise _Failed(
                ALARMED.format(alarms=", ".join(firing), token=uuid.uuid4()),
                f"ECS deployment failed: alarm(s) {', '.join(firing)} in ALARM state.",
                firing,
            )

    # -- the endings --------------------------------------------------------------------------
    def _clean_up(self) -> None:
        """Blue stops; the groups green is in carry the traffic from now on."""
        live = getattr(self.service, "fgc_live", {})
        for pair in self.pairs:
            live[pair.primary] = self._idle(pair)
        self.service.fgc_live = live
        deployment = self.service.deployments[0]
        tasks.stop_tasks(
            self.service, self.blue, f"Scaling activity initiated by (deployment {deployment['id']})"
        )
        deployment.update(
            rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {deployment['id']} completed."
        )
        self.service.deployments = [deployment]
        finished = utcnow()
        for revision in self.record["sourceServiceRevisions"]:
            _revision(revision, running=0)
        self.record.update(status="SUCCESSFUL", statusReason=None, finishedAt=finished)
        _monitors_done(self.record)
        _touch(self.record)

    def _roll_back(self, failed: _Failed, primary_before: list[dict[str, Any]]) -> None:
        """Traffic back on blue, green stopped. With ``Rollback`` (alarms or circuit breaker) the
        service returns to the previous task definition; without it the deployment just stops and
        the service keeps the new one (CloudFormation's own rollback then deploys the old one)."""
        rollback = _wants_rollback(self.config, failed)
        self.record.update(
            status="ROLLBACK_IN_PROGRESS" if rollback else "STOP_REQUESTED", statusReason=failed.status_reason
        )
        if rollback:
            self.record["rollback"] = {
                "reason": failed.status_reason,
                "startedAt": utcnow(),
                "serviceRevisionArn": self.record["sourceServiceRevisions"][0]["arn"],
            }
        _touch(self.record)
        for pair in self.pairs:
            for rule in (pair.production_rule, pair.test_rule):
                if rule:
                    self._forward(pair, rule, 0.0)
        elbv2 = elbv2_backends[self.service._account_id][self.service.region_name]
        for pair in self.pairs:
            group = elbv2.target_groups.get(self._idle(pair))
            if group is not None:
                group.deregister([{"Id": t.ip} for t in self.green if t.ip in group.targets])
        tasks.stop_tasks(self.service, self.green, f"Deployment {self.record['serviceDeploymentArn']} failed")
        if rollback:
            self.service.task_definition = self.previous
            self.service.deployments = primary_before
        else:
            self.service.deployments[0].update(rolloutState="FAILED", rolloutStateReason=failed.status_reason)
        time.sleep(tasks.TICK)
        self.record.update(
            status="ROLLBACK_SUCCESSFUL" if rollback else "STOPPED", finishedAt=utcnow(), stoppedAt=utcnow()
        )
        _touch(self.record)
        message = (
            f"(service {self.service.name}) deployment {self.record['serviceDeploymentArn']} failed: "
            f"{failed.status_reason}" + (" Rolling back to the previous deployment." if rollback else "")
        )
        tasks.event(self.service, message)


def _wants_rollback(config: dict[str, Any], failed: _Failed) -> bool:
    if failed.alarms:
        return as_bool((config.get("alarms") or {}).get("rollback", False))
    return as_bool((config.get("deploymentCircuitBreaker") or {}).get("rollback", False))


def _container_port(service: Any, group: str) -> int | None:
    for entry in service.load_balancers or []:
        if entry.get("targetGroupArn") == group and entry.get("containerPort"):
            return int(entry["containerPort"])
    return None


def set_weights(service: Any, rule_arn: str, wanted: dict[str, int]) -> None:
    """ModifyRule on ``rule_arn`` with its forward action's weights set from ``wanted``
    (target group ARN -> weight), its conditions kept."""
    elbv2 = elbv2_backends[service._account_id][service.region_name]
    [rule] = elbv2.describe_rules(None, [rule_arn])
    actions = []
    for action in rule.actions:
        data = copy.deepcopy(action.data)
        if data.get("Type") == "forward":
            groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or [
                {"TargetGroupArn": data.get("TargetGroupArn")}
            ]
            known = {g["TargetGroupArn"] for g in groups}
            groups = [{**g, "Weight": wanted.get(g["TargetGroupArn"], 0)} for g in groups] + [
                {"TargetGroupArn": arn, "Weight": weight}
                for arn, weight in wanted.items()
                if arn not in known
            ]
            data.pop("TargetGroupArn", None)
            data["ForwardConfig"] = {**(data.get("ForwardConfig") or {}), "TargetGroups": groups}
        actions.append(data)
    elbv2.modify_rule(rule_arn, [], actions)


# -- the ServiceDeployment records (ListServiceDeployments / DescribeServiceDeployments) ----------
def _arn(service: Any, kind: str) -> str:
    return (
        f"arn:aws:ecs:{service.region_name}:{service._account_id}:{kind}/{service.cluster_name}/"
        f"{service.name}/{uuid.uuid4().int % 10**19}"
    )


def _revision(summary: dict[str, Any], running: int) -> None:
    summary.update(runningTaskCount=running, pendingTaskCount=max(0, summary["requestedTaskCount"] - running))


def _start_record(service: Any, config: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    count = service.desired_count
    alarms = config.get("alarms") or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    record: dict[str, Any] = {
        "serviceDeploymentArn": _arn(service, "service-deployment"),
        "serviceArn": service.arn,
        "clusterArn": service._backend._get_cluster(service.cluster_name).arn,
        "createdAt": now,
        "startedAt": now,
        "updatedAt": now,
        "sourceServiceRevisions": [
            {
                "arn": _arn(service, "service-revision"),
                "requestedTaskCount": count,
                "runningTaskCount": count,
                "pendingTaskCount": 0,
                "requestedTestTrafficWeight": 100.0,
                "requestedProductionTrafficWeight": 100.0,
            }
        ],
        "targetServiceRevision": {
            "arn": _arn(service, "service-revision"),
            "requestedTaskCount": count,
            "runningTaskCount": 0,
            "pendingTaskCount": count,
            "requestedTestTrafficWeight": 0.0,
            "requestedProductionTrafficWeight": 0.0,
        },
        "status": "IN_PROGRESS",
        "lifecycleStage": "RECONCILE_SERVICE",
        "deploymentConfiguration": copy.deepcopy(config),
        "deploymentCircuitBreaker": {
            "status": "MONITORING" if as_bool(breaker.get("enable", False)) else "DISABLED",
            "failureCount": 0,
            "threshold": tasks.circuit_breaker_threshold(count),
        },
        "alarms": {
            "status": "MONITORING" if as_bool(alarms.get("enable", False)) else "DISABLED",
            "alarmNames": list(alarms.get("alarmNames") or []),
            "triggeredAlarmNames": [],
        },
    }
    records: list[dict[str, Any]] = getattr(service, "fgc_service_deployments", [])
    service.fgc_service_deployments = [record, *records]
    service.current_service_deployment = record["serviceDeploymentArn"]
    return record


def _touch(record: dict[str, Any], **changes: Any) -> None:
    record.update(changes, updatedAt=utcnow())


def _monitors_done(record: dict[str, Any]) -> None:
    for monitor in ("deploymentCircuitBreaker", "alarms"):
        if record[monitor]["status"] == "MONITORING":
            record[monitor]["status"] = "MONITORING_COMPLETE"


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the API shows it: a copy, without the fields not set."""
    return {k: copy.deepcopy(v) for k, v in record.items() if v is not None}
