"""The library surface: the README's "As a library" runs as written, and every name it lists works.

This module imports nothing of fgc but the package and its three public sub-packages. The list of supported names
is written twice, in the README and in the ``fgc`` package docstring; a test keeps the two
equal, and another uses every listed name, so neither can list what does not work.
"""

from __future__ import annotations

import inspect
import itertools
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import fgc
from fgc import compiler, deployer, spec

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
LISTED = re.compile(r"^(spec|compiler|deployer)\.(\w+)", re.MULTILINE)

SMALL = """\
app: libtest
network:
  vpc: {azs: 2, nat: single, endpoints: false}  # the public image is pulled through the NAT
services:
  web:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8080
    http: {path: /}
environments:
  one: {}
"""


def library_section() -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split("\n## As a library\n", 1)[1].split("\n## ", 1)[0]


def readme_block(language: str) -> str:
    (block,) = re.findall(rf"^```{language}\n(.*?)^```$", library_section(), re.DOTALL | re.MULTILINE)
    return block


def docstring_list() -> str:
    """The indented block after ``::`` in the package docstring, dedented."""
    assert fgc.__doc__ is not None
    after = fgc.__doc__.split("::\n\n", 1)[1].splitlines()
    block = itertools.takewhile(lambda line: not line or line.startswith("    "), after)
    return textwrap.dedent("\n".join(block)).strip("\n") + "\n"


@pytest.fixture
def on_the_emulator(clean_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A user's shell in an empty folder, with the AWS variables aimed at the emulator (emptied
    before, and after: the README's example keeps its ECR repository, as AWS would)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "IMAGE_TAG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", clean_emulator.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("FGC_POLL_CEILING", "0.1")
    monkeypatch.chdir(tmp_path)
    try:
        yield clean_emulator
    finally:
        clean_emulator.reset()


def test_the_readme_example_runs_as_written(
    on_the_emulator: Any, aws: Callable[[str], Any], capsys: pytest.CaptureFixture[str], provide: Any
) -> None:
    shutil.copyfile(REPO / "fargate.yaml", "fargate.yaml")
    provide(Path("fargate.yaml"), env="prod")  # the secret, as the user creates it first
    # the image the example names as pushed by CI (`fgc deploy` would build and push it itself)
    on_the_emulator.stand_in_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/flask-api:v1.0.0")
    names: dict[str, Any] = {}
    exec(compile(readme_block("python"), "README.md", "exec"), names)

    assert names["app"].stack_name == "flask-api-prod"
    assert [str(f) for f in names["findings"] if f.level == "error"] == []
    plan = names["plan"]
    assert plan.change_set_type == "CREATE" and plan.change_count > 0
    assert plan.change_set_id is None  # discarded
    result = names["result"]
    assert result.executed and result.status == "CREATE_COMPLETE"
    assert capsys.readouterr().out.startswith("CREATE_COMPLETE {")
    cloudformation = aws("cloudformation")
    (stack,) = cloudformation.describe_stacks(StackName="flask-api-prod")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == result.outputs
    nested = cloudformation.list_stack_resources(StackName="flask-api-prod")["StackResourceSummaries"]
    # network, cluster, service-api: nested stacks, all created; the repository is in its own stack
    assert [(r["ResourceType"], r["ResourceStatus"]) for r in nested] == [
        ("AWS::CloudFormation::Stack", "CREATE_COMPLETE")
    ] * 3
    (registries,) = cloudformation.describe_stacks(StackName="flask-api-registries")["Stacks"]
    assert result.stack_name == "flask-api-prod" and registries["StackStatus"] == "CREATE_COMPLETE"
    change_sets = cloudformation.list_change_sets(StackName="flask-api-prod")["Summaries"]
    assert [c["ExecutionStatus"] for c in change_sets] == ["EXECUTE_COMPLETE"]  # none left by the plan


def test_the_readme_and_the_package_docstring_list_the_same_surface() -> None:
    assert readme_block("text") == docstring_list()


def test_every_listed_name_is_exported() -> None:
    packages = {"spec": spec, "compiler": compiler, "deployer": deployer}
    listed = LISTED.findall(docstring_list())
    assert len(listed) > 20
    missing = [f"{p}.{n}" for p, n in listed if n not in packages[p].__all__]
    assert missing == []


def test_every_listed_name_is_used_by_the_surface_test() -> None:
    source = inspect.getsource(test_the_surface_from_load_to_destroy)
    unused = [f"{p}.{n}" for p, n in LISTED.findall(docstring_list()) if f"{p}.{n}" not in source]
    assert unused == []


def test_the_surface_from_load_to_destroy(on_the_emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "fargate.yaml"
    path.write_text(SMALL)
    # spec: load, the errors a user can act on
    assert spec.environments(SMALL) == ["one"]
    assert spec.loads(SMALL).stack_name == "libtest"
    document = spec.load(path, env="one")
    assert isinstance(document, spec.Spec) and document.stack_name == "libtest-one"
    with pytest.raises(spec.SpecError) as invalid:
        spec.loads(SMALL.replace("port: 8080", "port: 8080\n    cpu: 300"))
    assert isinstance(invalid.value, spec.FgcError) and invalid.value.exit_code == 2
    (problem,) = invalid.value.problems
    assert isinstance(problem, spec.Problem) and (problem.line, problem.path) == (8, "services.web.cpu")
    with pytest.raises(spec.UsageError, match="no such file"):
        spec.load(tmp_path / "missing.yaml")

    # compiler: pure compile, lint
    stack_set = compiler.compile(document, compiler.CompileContext(image_tags={"web": "1.26"}))
    assert isinstance(stack_set, compiler.StackSet) and stack_set.stack_name == "libtest-one"
    assert stack_set.parameters["WebImageTag"] == "1.26"
    assert [p.name for p in stack_set.parts] == ["root", "network", "cluster", "service-web"]
    service = stack_set.part("service-web")
    assert isinstance(service, compiler.Part) and service.key == f"templates/{service.sha256}.json"
    assert stack_set["service-web"] is service.template
    assert [str(f) for f in compiler.lint(stack_set, regions=[REGION]) if f.level == "error"] == []
    assert compiler.image_tags(document) == {}  # nothing built from source
    assert compiler.compile_registries(document) is None  # no registries: no <app>-registries stack
    built_from_source = tmp_path / "built" / "fargate.yaml"
    (built_from_source.parent / "ctx").mkdir(parents=True)
    (built_from_source.parent / "ctx" / "Dockerfile").write_text("FROM scratch\n")
    built_from_source.write_text(
        SMALL.replace("nginx:1.25", "x").replace(
            "image: public.ecr.aws/docker/library/x", "image: {build: ctx/, registry: libtest}"
        )
        + "registries: {libtest: {}}\n"
    )
    other = spec.load(built_from_source)
    assert compiler.image_tags(other)["web"].startswith("src-")
    registries = compiler.compile_registries(other)
    assert registries is not None and registries.stack_name == "libtest-registries"
    wired = compiler.compile(other).with_outputs(
        {"LibtestRepositoryUri": "uri", "LibtestRepositoryArn": "arn"}
    )
    assert (wired.parameters["LibtestRepositoryUri"], wired.parameters["LibtestRepositoryArn"]) == (
        "uri",
        "arn",
    )
    built = deployer.build(path, env="one")
    assert isinstance(built, deployer.Built) and built.spec.stack_name == "libtest-one"
    path.with_name("lint.yaml").write_text(
        SMALL
        + "overrides:\n  service-web:\n    - {op: add, path: /Resources/Service/Properties/Bogus, value: 1}\n"
    )
    with pytest.raises(deployer.LintFailed, match="nothing was sent to AWS"):
        deployer.build(path.with_name("lint.yaml"))

    # deployer: connect, plan, discard
    with pytest.raises(deployer.AwsRefused, match="profile 'nobody' not found"):
        deployer.connect(profile="nobody")
    aws = deployer.connect(region=REGION)
    assert isinstance(aws, deployer.Aws) and aws.endpoint_url == on_the_emulator.url
    plan = deployer.plan(stack_set, aws)
    assert isinstance(plan, deployer.Plan) and plan.change_set_type == "CREATE"
    deployer.discard(aws, plan)
    assert plan.change_set_id is None
    review = deployer.review(aws, plan, stack_set)  # what `fgc diff` shows above the plan
    assert isinstance(review, deployer.Review) and review.traffic[0].deployment == "first"

    # deploy: a failure, a stuck stack, Ctrl-C at the question, then success
    on_the_emulator.fail("Service", on="create", reason="no capacity")
    with pytest.raises(deployer.DeployFailed, match="ROLLBACK_COMPLETE") as failed:
        deployer.deploy(stack_set, aws)
    assert "no capacity" in str(failed.value) and failed.value.recovery is deployer.Recovery.RECREATE
    on_the_emulator.clear_faults()
    with pytest.raises(deployer.StackStuck, match="ROLLBACK_COMPLETE") as stuck:
        deployer.deploy(stack_set, aws)
    assert stuck.value.recovery is deployer.Recovery.RECREATE and stuck.value.hint is None

    def ctrl_c(plan: deployer.Plan) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(deployer.Interrupted, match="nothing changed"):
        deployer.deploy(stack_set, aws, recreate=lambda state: True, confirm=ctrl_c)
    events: list[Any] = []
    result = deployer.deploy(stack_set, aws, confirm=lambda plan: True, on_event=events.append)
    assert isinstance(result, deployer.DeployResult) and result.executed
    assert result.status == "CREATE_COMPLETE" and result.plan.stack_name == "libtest-one"
    assert {e.stack for e in events} >= {"libtest-one", "service-web"}

    # status, teardown, destroy
    now = deployer.status(aws, "libtest-one")
    assert isinstance(now, deployer.Status) and now.state.status == "CREATE_COMPLETE"
    assert [(s.running, s.desired) for s in now.services] == [(1, 1)]
    teardown = deployer.teardown(aws, "libtest-one")
    assert "AWS::Logs::LogGroup" in {r.resource_type for r in teardown.kept}
    deployer.destroy(aws, teardown)
    with pytest.raises(deployer.DeployFailed, match="does not exist"):
        deployer.status(aws, "libtest-one")
