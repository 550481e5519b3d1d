"""compiler.traffic: the contract the deployer uses to keep live traffic where ECS put it."""

from __future__ import annotations

import pytest
from fgc.compiler import root, traffic
from fgc.compiler.stackset import RootParameter

from fgc import compiler, spec

SHIFTING = """\
app: shop
network: {vpc: {nat: single}}
services:
  api:
    image: nginx:1
    port: 8080
    http: {path: /api}
    deployment: {strategy: blue_green, test_port: 8443}
  worker:
    image: nginx:1
  web:
    image: nginx:1
    port: 8080
    http: {path: /}
    deployment: {strategy: canary}
"""


def _compile(text: str) -> compiler.StackSet:
    return compiler.compile(spec.loads(text, environ={}))


def test_live_rules_name_each_traffic_shifting_service_its_rule_target_groups_and_weights() -> None:
    stack_set = _compile(SHIFTING)
    rules = traffic.live_rules(stack_set)
    assert [r.service for r in rules] == ["api", "web"]
    api, web = rules
    assert (api.part, api.stack) == ("service-api", "ServiceApi")
    assert (api.listener_rule, api.target_group, api.alternate_target_group) == (
        "ListenerRule",
        "TargetGroup",
        "AlternateTargetGroup",
    )
    assert api.test_listener_rule == "TestListenerRule" and web.test_listener_rule is None
    assert (api.primary_weight, api.alternate_weight) == (
        RootParameter("ApiPrimaryWeight"),
        RootParameter("ApiAlternateWeight"),
    )
    # every id the contract names exists where it says
    template = stack_set.part(api.part).template
    for logical_id in (
        api.listener_rule,
        api.test_listener_rule,
        api.target_group,
        api.alternate_target_group,
    ):
        assert logical_id in template["Resources"]
    root_template = stack_set.root.template
    assert root_template["Resources"][api.stack]["Properties"]["Parameters"]["PrimaryWeight"] == {
        "Ref": "ApiPrimaryWeight"
    }
    assert root_template["Parameters"]["ApiPrimaryWeight"]["Default"] == "100"
    assert root_template["Parameters"]["ApiAlternateWeight"]["Default"] == "0"


def test_the_rule_weights_are_stack_parameters_never_literals() -> None:
    template = _compile(SHIFTING)["service-api"]
    for rule in ("ListenerRule", "TestListenerRule"):
        groups = template["Resources"][rule]["Properties"]["Actions"][0]["ForwardConfig"]["TargetGroups"]
        assert [g["Weight"] for g in groups] == [{"Ref": "PrimaryWeight"}, {"Ref": "AlternateWeight"}]


def test_a_rolling_application_has_no_live_rules_and_no_weight_parameters() -> None:
    stack_set = _compile("app: x\nservices:\n  api: {image: nginx:1, port: 80, http: {path: /}}\n")
    assert traffic.live_rules(stack_set) == []
    assert not any(name.endswith("Weight") for name in stack_set.parameters)


def test_weight_values_put_the_live_weights_in_and_keep_the_rest() -> None:
    stack_set = _compile(SHIFTING)
    values = traffic.weight_values(stack_set, {"api": (0, 100)})
    assert values["ApiPrimaryWeight"] == "0" and values["ApiAlternateWeight"] == "100"
    assert values["WebPrimaryWeight"] == "100" and values["WebAlternateWeight"] == "0"
    assert values["ApiImageTag"] == "1"
    with pytest.raises(ValueError, match="worker"):
        traffic.weight_values(stack_set, {"worker": (100, 0)})
    with pytest.raises(ValueError, match="outside"):
        traffic.weight_values(stack_set, {"api": (1000, 0)})


def test_beyond_the_parameter_limit_weights_share_one_list_parameter() -> None:
    services = "".join(
        f"  s{i}:\n    image: nginx:1\n    port: 80\n    http: {{path: /s{i}}}\n"
        "    deployment: {strategy: blue_green}\n"
        for i in range(99)
    )
    stack_set = _compile(f"app: x\nnetwork: {{vpc: {{nat: single}}}}\nservices:\n{services}")
    assert (
        root.tag_parameter_names(spec.loads(f"app: x\nservices:\n{services}", environ={}))[0] == "S0ImageTag"
    )
    rules = traffic.live_rules(stack_set)
    assert rules[1].primary_weight == RootParameter(traffic.TRAFFIC_WEIGHTS, 2)
    assert rules[1].alternate_weight == RootParameter(traffic.TRAFFIC_WEIGHTS, 3)
    assert len(stack_set.root.template["Parameters"]) <= 200
    values = traffic.weight_values(stack_set, {"s1": (0, 100)})
    assert values[traffic.TRAFFIC_WEIGHTS].split(",")[:6] == ["100", "0", "0", "100", "100", "0"]
