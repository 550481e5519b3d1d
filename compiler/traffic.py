"""Where live traffic is: the contract between the compiler and the deployer for services whose
``deployment.strategy`` shifts traffic (blue_green, canary, linear).

ECS shifts traffic by rewriting the forward weights of the service's production listener rule.
A later CloudFormation update of that rule would put the template's weights back and send the
traffic to the idle target group (issue 15). So the weights are not written in the template:
the rule's two weights are parameters of the service's nested stack, fed by two root parameters
(``<Service>PrimaryWeight`` and ``<Service>AlternateWeight``, defaults 100 and 0). The deployer
reads the live weights from the load balancer and passes them (:func:`weight_values`), and an
update that changes anything else leaves the traffic where ECS put it. The templates stay pure:
the same spec gives the same bytes, whatever the weights.

Beyond CloudFormation's 200 root parameters the weights fall back to one list parameter,
``TrafficWeights`` (primary, alternate for each such service in fargate.yaml order), as image tags
do; :func:`weight_values` hides which form a stack set uses.

No troposphere here: the deployer imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fgc.compiler.stackset import RootParameter, StackSet, WiringError

#: Logical ids in a service's nested stack.
TARGET_GROUP = "TargetGroup"
ALTERNATE_TARGET_GROUP = "AlternateTargetGroup"
LISTENER_RULE = "ListenerRule"
TEST_LISTENER_RULE = "TestListenerRule"
#: The service stack's parameters carrying the production rule's two weights.
PRIMARY_WEIGHT = "PrimaryWeight"
ALTERNATE_WEIGHT = "AlternateWeight"
#: The root's single list parameter of weights, when one per service would not fit.
TRAFFIC_WEIGHTS = "TrafficWeights"
#: A fresh service: all traffic on the primary target group.
DEFAULT_WEIGHTS = (100, 0)
#: An ALB forward action's target group weight is 0 to 999 (ELB API reference, TargetGroupTuple).
MAX_WEIGHT = 999


@dataclass(frozen=True)
class LiveRule:
    """One traffic-shifting service's production routing, as the compiled stack set holds it.

    ``part`` is the service's nested stack (part name, e.g. ``service-api``) and ``stack`` its
    logical id in the root (``ServiceApi``): read its physical id from the root stack's
    resources. ``listener_rule``, ``target_group`` and ``alternate_target_group`` are logical
    ids inside that nested stack (their physical ids are the ARNs); ``test_listener_rule`` is
    the test rule's id, or None without ``test_port``. The test rule forwards with the same two
    weights. ``primary_weight`` and ``alternate_weight`` are the root parameters that carry the
    weights of ``target_group`` and ``alternate_target_group`` (an element of ``TrafficWeights``
    when ``index`` is set); pass values through :func:`weight_values`.
    """

    service: str
    part: str
    stack: str
    listener_rule: str
    test_listener_rule: str | None
    target_group: str
    alternate_target_group: str
    primary_weight: RootParameter
    alternate_weight: RootParameter


def live_rules(stack_set: StackSet) -> list[LiveRule]:
    """Every service of ``stack_set`` whose production rule ECS rewrites, in fargate.yaml order.

    Read from the parts' declared parameter sources only (pure; no AWS): a service whose stack
    takes :data:`PRIMARY_WEIGHT` shifts traffic. Empty when every service rolls.
    """
    rules = []
    for part in stack_set.nested:
        primary = part.parameters.get(PRIMARY_WEIGHT)
        alternate = part.parameters.get(ALTERNATE_WEIGHT)
        if part.service is None or not isinstance(primary, RootParameter):
            continue
        if not isinstance(alternate, RootParameter):
            raise WiringError(f"{part.name}: {ALTERNATE_WEIGHT} does not come from a root parameter")
        resources = part.template.get("Resources", {})
        rules.append(
            LiveRule(
                service=part.service,
                part=part.name,
                stack=part.logical_id,
                listener_rule=LISTENER_RULE,
                test_listener_rule=TEST_LISTENER_RULE if TEST_LISTENER_RULE in resources else None,
                target_group=TARGET_GROUP,
                alternate_target_group=ALTERNATE_TARGET_GROUP,
                primary_weight=primary,
                alternate_weight=alternate,
            )
        )
    return rules


def weight_values(stack_set: StackSet, weights: Mapping[str, tuple[int, int]]) -> dict[str, str]:
    """The root parameter values of ``stack_set`` with the given live weights compiled in.

    ``weights`` maps a service name to ``(primary, alternate)``: the weights the live production
    rule gives :attr:`LiveRule.target_group` and :attr:`LiveRule.alternate_target_group`. Services
    left out keep the stack set's values (the defaults, 100 and 0: right for a service not yet
    deployed). Raises ``ValueError`` for a service that does not shift traffic or a weight outside
    0..999 (a bug in the caller, never in the spec).
    """
    values = dict(stack_set.parameters)
    by_service = {rule.service: rule for rule in live_rules(stack_set)}
    unknown = sorted(set(weights) - set(by_service))
    if unknown:
        raise ValueError(f"no traffic-shifting service named {', '.join(unknown)}")
    lists: dict[str, list[str]] = {}
    for service, pair in weights.items():
        rule = by_service[service]
        for parameter, weight in zip((rule.primary_weight, rule.alternate_weight), pair, strict=True):
            if not 0 <= weight <= MAX_WEIGHT:
                raise ValueError(f"{service}: weight {weight} is outside 0..{MAX_WEIGHT}")
            if parameter.index is None:
                values[parameter.name] = str(weight)
            else:
                items = lists.setdefault(parameter.name, values[parameter.name].split(","))
                items[parameter.index] = str(weight)
    for name, items in lists.items():
        values[name] = ",".join(items)
    return values
