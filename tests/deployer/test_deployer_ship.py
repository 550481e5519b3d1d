"""From source to a running service in one `fgc deploy`: registries stack, build, push, adoption.

Real parts only: a real builder (buildah where nothing else is installed, see `.ci/run`) builds
`FROM scratch` contexts and pushes them over HTTP into the session emulator's registry; the CLI
runs in-process against the emulator. Each test deploys its own application (`<app>-registries`
is shared by the environments of one application, so apps keep tests apart).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fgc.compiler.build_context import ImageBuild, content_tag
from fgc.deployer.images import SUPPORTED

_apps = itertools.count(1)

SPEC = """\
app: {app}
network:
  vpc: {{azs: 2, endpoints: true}}  # private tasks reach ECR (and logs) through the endpoints
registries:
  {app}-repo: {{keep: 5}}
services:
  web:
    image: {{build: ctx/, registry: {app}-repo}}
    port: 8080
    logs: {{retention: 7}}
environments:
  dev: {{}}
  prod: {{}}
"""


class App:
    """One application on disk: its fargate.yaml and a `FROM scratch` build context."""

    def __init__(self, folder: Path, dockerfile: str = "FROM scratch\nCOPY hello.txt /\n") -> None:
        self.name = f"ship{next(_apps):02d}"
        self.repository = f"{self.name}-repo"
        self.folder = folder
        self.spec = folder / "fargate.yaml"
        self.spec.write_text(SPEC.format(app=self.name))
        (folder / "ctx").mkdir()
        (folder / "ctx" / "Dockerfile").write_text(dockerfile)
        (folder / "ctx" / "hello.txt").write_text("hello\n")

    @property
    def tag(self) -> str:
        return content_tag(ImageBuild(self.folder / "ctx", platform="linux/amd64"))

    def stack(self, env: str) -> str:
        return f"{self.name}-{env}"


@pytest.fixture
def app(tmp_path: Path) -> App:
    return App(tmp_path)


def deploy(cli: Any, app: App, env: str, *more: str) -> tuple[int, str, str]:
    return cli("deploy", "-f", str(app.spec), "--env", env, "--yes", *more)


def image_of_service(aws: Any, stack: str) -> str:
    """The image the ECS service of `stack` runs (from its current task definition)."""
    cfn, ecs = aws("cloudformation"), aws("ecs")
    outputs = {
        o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    cluster, service = outputs["ClusterName"], outputs["ServiceWebServiceName"]
    described = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
    assert described["runningCount"] == described["desiredCount"] == 1
    task = ecs.describe_task_definition(taskDefinition=described["taskDefinition"])["taskDefinition"]
    return str(task["containerDefinitions"][0]["image"])


def test_a_first_deploy_creates_the_registries_builds_pushes_and_runs_the_pushed_image(cli, app, aws):
    code, out, err = deploy(cli, app, "dev")
    assert code == 0, out + err
    registries = aws("cloudformation").describe_stacks(StackName=f"{app.name}-registries")["Stacks"][0]
    assert registries["StackStatus"] == "CREATE_COMPLETE"
    images = aws("ecr").describe_images(repositoryName=app.repository)["imageDetails"]
    assert [image["imageTags"] for image in images] == [[app.tag]]
    digest = images[0]["imageDigest"]
    assert f"built and pushed ({digest})" in out  # the digest the push reported is the one ECR holds
    uri = aws("ecr").describe_repositories(repositoryNames=[app.repository])["repositories"][0][
        "repositoryUri"
    ]
    assert image_of_service(aws, app.stack("dev")) == f"{uri}:{app.tag}"
    # the environment's stack holds no repository: the registries stack does
    resources = aws("cloudformation").describe_stack_resources(StackName=app.stack("dev"))["StackResources"]
    assert "Registries" not in {r["LogicalResourceId"] for r in resources}


def test_dev_and_prod_share_one_repository_and_prod_pushes_nothing(cli, app, aws):
    assert deploy(cli, app, "dev")[0] == 0
    code, out, err = deploy(cli, app, "prod")
    assert code == 0, out + err
    assert "already in ECR, not built again" in out and "built and pushed" not in out
    assert f"{app.name}-registries" not in out.split("Plan for")[1]  # no registries plan: nothing changed
    assert image_of_service(aws, app.stack("dev")) == image_of_service(aws, app.stack("prod"))
    assert len(aws("ecr").describe_images(repositoryName=app.repository)["imageDetails"]) == 1


def test_a_no_op_deploy_neither_builds_nor_pushes_in_at_most_15_calls(cli, app, session, monkeypatch):
    assert deploy(cli, app, "dev")[0] == 0
    from fgc.deployer.build import build
    from fgc.deployer.release import release

    calls: Counter[str] = Counter()
    session.session.events.register(
        "before-call", lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"])
    )
    monkeypatch.setenv("FGC_BUILDER", "none")  # a build would fail: the tag is in ECR, nothing is built
    done = release(build(app.spec, "dev"), session)
    assert done.app is not None and not done.app.executed and done.app.plan.is_empty
    assert done.registries is not None and done.registries.plan.is_empty
    assert [image.pushed for image in done.images] == [False]
    assert sum(calls.values()) <= 15, calls
    assert calls["ecr:DescribeImages"] == 1 and not calls["ecr:GetAuthorizationToken"]


def test_a_source_change_is_a_new_tag_and_an_image_only_update(cli, app, aws):
    assert deploy(cli, app, "dev")[0] == 0
    before = app.tag
    (app.folder / "ctx" / "hello.txt").write_text("hello again\n")
    assert app.tag != before
    code, out, err = deploy(cli, app, "dev")
    assert code == 0, out + err
    assert f"WebImageTag: {before} -> {app.tag}" in out and "built and pushed" in out
    assert "network" not in out.split("Plan for")[-1].split("parameters")[0]  # no other stack changes
    assert image_of_service(aws, app.stack("dev")).endswith(f":{app.tag}")
    tags = {
        t
        for image in aws("ecr").describe_images(repositoryName=app.repository)["imageDetails"]
        for t in image["imageTags"]
    }
    assert tags == {before, app.tag}


def test_destroy_keeps_the_log_group_and_registries_and_the_next_deploy_adopts_the_log_group(cli, app, aws):
    assert deploy(cli, app, "dev")[0] == 0
    code, out, _ = cli("destroy", "-f", str(app.spec), "--env", "dev", "--yes")
    assert code == 0 and f"/ecs/{app.stack('dev')}/web" in out
    logs = aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{app.stack('dev')}/")["logGroups"]
    assert [group["logGroupName"] for group in logs] == [f"/ecs/{app.stack('dev')}/web"]
    assert aws("cloudformation").describe_stacks(StackName=f"{app.name}-registries")["Stacks"]

    code, out, err = deploy(cli, app, "dev")
    assert code == 0, out + err
    assert "> LogGroup" in out and "import" in out and "1 to import" in out
    resources = aws("cloudformation").describe_stack_resources(
        PhysicalResourceId=f"/ecs/{app.stack('dev')}/web"
    )["StackResources"]
    assert resources and resources[0]["StackName"].startswith(f"{app.stack('dev')}-ServiceWeb")


def test_a_failed_first_create_then_a_fixed_deploy_adopts_what_the_failure_kept(cli, app, faults, aws):
    faults.fail("Service", on="create", reason="Injected: the service could not start")
    code, out, err = deploy(cli, app, "dev")
    assert code == 1 and "Injected: the service could not start" in err
    state = aws("cloudformation").describe_stacks(StackName=app.stack("dev"))["Stacks"][0]
    assert state["StackStatus"] == "ROLLBACK_COMPLETE"
    faults.clear_faults()
    code, out, err = deploy(cli, app, "dev")
    assert code == 0, out + err
    assert "> LogGroup" in out  # the log group the failed create kept is imported, not re-created
    assert image_of_service(aws, app.stack("dev")).endswith(f":{app.tag}")


def test_destroy_purge_after_the_stack_is_gone_finds_the_log_groups_by_name(cli, app, aws):
    assert deploy(cli, app, "dev")[0] == 0
    assert cli("destroy", "-f", str(app.spec), "--env", "dev", "--yes")[0] == 0
    code, out, err = cli("destroy", "-f", str(app.spec), "--env", "dev", "--purge", "--yes")
    assert code == 0, out + err
    name = f"/ecs/{app.stack('dev')}/web"
    assert "does not exist" in out and name in out and f"purged AWS::Logs::LogGroup {name}" in out
    assert aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    code, out, _ = cli("destroy", "-f", str(app.spec), "--env", "dev", "--purge", "--yes")
    assert code == 0 and "nothing to do" in out


def test_destroy_registries_refuses_while_an_environment_is_deployed(cli, app, aws):
    assert deploy(cli, app, "dev")[0] == 0
    code, out, err = cli("destroy", "-f", str(app.spec), "--registries", "--yes")
    assert code == 1 and app.stack("dev") in err and "destroy them first" in err
    assert aws("ecr").describe_repositories(repositoryNames=[app.repository])["repositories"]
    assert cli("destroy", "-f", str(app.spec), "--env", "dev", "--yes")[0] == 0
    code, out, err = cli("destroy", "-f", str(app.spec), "--registries")
    assert code == 2 and "no terminal" in err  # a data deletion is confirmed, never assumed
    code, out, err = cli("destroy", "-f", str(app.spec), "--registries", "--yes")
    assert code == 0, out + err
    assert f"purged AWS::ECR::Repository {app.repository}" in out
    with pytest.raises(aws("ecr").exceptions.RepositoryNotFoundException):
        aws("ecr").describe_repositories(repositoryNames=[app.repository])


def test_a_failed_build_exits_1_with_the_builders_last_lines_and_deploys_nothing(cli, tmp_path, aws):
    app = App(tmp_path, dockerfile="FROM scratch\nCOPY no-such-file.txt /\n")
    code, out, err = deploy(cli, app, "dev")
    assert code == 1 and "no-such-file.txt" in err and "could not build" in err
    with pytest.raises(aws("cloudformation").exceptions.ClientError, match="does not exist"):
        aws("cloudformation").describe_stacks(StackName=app.stack("dev"))


def test_no_builder_refuses_a_real_deploy_with_exit_2_naming_the_supported_ones(
    cli, app, tmp_path, monkeypatch, aws
):
    monkeypatch.delenv("FGC_BUILDER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, err = deploy(cli, app, "dev")
    assert code == 2 and all(name in err for name in SUPPORTED)
    with pytest.raises(aws("cloudformation").exceptions.ClientError, match="does not exist"):
        aws("cloudformation").describe_stacks(StackName=app.stack("dev"))
    code, _, err = cli("build", "-f", str(app.spec))
    assert code == 2 and "no container builder found" in err


def test_fgc_build_and_push_build_the_content_tag_and_push_it_once(cli, app, aws):
    code, out, err = cli("build", "-f", str(app.spec), "web")
    assert code == 0, out + err
    assert f"built {app.repository}:{app.tag}" in out
    code, out, err = cli("push", "-f", str(app.spec), "--yes")
    assert code == 0, out + err
    assert "built and pushed" in out
    code, out, err = cli("push", "-f", str(app.spec), "--yes")
    assert code == 0 and "already in ECR" in out
    code, _, err = cli("build", "-f", str(app.spec), "nope")
    assert code == 2 and "no service nope" in err


def test_a_name_held_by_another_stack_stops_the_deploy_before_it_starts(cli, app, aws):
    held = f"/ecs/{app.stack('dev')}/web"
    cfn = aws("cloudformation")
    template = (
        '{"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "%s"}}}}'
    )
    cfn.create_stack(StackName=f"{app.name}-squatter", TemplateBody=template % held)
    code, out, err = deploy(cli, app, "dev")
    assert code == 1 and f"{held} belongs to the stack {app.name}-squatter" in err
    with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=app.stack("dev"))  # planned, refused, nothing left behind


def test_render_shows_the_tag_a_deploy_would_push_without_building(cli, app, tmp_path, monkeypatch):
    monkeypatch.setenv("FGC_BUILDER", "none")
    out_dir = tmp_path / "out"
    code, out, err = cli("render", "-f", str(app.spec), "--env", "dev", "-o", str(out_dir), "--no-lint")
    assert code == 0, out + err
    assert f'"WebImageTag": "{app.tag}"' in (out_dir / app.stack("dev") / "parameters.json").read_text()
    assert (out_dir / f"{app.name}-registries" / "root.json").is_file()


def test_destroy_purge_of_a_rolled_back_first_create_deletes_what_it_kept(cli, app, faults, aws):
    faults.fail("Service", on="create", reason="Injected: the service could not start")
    assert deploy(cli, app, "dev")[0] == 1
    faults.clear_faults()
    name = f"/ecs/{app.stack('dev')}/web"
    assert [
        g["logGroupName"] for g in aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    ] == [name]
    code, out, err = cli("destroy", "-f", str(app.spec), "--env", "dev", "--purge", "--yes")
    assert code == 0, out + err
    assert "ROLLBACK_COMPLETE" in out and f"purged AWS::Logs::LogGroup {name}" in out
    assert aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_diff_shows_the_registries_plan_then_the_environments_and_leaves_nothing(cli, app, aws, plan_schema):
    code, out, err = cli("diff", "-f", str(app.spec), "--env", "dev")
    assert code == 0, out + err
    registries, environment = out.split(f"Plan for {app.stack('dev')} (")
    assert f"Plan for {app.name}-registries" in registries
    assert f"{app.name}-registries  + " in registries and "AWS::ECR::Repository" in registries
    assert "service-web  + LogGroup" in environment
    cfn = aws("cloudformation")
    for stack in (f"{app.name}-registries", app.stack("dev")):  # diff deletes what it planned
        with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
            cfn.describe_stacks(StackName=stack)
    assert deploy(cli, app, "dev")[0] == 0
    code, out, _ = cli("diff", "-f", str(app.spec), "--env", "dev", "--output", "json", "--exit-code")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, plan_schema)  # the registries' plan under `registries` too
    assert document["stack"] == app.stack("dev") and document["empty"]
    assert document["registries"]["stack"] == f"{app.name}-registries" and document["registries"]["empty"]
