"""The stack set as a value: parts, their keys and labels, and wiring refused at compile time."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fgc.compiler import root
from fgc.compiler.draft import Draft
from fgc.compiler.naming import stack_logical_id
from fgc.compiler.stackset import (
    ROOT,
    Part,
    PartOutput,
    RootParameter,
    Source,
    SpecValue,
    StackOutput,
    StackSet,
    WiringError,
)
from fgc.spec.errors import SpecError
from troposphere import Template

from fgc import compiler, spec

SERVICE = "app: x\nservices:\n  api:\n    image: nginx:1.27\n"


def _compile(text: str) -> StackSet:
    return compiler.compile(spec.loads(text, filename="fargate.yaml", environ={}))


def test_parts_carry_name_logical_id_label_and_content_key(repo_templates: StackSet) -> None:
    stack_set = repo_templates
    assert [p.name for p in stack_set.parts] == ["root", "network", "cluster", "service-api"]
    assert [p.logical_id for p in stack_set.nested] == ["Network", "Cluster", "ServiceApi"]
    assert stack_set.root.logical_id == stack_set.stack_name == "flask-api"
    assert stack_set.labels == {"Network": "network", "Cluster": "cluster", "ServiceApi": "service-api"}
    service = stack_set.part("service-api")
    assert service.service == "api" and stack_set.part("cluster").service is None
    # the root holds each nested part by its logical id, at its content key
    for part in stack_set.nested:
        stack = stack_set[ROOT]["Resources"][part.logical_id]
        assert stack["Properties"]["TemplateURL"] == {"Fn::Sub": "${ArtifactsUrl}/" + part.key}
        assert part.key == f"templates/{part.sha256}.json" and stack_set.body(part.name) == part.body


def test_every_parameter_has_a_declared_source(repo_templates: StackSet) -> None:
    for part in repo_templates.nested:
        assert list(part.parameters) == list(part.template.get("Parameters", {})), part.name
    service = repo_templates.part("service-api").parameters
    assert service["ImageTag"] == RootParameter("ApiImageTag")
    assert service["ClusterName"] == PartOutput("cluster", "ClusterName")
    assert service["VpcId"] == PartOutput("network", "VpcId")
    # the repositories live in the application's own stack, read by the deployer before this one
    uri = StackOutput("flask-api-registries", "FlaskApiRepositoryUri")
    assert service["FlaskApiRepositoryUri"] == uri
    assert repo_templates.external["FlaskApiRepositoryUri"] == uri
    assert repo_templates["root"]["Parameters"]["FlaskApiRepositoryUri"]["Type"] == "String"


def test_an_existing_vpc_is_passed_as_spec_values(golden_outputs: dict[str, list[StackSet]]) -> None:
    stack_set = golden_outputs["existing-vpc-https"][0]
    assert "network" not in stack_set
    cluster = stack_set.part("cluster").parameters
    assert cluster["VpcId"] == SpecValue("vpc-0abc1234")
    assert cluster["VpcCidr"] == SpecValue("10.20.0.0/16")
    assert cluster["PublicSubnetIds"] == SpecValue("subnet-0a1,subnet-0a2")
    assert stack_set[ROOT]["Resources"]["Cluster"]["Properties"]["Parameters"]["VpcId"] == "vpc-0abc1234"


def test_beyond_the_parameter_limit_a_tag_is_an_element_of_one_list() -> None:
    services = "".join(f"  s{i}:\n    image: nginx:{i}\n" for i in range(root.MAX_PARAMETERS))
    stack_set = _compile("app: x\nservices:\n" + services)
    assert stack_set.part("service-s7").parameters["ImageTag"] == RootParameter(root.IMAGE_TAGS, 7)
    value = stack_set[ROOT]["Resources"]["ServiceS7"]["Properties"]["Parameters"]["ImageTag"]
    assert value == {"Fn::Select": [7, {"Ref": "ImageTags"}]}


def test_unknown_override_target_is_a_spec_error_at_its_key() -> None:
    overrides = "overrides:\n  service-web:\n    - {op: add, path: /Resources/X, value: 1}\n"
    with pytest.raises(SpecError) as caught:
        _compile(SERVICE + overrides)
    assert str(caught.value) == (
        "fargate.yaml:6:3: overrides.service-web: no template named 'service-web' "
        "(templates: root, network, cluster, service-api)"
    )


def test_an_override_that_breaks_the_wiring_is_a_spec_error_not_a_crash() -> None:
    text = SERVICE + (
        "overrides:\n  service-api:\n"
        "    - {op: add, path: /Parameters/Extra, value: {Type: String}}\n"
        "  cluster:\n    - {op: remove, path: /Outputs/ClusterName}\n"
    )
    with pytest.raises(SpecError, match="overrides: the templates no longer fit together: service-api"):
        _compile(text)


# -- wiring mistakes: parts built by hand, as a buggy builder would leave them ----------------


def _part(
    name: str, template: dict[str, Any], parameters: dict[str, Source] | None = None, **more: Any
) -> Part:
    return Part(name, stack_logical_id(name), template, parameters or {}, **more)


@pytest.fixture
def document() -> spec.Spec:
    return spec.loads(SERVICE, environ={})


CLUSTER = {"Resources": {}, "Outputs": {"ClusterName": {"Value": "c"}, "NamespaceName": {"Value": "n"}}}
#: what the root's Outputs section reads from each service part
SERVICE_OUTPUTS = {"ServiceName": {"Value": "s"}, "LogGroupName": {"Value": "l"}}


def _service(source: Source | None) -> Part:
    template = {
        "Parameters": {"ClusterName": {"Type": "String"}},
        "Resources": {},
        "Outputs": SERVICE_OUTPUTS,
    }
    return _part("service-api", template, {"ClusterName": source} if source else {}, service="api")


def test_hand_wired_parts_that_fit_build_a_root(document: spec.Spec) -> None:
    parts = [_part("cluster", CLUSTER), _service(PartOutput("cluster", "ClusterName"))]
    wired = root.build(document, parts).to_dict()["Resources"]["ServiceApi"]["Properties"]["Parameters"]
    assert wired == {"ClusterName": {"Fn::GetAtt": ["Cluster", "Outputs.ClusterName"]}}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            PartOutput("cluster", "ClusterNmae"),
            "reads output ClusterNmae of cluster, which has no such output",
        ),
        (PartOutput("clusters", "ClusterName"), "needs part 'clusters', which this stack set does not have"),
        (RootParameter("WebImageTag"), "reads root parameter WebImageTag, which the root does not declare"),
        (None, "service-api: parameter(s) ClusterName have no source"),
    ],
    ids=["missing-output", "missing-part", "missing-root-parameter", "no-source"],
)
def test_a_wiring_mistake_is_refused_at_compile_time(
    document: spec.Spec, source: Source | None, message: str
) -> None:
    with pytest.raises(WiringError, match=re.escape(message)):
        root.build(document, [_part("cluster", CLUSTER), _service(source)])


def test_a_builder_cannot_declare_a_parameter_without_a_source() -> None:
    draft = Draft("service-api", Template())
    with pytest.raises(WiringError, match="service-api: parameter VpcCidr has no source"):
        draft.parameter("VpcCidr", None, "String", "CIDR of the VPC")
    assert draft.template.parameters == {}


def test_a_dependency_on_a_missing_part_is_refused(document: spec.Spec) -> None:
    service = _part("service-api", {"Resources": {}}, depends_on=("service-web",))
    with pytest.raises(WiringError, match="service-api needs part 'service-web'"):
        root.build(document, [_part("cluster", CLUSTER), service])


def test_a_service_without_its_part_is_refused(document: spec.Spec) -> None:
    with pytest.raises(WiringError, match="needs the part of service 'api'"):
        root.build(document, [_part("cluster", CLUSTER)])
