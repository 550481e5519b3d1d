"""Unit tests of the compiler's small parts: names, images, secrets, priorities, overrides."""

from __future__ import annotations

import pytest
from fgc.compiler import images, priorities, secrets
from fgc.compiler.naming import image_tag_parameter, pascal, stack_logical_id
from fgc.compiler.stackset import StackSet
from fgc.spec.errors import SpecError, UsageError
from fgc.spec.models import ImageRef, SecretRef

from fgc import compiler, spec


def test_names_are_pascal_case() -> None:
    assert pascal("flask-api") == "FlaskApi"
    assert stack_logical_id("service-api-v2") == "ServiceApiV2"
    assert image_tag_parameter("api") == "ApiImageTag"


@pytest.mark.parametrize(
    ("text", "repository", "separator", "tag"),
    [
        ("nginx", "nginx", ":", "latest"),
        ("nginx:1.27", "nginx", ":", "1.27"),
        ("localhost:5000/team/app:v2", "localhost:5000/team/app", ":", "v2"),
        ("localhost:5000/team/app", "localhost:5000/team/app", ":", "latest"),
        ("ghcr.io/x/y@sha256:abc", "ghcr.io/x/y", "@", "sha256:abc"),
    ],
)
def test_image_references_split_into_repository_and_tag(text, repository, separator, tag) -> None:
    image = images.parse(text)
    assert (image.repository, image.separator, image.tag) == (repository, separator, tag)


def test_ecr_images_are_pulled_from_exactly_their_repository() -> None:
    assert images.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1").ecr_arn() == (
        "arn:aws:ecr:eu-west-1:123456789012:repository/team/app"
    )
    assert (
        images.parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1")
        .ecr_arn()
        .startswith("arn:aws-cn:")
    )
    assert images.parse("nginx:1").ecr_arn() is None
    ref = images.parse(ImageRef(registry="flask-api", tag="v1"))
    assert ref.ecr_arn().to_dict() == {"Ref": "FlaskApiRepositoryArn"}
    assert ref.reference("ImageTag").to_dict() == {"Fn::Sub": "${FlaskApiRepositoryUri}:${ImageTag}"}


def test_secret_references_and_grants() -> None:
    keyed = SecretRef(secretsmanager="db/main", key="password")
    assert secrets.value_from(keyed).to_dict()["Fn::Sub"].endswith(":secret:db/main:password::")
    assert [a.to_dict()["Fn::Sub"] for a in secrets.resource_arns(keyed)] == [
        "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db/main-??????"
    ]
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    assert secrets.value_from(SecretRef(secretsmanager=arn)) == arn
    assert secrets.resource_arns(SecretRef(secretsmanager=arn)) == [arn, arn + "-??????"]
    for name in ("/app/key", "app/key"):
        value = secrets.value_from(SecretRef(ssm=name)).to_dict()["Fn::Sub"]
        assert value == "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/key"


def test_path_values() -> None:
    assert priorities.path_values(["/"]) == ["/*"]
    assert priorities.path_values(["/api"]) == ["/api", "/api/*"]
    assert priorities.path_values(["/api/", "/v2/*"]) == ["/api/", "/api/*", "/v2/*"]
    assert priorities.path_values(None) == []


def _route(host: bool, *paths: str) -> priorities.Route:
    return priorities.Route(has_host=host, paths=tuple(priorities.path_values(list(paths))))


def test_more_specific_rules_get_lower_priorities_whatever_their_names() -> None:
    routes = {
        "a-catch-all": _route(False, "/"),
        "b-api": _route(False, "/api"),
        "c-api-v2": _route(False, "/api/v2"),
        "z-host": _route(True),
        "y-host-path": _route(True, "/admin"),
    }
    p = priorities.assign(routes).priorities
    assert p["y-host-path"] < p["z-host"] < p["c-api-v2"] < p["b-api"] < p["a-catch-all"]


def test_adding_services_does_not_move_existing_rules() -> None:
    before = {f"svc-{i}": _route(False, f"/svc-{i}") for i in range(40)}
    after = {**before, **{f"new-{i}": _route(False, f"/new-{i}") for i in range(40)}}
    old, new = priorities.assign(before), priorities.assign(after)
    moved = {n for n in before if old.priorities[n] != new.priorities[n]}
    displaced = {n for names in new.displaced.values() for n in names}
    assert moved <= displaced  # only an exact slot collision may move a rule, and the root orders it
    assert len(set(new.priorities.values())) == len(after)


def test_collisions_probe_to_the_next_free_slot_and_are_reported() -> None:
    names = [f"s{i}" for i in range(3000)]
    routes = {n: _route(False, "/x") for n in names[: priorities.BUCKET_SIZE]}
    result = priorities.assign(routes)
    assert len(set(result.priorities.values())) == len(routes)
    assert result.displaced
    for holder, moved in result.displaced.items():
        assert holder in routes and all(m in routes for m in moved)


def _compile(text: str) -> StackSet:
    return compiler.compile(spec.loads(text, environ={}))


def test_bad_override_path_is_a_spec_error_at_the_operation() -> None:
    text = (
        "app: x\nservices:\n  api:\n    image: nginx\n"
        "overrides:\n  service-api:\n    - {op: remove, path: /Resources/Nope}\n"
    )
    with pytest.raises(SpecError) as caught:
        _compile(text)
    (problem,) = caught.value.problems
    assert problem.path == "overrides.service-api[0]"
    assert "/Resources/Nope" in problem.message


def test_overrides_apply_last_and_change_the_child_hash() -> None:
    base = "app: x\nservices:\n  api:\n    image: nginx\n"
    patched = base + "overrides:\n  service-api:\n    - {op: add, path: /Metadata, value: {owner: me}}\n"
    plain, changed = _compile(base), _compile(patched)
    assert changed["service-api"]["Metadata"] == {"owner": "me"}
    assert plain.sha256("service-api") != changed.sha256("service-api")
    url = changed["root"]["Resources"]["ServiceApi"]["Properties"]["TemplateURL"]["Fn::Sub"]
    assert url == "${ArtifactsUrl}/templates/" + changed.sha256("service-api") + ".json"


def test_image_tag_change_changes_parameters_only() -> None:
    one = _compile("app: x\nservices:\n  api:\n    image: nginx:1.0\n")
    two = _compile("app: x\nservices:\n  api:\n    image: nginx:2.0\n")
    assert one.parameters == {"ApiImageTag": "1.0"} and two.parameters == {"ApiImageTag": "2.0"}
    assert all(one.body(name) == two.body(name) for name in one)


def test_colliding_logical_ids_are_refused() -> None:
    with pytest.raises(SpecError, match="both become the id A1"):
        _compile("app: x\nservices:\n  a-1:\n    image: nginx\n  a1:\n    image: nginx\n")


def test_existing_vpc_with_discovery_needs_its_cidr() -> None:
    text = (
        "app: x\nnetwork:\n  existing: {vpc_id: vpc-1, private_subnets: [subnet-1, subnet-2]}\n"
        "services:\n  api:\n    image: nginx\n    port: 80\n    discovery: api\n"
    )
    with pytest.raises(SpecError, match="cidr"):
        _compile(text)


def test_too_many_route_patterns_are_refused() -> None:
    text = "app: x\nservices:\n  api:\n    image: nginx\n    port: 80\n    http: {path: [/a, /b, /c]}\n"
    with pytest.raises(SpecError, match="at most 5"):
        _compile(text)


def test_templates_body_is_canonical_and_yaml_is_available() -> None:
    templates = _compile("app: x\nservices:\n  api:\n    image: nginx\n")
    body = templates.body("root")
    assert body.endswith("}\n") and body.startswith('{\n  "AWSTemplateFormatVersion": "2010-09-09"')
    assert templates.part("cluster").key == f"templates/{templates.sha256('cluster')}.json"
    assert "AWSTemplateFormatVersion: '2010-09-09'" in templates.yaml("root")
    assert templates.stack_name == "x" and templates.names[0] == "root"


def test_context_image_tags_change_parameter_values_only() -> None:
    app = spec.loads("app: x\nservices:\n  api:\n    image: nginx:1.0\n", environ={})
    base = compiler.compile(app)
    pinned = compiler.compile(app, compiler.CompileContext(image_tags={"api": "2.0"}))
    assert pinned.parameters == {"ApiImageTag": "2.0"}
    assert all(base.body(name) == pinned.body(name) for name in base)
    with pytest.raises(UsageError, match="unknown service"):
        compiler.compile(app, compiler.CompileContext(image_tags={"web": "1"}))


def _colliding_pair() -> tuple[str, str]:
    """Two service names whose rules want the same slot of the same bucket."""
    seen: dict[int, str] = {}
    for i in range(5000):
        name = f"s{i}"
        slot = priorities.assign({name: _route(False, "/x")}).priorities[name]
        if slot in seen:
            return seen[slot], name
        seen[slot] = name
    raise AssertionError("no collision found")


def test_a_collision_orders_the_nested_stacks_so_the_displaced_rule_moves_first() -> None:
    first, second = sorted(_colliding_pair())
    text = "app: x\nservices:\n" + "".join(  # /a and /b: different routes, same bucket (length)
        f"  {n}:\n    image: nginx\n    port: 80\n    http: {{path: {p}}}\n"
        for n, p in ((first, "/a"), (second, "/b"))
    )
    templates = _compile(text)
    rules = [
        templates[f"service-{n}"]["Resources"]["ListenerRule"]["Properties"]["Priority"]
        for n in (first, second)
    ]
    assert rules[1] == rules[0] + 1
    holder = templates["root"]["Resources"][stack_logical_id(f"service-{first}")]
    assert holder["DependsOn"] == [stack_logical_id(f"service-{second}")]


def test_read_only_root_gets_writable_tmp_and_exec_agent_directories() -> None:
    base = "app: x\nservices:\n  api:\n    image: nginx\n    sidecars: {log: {image: busybox}}\n"
    plain = _compile(base)["service-api"]["Resources"]["TaskDefinition"]["Properties"]
    assert plain["Volumes"] == [{"Name": "tmp"}]
    for container in plain["ContainerDefinitions"]:
        assert container["ReadonlyRootFilesystem"] is True
        assert [m["ContainerPath"] for m in container["MountPoints"]] == ["/tmp"]
    execd = _compile(base.replace("image: nginx\n", "image: nginx\n    exec: true\n"))
    task = execd["service-api"]["Resources"]["TaskDefinition"]["Properties"]
    paths = [m["ContainerPath"] for m in task["ContainerDefinitions"][0]["MountPoints"]]
    assert paths == ["/tmp", "/var/lib/amazon", "/var/log/amazon"]
    assert task["ContainerDefinitions"][0]["LinuxParameters"] == {"InitProcessEnabled": True}
    writable = _compile(base.replace("image: nginx\n", "image: nginx\n    readonly_root: false\n"))
    task = writable["service-api"]["Resources"]["TaskDefinition"]["Properties"]
    assert "Volumes" not in task and "MountPoints" not in task["ContainerDefinitions"][0]


def test_root_outputs_per_service_cannot_collide_with_application_outputs() -> None:
    text = "app: x\nservices:\n  load-balancer:\n    image: nginx\n    port: 80\n    http: {path: /}\n"
    outputs = _compile(text)["root"]["Outputs"]
    assert {"LoadBalancerUrl", "ServiceLoadBalancerUrl", "ServiceLoadBalancerLogGroupName"} <= set(outputs)


def test_compile_errors_point_at_the_line_of_a_loaded_spec() -> None:
    """The loader keeps where each value was written, so compile-time errors get their line."""
    text = (
        "app: x\nservices:\n  api:\n    image: nginx\n"
        "overrides:\n  service-api:\n    - {op: remove, path: /Resources/Nope}\n"
    )
    app = spec.loads(text, environ={})
    with pytest.raises(SpecError) as caught:
        compiler.compile(app)
    assert str(caught.value).startswith("fargate.yaml:7:7: overrides.service-api[0]: cannot remove")
