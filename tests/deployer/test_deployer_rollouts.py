"""`fgc deploy` of blue/green, canary and linear services against the emulator, which carries out
ECS's deployments (emulator/resources/rollouts.py): which target group carries the traffic before
and after an image update, the production rule's weights as DescribeRules shows them, the task
definitions; an alarm rollback; traffic left where ECS put it by later updates (issue 15, item 4);
a deploy during a running ECS deployment waits for it, or with --no-wait refuses; `fgc status` shows
where production traffic goes and the ECS deployment still running.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

SPEC = """\
app: rtest
network:
  vpc: {{azs: 2, endpoints: false, nat: single}}  # public images: tasks need a route out
services:
  web:
    image: public.ecr.aws/docker/library/nginx:${{IMAGE_TAG:-1.25}}
    port: 8080
    count: 2
    http:
      path: ${{RULE_PATH:-/}}
      health_check: {{path: /health}}
    environment:
      COLOR: ${{COLOR:-blue}}
    deployment:
{deployment}
environments:
  {env}: {{}}
"""
STRATEGIES = {
    "blue_green": "      strategy: blue_green\n      bake_time: 3m\n      test_port: 8443",
    "canary": "      strategy: canary\n      bake_time: 1m\n      canary: {percent: 10, bake_time: 3m}",
    "linear": "      strategy: linear\n      bake_time: 1m\n      linear: {step_percent: 50, step_bake_time: 2m}",
}


@pytest.fixture(autouse=True)
def quick_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A minute of bake lasts 0.1 s in the emulator (the default, made explicit for these tests)."""
    monkeypatch.setattr("fgc.emulator.resources.rollouts.MINUTE", 0.1)


class Web:
    """The deployed ``web`` service of one environment, read back from the emulator."""

    def __init__(self, session: Any, stack: str) -> None:
        self.session, self.stack = session, stack
        self._routing: tuple[str, str, str] | None = None

    def service(self) -> dict[str, Any]:
        from fgc.deployer.stacks import resources

        [arn] = [
            r.physical_id
            for r in resources(self.session, self.stack)
            if r.resource_type == "AWS::ECS::Service"
        ]
        cluster = arn.split("/")[1]
        return dict(
            self.session.client("ecs").describe_services(cluster=cluster, services=[arn])["services"][0]
        )

    def routing(self) -> tuple[str, str, str]:
        """(primary target group, alternate target group, production rule) ARNs, as ECS holds them
        (read once: they do not change, and a watcher polling the weights must be quick)."""
        if self._routing is None:
            [balancer] = self.service()["loadBalancers"]
            advanced = balancer["advancedConfiguration"]
            self._routing = (
                balancer["targetGroupArn"],
                advanced["alternateTargetGroupArn"],
                advanced["productionListenerRule"],
            )
        return self._routing

    def weights(self) -> tuple[int, int]:
        """(primary, alternate) weights of the production rule, from DescribeRules."""
        primary, alternate, rule = self.routing()
        [described] = self.session.client("elbv2").describe_rules(RuleArns=[rule])["Rules"]
        by_group = {
            g["TargetGroupArn"]: g["Weight"] for g in described["Actions"][0]["ForwardConfig"]["TargetGroups"]
        }
        return by_group[primary], by_group[alternate]

    def targets(self) -> tuple[int, int]:
        """Healthy targets in the (primary, alternate) target groups."""
        elbv2 = self.session.client("elbv2")
        return tuple(  # type: ignore[return-value]
            sum(
                h["TargetHealth"]["State"] == "healthy"
                for h in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
            )
            for group in self.routing()[:2]
        )

    def serving(self) -> str:
        """Which target group the production traffic goes to: "primary" or "alternate"."""
        primary, alternate = self.weights()
        assert 0 in (primary, alternate), (primary, alternate)
        return "primary" if primary else "alternate"

    def environment(self) -> dict[str, str]:
        definition = self.session.client("ecs").describe_task_definition(
            taskDefinition=self.service()["taskDefinition"]
        )["taskDefinition"]
        [container] = definition["containerDefinitions"]
        return {e["name"]: e["value"] for e in container.get("environment", [])} | {
            "image": container["image"]
        }

    def deployments(self) -> list[dict[str, Any]]:
        service = self.service()
        ecs = self.session.client("ecs")
        listed = ecs.list_service_deployments(cluster=service["clusterArn"], service=service["serviceArn"])
        arns = [d["serviceDeploymentArn"] for d in listed["serviceDeployments"]]
        return (
            list(ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"])
            if arns
            else []
        )


@pytest.fixture
def web(tmp_path: Path, env: str, session: Any, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``web(strategy)``: the spec with that strategy written and deployed; returns (spec path, Web)."""

    def make(strategy: str) -> tuple[Path, Web]:
        path = tmp_path / "fargate.yaml"
        path.write_text(SPEC.format(deployment=STRATEGIES[strategy], env=env))
        code, _, err = cli("deploy", "-f", str(path), "--env", env, "--yes")
        assert code == 0, err
        return path, Web(session, f"rtest-{env}")

    return make


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_an_image_update_moves_the_traffic_to_the_other_target_group(web, cli, env, monkeypatch, strategy):
    path, app = web(strategy)
    assert (app.weights(), app.targets()) == ((100, 0), (2, 0))
    before = app.service()["taskDefinition"]

    monkeypatch.setenv("IMAGE_TAG", "1.27")
    code, _, err = cli("deploy", "-f", str(path), "--env", env, "--yes")

    assert code == 0, err
    assert app.service()["taskDefinition"] != before
    assert app.environment()["image"].endswith("nginx:1.27")
    assert (app.weights(), app.targets()) == ((0, 100), (0, 2))
    [deployment] = app.deployments()
    assert deployment["status"] == "SUCCESSFUL"
    assert deployment["deploymentConfiguration"]["strategy"] == strategy.upper()


def test_the_trap_later_updates_leave_traffic_where_ecs_put_it(web, cli, env, monkeypatch):
    """AWS CDK #36649: after ECS shifted traffic, a CloudFormation update of the production rule
    puts the template's weights back, and traffic goes to the idle target group. fgc passes the
    live weights instead."""
    path, app = web("blue_green")
    monkeypatch.setenv("IMAGE_TAG", "1.27")
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0
    assert app.serving() == "alternate" and app.targets() == (0, 2)  # one traffic shift done
    code, out, err = cli("diff", "-f", str(path), "--env", env)
    assert code == 0 and "WebPrimaryWeight: 100 -> 0" in out and "WebAlternateWeight: 0 -> 100" in out, (
        out + err
    )

    # A change of the rule alone (its path): no ECS deployment, the rule is updated in place.
    monkeypatch.setenv("RULE_PATH", "/app")
    code, out, err = cli("deploy", "-f", str(path), "--env", env, "--yes")
    assert code == 0, err
    assert "recording the live traffic weights (WebAlternateWeight 100, WebPrimaryWeight 0)" in out, out
    assert app.weights() == (0, 100) and app.targets() == (0, 2)  # still on the tasks that run

    # An environment variable: a new ECS deployment, from the live group to the idle one.
    monkeypatch.setenv("COLOR", "green")
    code, _, err = cli("deploy", "-f", str(path), "--env", env, "--yes")
    assert code == 0, err
    assert app.environment()["COLOR"] == "green"
    assert app.weights() == (100, 0) and app.targets() == (2, 0)  # traffic follows the new tasks


ALARM = "rtest-web-errors"


def with_alarm(path: Path, session: Any) -> None:
    """An existing CloudWatch alarm, named in the spec's deployment.alarms."""
    session.client("cloudwatch").put_metric_alarm(
        AlarmName=ALARM,
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    path.write_text(
        path.read_text().replace("      strategy:", f"      alarms: {{names: [{ALARM}]}}\n      strategy:")
    )


def deploy_while_alarming(
    cli: Any, path: Path, env: str, app: Web, session: Any, when: tuple[int, int], monkeypatch: Any
) -> tuple[int, str]:
    """Deploy; once the production weights reach ``when``, put the alarm in ALARM (the AWS way:
    SetAlarmState). The exit status and stderr. A minute of bake lasts 0.5 s here, so the watcher
    cannot miss the moment."""
    monkeypatch.setattr("fgc.emulator.resources.rollouts.MINUTE", 0.5)
    stop = threading.Event()

    def alarm_when_the_weights_move() -> None:
        while not stop.is_set():
            if app.weights() == when:
                session.client("cloudwatch").set_alarm_state(
                    AlarmName=ALARM, StateValue="ALARM", StateReason="Threshold Crossed: 3 5XX"
                )
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=alarm_when_the_weights_move)
    watcher.start()
    try:
        code, _, err = cli("deploy", "-f", str(path), "--env", env, "--yes")
    finally:
        stop.set()
        watcher.join()
    return code, err


def test_an_alarm_during_the_rollout_rolls_it_back(web, cli, env, monkeypatch, session):
    path, app = web("canary")
    before = app.service()["taskDefinition"]
    with_alarm(path, session)
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0

    monkeypatch.setenv("IMAGE_TAG", "1.27")
    code, err = deploy_while_alarming(cli, path, env, app, session, (90, 10), monkeypatch)

    assert code == 1 and ALARM in err and "UPDATE_ROLLBACK_COMPLETE" in err, err
    assert app.service()["taskDefinition"] == before and app.environment()["image"].endswith("nginx:1.25")
    assert (app.weights(), app.targets()) == ((100, 0), (2, 0))
    assert app.deployments()[0]["status"] == "ROLLBACK_SUCCESSFUL"


def test_a_rolled_back_update_after_a_traffic_shift_leaves_traffic_on_the_running_tasks(
    web, cli, env, monkeypatch, session
):
    """The trap in its rollback form: the stack's rollback restores the rule's previous
    properties, so they must be the live weights, not the ones before ECS's last shift."""
    path, app = web("blue_green")
    with_alarm(path, session)
    monkeypatch.setenv("IMAGE_TAG", "1.27")
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0
    assert app.serving() == "alternate"

    monkeypatch.setenv("IMAGE_TAG", "1.28")
    code, err = deploy_while_alarming(cli, path, env, app, session, (100, 0), monkeypatch)

    assert code == 1 and "UPDATE_ROLLBACK_COMPLETE" in err, err
    assert app.environment()["image"].endswith("nginx:1.27")
    assert (app.weights(), app.targets()) == ((0, 100), (0, 2))


def test_a_deploy_during_a_running_ecs_deployment_waits_for_it_or_refuses(
    web, cli, env, monkeypatch, session
):
    path, app = web("blue_green")
    monkeypatch.setattr("fgc.emulator.resources.rollouts.MINUTE", 2.0)  # bake 3m: 6 s, time to deploy
    service = app.service()
    ecs = session.client("ecs")

    def force_new_deployment() -> None:
        """What `aws ecs update-service --force-new-deployment` does: ECS deploys, the stack is idle."""
        ecs.update_service(
            cluster=service["clusterArn"], service=service["serviceArn"], forceNewDeployment=True
        )

    force_new_deployment()
    monkeypatch.setenv("COLOR", "green")
    code, _, err = cli("deploy", "-f", str(path), "--env", env, "--yes", "--no-wait")
    assert code == 1 and "web: ECS deployment IN_PROGRESS" in err and "--no-wait" in err, err
    assert app.environment()["COLOR"] == "blue"  # nothing deployed
    while app.deployments()[0]["status"] == "IN_PROGRESS":
        time.sleep(0.1)

    force_new_deployment()
    code, out, err = cli("deploy", "-f", str(path), "--env", env, "--yes")
    assert code == 0, err
    assert "waiting for the ECS deployments in progress to finish" in out, (out, err)
    assert "BAKE_TIME" in out  # progress lines, one per stage seen
    deployed, forced = app.deployments()[:2]  # newest first
    assert forced["status"] == deployed["status"] == "SUCCESSFUL"
    assert forced["finishedAt"] <= deployed["createdAt"]  # the deploy began once ECS was done
    assert app.environment()["COLOR"] == "green"


def test_a_saved_plan_keeps_traffic_where_ecs_put_it(web, cli, env, monkeypatch, tmp_path, session):
    """Saved plans and the trap: no plan is saved while the stack's weights are not the live ones
    (only fgc deploy records them first), and a traffic shift made by ECS after the plan leaves the
    plan stale instead of being undone by it."""
    path, app = web("blue_green")
    plan = tmp_path / "plan.json"
    monkeypatch.setenv("IMAGE_TAG", "1.27")
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0
    assert app.serving() == "alternate"

    code, _, err = cli("diff", "-f", str(path), "--env", env, "--out", str(plan))
    assert code == 2 and "ECS moved traffic since the last deploy" in err and not plan.exists(), err

    monkeypatch.setenv("RULE_PATH", "/app")
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0  # records the live weights
    monkeypatch.setenv("COLOR", "green")
    assert cli("diff", "-f", str(path), "--env", env, "--out", str(plan))[0] == 0

    # ECS moves the traffic on its own (a forced new deployment), after the plan was made
    service = app.service()
    session.client("ecs").update_service(
        cluster=service["clusterArn"], service=service["serviceArn"], forceNewDeployment=True
    )
    deadline = time.monotonic() + 30
    while app.serving() != "primary" or app.deployments()[0]["status"] != "SUCCESSFUL":
        assert time.monotonic() < deadline, app.deployments()
        time.sleep(0.1)

    code, _, err = cli("deploy", "-f", str(path), "--env", env, "--plan", str(plan), "--yes")
    assert code == 1 and "WebPrimaryWeight: 0 -> 100" in err and "ECS moved traffic since the plan" in err, (
        err
    )
    assert app.environment()["COLOR"] == "blue" and app.weights() == (100, 0)  # nothing executed


def status(cli: Any, path: Path, env: str) -> tuple[str, dict[str, Any]]:
    """``fgc status`` as text and the ``web`` service of ``fgc status --output json``."""
    code, text, err = cli("status", "-f", str(path), "--env", env)
    assert code == 0, err
    code, out, err = cli("status", "-f", str(path), "--env", env, "--output", "json")
    assert code == 0, err
    [service] = [s for s in json.loads(out)["services"] if s["service"] == "web"]
    return text, service


def group_name(arn: str) -> str:
    return arn.split(":")[-1].split("/")[1]


def test_status_shows_where_ecs_sends_production_traffic(web, cli, env, monkeypatch):
    """The production listener rule's weights (elbv2 DescribeRules), the primary and the alternate
    target group named, before and after ECS shifted the traffic; no ECS deployment running."""
    path, app = web("blue_green")
    primary, alternate, rule = app.routing()
    _, service = status(cli, path, env)
    assert (service["traffic"]["primary_weight"], service["traffic"]["alternate_weight"]) == (100, 0)

    monkeypatch.setenv("IMAGE_TAG", "1.27")
    assert cli("deploy", "-f", str(path), "--env", env, "--yes")[0] == 0
    text, service = status(cli, path, env)

    assert (
        f"web production traffic (listener rule weights): primary {group_name(primary)} 0, "
        f"alternate {group_name(alternate)} 100" in text
    ), text
    assert "ECS deployment" not in text and "access denied" not in text
    assert service["traffic"] == {
        "production_rule": rule,
        "primary": primary,
        "alternate": alternate,
        "primary_weight": 0,
        "alternate_weight": 100,
        "deployments": [],
        "unread": [],
    }


def test_status_during_a_bake_shows_the_ecs_deployment_and_its_stage(web, cli, env, monkeypatch, session):
    path, app = web("blue_green")
    monkeypatch.setattr("fgc.emulator.resources.rollouts.MINUTE", 2.0)  # bake 3m: 6 s, time to look
    service = app.service()
    session.client("ecs").update_service(
        cluster=service["clusterArn"], service=service["serviceArn"], forceNewDeployment=True
    )
    deadline = time.monotonic() + 30
    while app.deployments()[0].get("lifecycleStage") != "BAKE_TIME":
        assert time.monotonic() < deadline, app.deployments()
        time.sleep(0.05)
    arn = app.deployments()[0]["serviceDeploymentArn"]

    text, found = status(cli, path, env)

    assert "web: ECS deployment IN_PROGRESS, BAKE_TIME" in text and "(BLUE_GREEN, started " in text, text
    assert "primary " in text and " 0, alternate " in text and " 100" in text  # shifted, still baking
    [deployment] = found["traffic"]["deployments"]
    assert (deployment["arn"], deployment["status"], deployment["stage"]) == (arn, "IN_PROGRESS", "BAKE_TIME")
    assert deployment["strategy"] == "BLUE_GREEN" and deployment["started"]
    while app.deployments()[0]["status"] == "IN_PROGRESS":  # leave no deployment running behind
        time.sleep(0.1)


def test_status_without_permission_to_read_the_traffic_shows_the_rest(web, cli, env, faults):
    path, _ = web("canary")
    for operation in ("DescribeRules", "ListServiceDeployments"):
        faults.add_fault({"kind": "deny", "operation": operation})  # a caller without that permission

    text, service = status(cli, path, env)

    assert "production traffic (listener rule weights)" not in text and "Traceback" not in text
    assert "web: access denied for elasticloadbalancing:DescribeRules, ecs:ListServiceDeployments" in text
    assert "2/2/0" in text  # the services table is still there (running/desired/pending)
    assert service["traffic"]["primary_weight"] is None and service["traffic"]["deployments"] is None
    assert service["traffic"]["unread"] == [
        "elasticloadbalancing:DescribeRules",
        "ecs:ListServiceDeployments",
    ]
