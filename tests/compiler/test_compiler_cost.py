"""compiler.cost: the monthly estimate read from compiled stack sets, against hand-computed figures."""

from __future__ import annotations

import pytest
from fgc.compiler import StackSet, cost
from fgc.compiler.prices import UnknownRegion, price_list, regions

from fgc import compiler, spec

HOURS = 730
# us-east-1 unit prices (compiler/prices.json; the first two are the guide's)
VCPU, GB, SPOT_VCPU, SPOT_GB = 0.04048, 0.004445, 0.01334053, 0.00146489
ARM_VCPU, ARM_GB = 0.03238, 0.00356


def compiled(text: str, env: str | None = None) -> StackSet:
    return compiler.compile(spec.loads(text, env=env, environ={}))


def one_service(service: str, top: str = "") -> StackSet:
    return compiled(f"app: t\n{top}services:\n  web:\n    image: nginx:1.27\n{service}")


def lines(result: cost.Estimate) -> dict[str, cost.Line]:
    return {line.item: line for line in result.lines}


def table(result: cost.Estimate) -> list[tuple[str, float, float | None, str]]:
    return [
        (
            line.item,
            round(line.quantity, 4),
            None if line.high is None else round(line.high, 4),
            cost.amount_text(line),
        )
        for line in result.lines
    ]


def test_the_price_table_has_the_guides_fargate_figures() -> None:
    prices = price_list("us-east-1")
    assert prices["fargate_x86_vcpu_hour"].usd == 0.04048
    assert prices["fargate_x86_gb_hour"].usd == 0.004445


@pytest.mark.parametrize(
    ("cpu", "memory", "vcpu", "gb", "guide"),
    [(256, 512, 0.25, 0.5, 10), (512, 1024, 0.5, 1, 20), (1024, 2048, 1, 2, 40)],
)
def test_one_task_a_month_is_the_guides_figure(
    cpu: int, memory: int, vcpu: float, gb: float, guide: int
) -> None:
    result = cost.estimate(one_service(f"    cpu: {cpu}\n    memory: {memory}\n"), "us-east-1")
    found = lines(result)
    compute = found["service web: Fargate x86 on-demand vCPU-hours"].amount
    memory_cost = found["service web: Fargate x86 on-demand GB-hours"].amount
    assert compute == pytest.approx(vcpu * VCPU * HOURS)
    assert memory_cost == pytest.approx(gb * GB * HOURS)
    month = compute + memory_cost
    # the guide rounds up: "0.25 vCPU + 0.5 GB = ~$10/month" is $9.01
    assert guide * 0.9 <= month < guide


REPO_BASE = [
    # 2..10 tasks, base 1 on FARGATE, then FARGATE 1 : FARGATE_SPOT 4
    # at 2 tasks: on-demand 1 + 1/5 = 1.2, Spot 0.8; at 10: on-demand 1 + 9/5 = 2.8, Spot 7.2
    ("service api: Fargate x86 on-demand vCPU-hours", 438.0, 1022.0, "$17.73..$41.37"),  # 0.5 x 1.2 x 730
    ("service api: Fargate x86 on-demand GB-hours", 876.0, 2044.0, "$3.89..$9.09"),
    ("service api: Fargate x86 Spot vCPU-hours", 292.0, 2628.0, "$3.90..$35.06"),  # 0.5 x 0.8 x 730
    ("service api: Fargate x86 Spot GB-hours", 584.0, 5256.0, "$0.86..$7.70"),
    ("service api: Cloud Map instances", 2.0, 10.0, "$0.20..$1.00"),
    ("load balancer hours", 730.0, None, "$16.43"),
    ("load balancer LCU-hours", 262.8, None, "$2.10"),  # 5 req/s x 20 KB = 0.36 GB/h > 5/25 new connections
    ("load balancer public IPv4 addresses", 1460.0, None, "$7.30"),  # one per zone, 2 zones
    ("interface VPC endpoints", 7300.0, None, "$73.00"),  # 5 endpoints x 2 AZs x 730 h x $0.01
    ("interface VPC endpoint data", 20.0, None, "$0.20"),
    ("gateway VPC endpoints", 730.0, None, "$0.00"),
    ("CloudWatch Logs ingestion", 1.0, None, "$0.50"),
    ("CloudWatch Logs storage", 0.2333, None, "$0.01"),  # 1 GB a month kept 7 days
    ("Container Insights", 1, None, "unknown"),
    ("Route 53 private hosted zone", 1, None, "$0.50"),
    ("ECR storage (flask-api)", 5.0, None, "$0.50"),  # keep: 10 images x 0.5 GB x $0.10
]
REPO_DEV = [
    ("service api: Fargate x86 Spot vCPU-hours", 182.5, None, "$2.43"),  # 1 task, all Spot, 0.25 vCPU
    ("service api: Fargate x86 Spot GB-hours", 365.0, None, "$0.53"),
    ("service api: Cloud Map instances", 1.0, None, "$0.10"),
    *REPO_BASE[5:12],
    ("CloudWatch Logs storage", 0.1, None, "$0.00"),  # kept 3 days
    *REPO_BASE[13:],
]
REPO_PROD = [
    *REPO_BASE[:8],
    ("NAT gateways", 1460.0, None, "$65.70"),  # nat: per_az, 2 zones
    ("NAT data processed", 50.0, None, "$2.25"),
    ("NAT public IPv4 addresses", 1460.0, None, "$7.30"),
    *REPO_BASE[8:],
]


@pytest.mark.parametrize(
    ("index", "expected", "total"),
    [
        (0, REPO_BASE, "$127.11..$194.75/month"),
        (1, REPO_DEV, "$103.60/month"),
        (2, REPO_PROD, "$202.36..$270.00/month"),
    ],
    ids=["default", "dev", "prod"],
)
def test_the_repos_fargate_yaml_line_by_line(
    golden_outputs: dict, index: int, expected: list, total: str
) -> None:
    # the environment's stack set with the application's registries (the case's last stack set)
    result = cost.estimate(golden_outputs["repo"][index], "us-east-1", registries=golden_outputs["repo"][-1])
    assert table(result) == expected
    assert cost.total_text(result) == total
    assert [line.item for line in result.unpriced] == ["Container Insights"]


def test_nat_none_to_per_az_costs_two_gateways_their_addresses_and_traffic(golden_outputs: dict) -> None:
    base, _dev, prod, _registries = golden_outputs["repo"]
    assert cost.delta(cost.estimate(base, "us-east-1"), cost.estimate(prod, "us-east-1")) == [
        "+$65.70/month: NAT gateways (2 NAT gateways x 730 h; was none)",
        "+$7.30/month: NAT public IPv4 addresses (2 Elastic IPs; was none)",
        "+$2.25/month: NAT data processed (50 GB; was none)",
    ]
    assert cost.delta(cost.estimate(prod, "us-east-1"), cost.estimate(base, "us-east-1"))[0] == (
        "-$65.70/month: NAT gateways (removed; was 2 NAT gateways x 730 h)"
    )
    assert cost.delta(cost.estimate(base, "us-east-1"), cost.estimate(base, "us-east-1")) == []


def test_spot_weights_and_base_split_the_tasks() -> None:
    # 5 tasks: 1 on-demand base, the other 4 split 1:3 -> 2 on-demand, 3 Spot
    result = cost.estimate(
        one_service(
            "    count: 5\n    cpu: 1 vCPU\n    memory: 2 GB\n    capacity: {on_demand_base: 1, on_demand: 1, spot: 3}\n"
        ),
        "us-east-1",
    )
    found = lines(result)
    assert found["service web: Fargate x86 on-demand vCPU-hours"].quantity == 2 * HOURS
    assert found["service web: Fargate x86 Spot vCPU-hours"].quantity == 3 * HOURS
    assert found["service web: Fargate x86 Spot GB-hours"].amount == pytest.approx(2 * 3 * HOURS * SPOT_GB)
    assert found["service web: Fargate x86 Spot vCPU-hours"].amount == pytest.approx(3 * HOURS * SPOT_VCPU)


def test_all_spot_has_no_on_demand_line() -> None:
    result = cost.estimate(one_service("    capacity: {on_demand: 0, spot: 1}\n"), "us-east-1")
    assert not [item for item in lines(result) if "on-demand" in item]


def test_an_arm_service_is_priced_at_gravitons_rates() -> None:
    result = cost.estimate(
        one_service("    count: 2\n    cpu: 512\n    memory: 1024\n    platform: linux/arm64\n"), "us-east-1"
    )
    found = lines(result)
    assert found["service web: Fargate arm on-demand vCPU-hours"].amount == pytest.approx(
        0.5 * 2 * HOURS * ARM_VCPU
    )
    assert found["service web: Fargate arm on-demand GB-hours"].amount == pytest.approx(
        1 * 2 * HOURS * ARM_GB
    )
    assert not [item for item in found if "x86" in item]


def test_arm_on_spot_has_no_price_and_says_why() -> None:
    result = cost.estimate(
        one_service("    platform: linux/arm64\n    capacity: {on_demand: 0, spot: 1}\n"), "us-east-1"
    )
    line = lines(result)["service web: Fargate arm Spot vCPU-hours"]
    assert line.amount is None and "ARM64" in line.price.source
    assert line in result.unpriced


def test_scheduled_windows_are_counted_for_their_hours(golden_outputs: dict) -> None:
    # weekdays 07:00-19:00 (60 h a week) at 3..8 tasks, the other 108 h at 1..2
    result = cost.estimate(golden_outputs["scheduled-scaling"][0], "us-east-1")
    line = lines(result)["service api: Fargate x86 on-demand vCPU-hours"]
    assert line.quantity == pytest.approx(0.5 * (60 * 3 + 108 * 1) / 168 * HOURS)
    assert line.high == pytest.approx(0.5 * (60 * 8 + 108 * 2) / 168 * HOURS)


def test_a_schedule_that_is_not_weekly_falls_back_to_min_max_and_says_so() -> None:
    stack_set = one_service(
        "    scaling: {min: 1, max: 4, cpu: 50, schedule: [{cron: '0 8 1 * ? *', min: 3, max: 4}]}\n"
    )
    result = cost.estimate(stack_set, "us-east-1")
    line = lines(result)["service web: Fargate x86 on-demand vCPU-hours"]
    assert (line.quantity, line.high) == (0.25 * HOURS, 0.25 * 4 * HOURS)
    assert any("not a weekly cron" in note for note in result.notes)


def test_an_unknown_region_says_so_instead_of_guessing(repo_templates: StackSet) -> None:
    with pytest.raises(
        UnknownRegion, match=r"no prices for region 'mars-east-1' \(priced regions: ap-southeast-1"
    ):
        cost.estimate(repo_templates, "mars-east-1")


SIX = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")
#: Fargate Spot runs no Linux ARM64 tasks, and Container Insights bills per metric, which fgc does not model
NEVER = {"fargate_spot_arm_vcpu_hour", "fargate_spot_arm_gb_hour", "container_insights_cluster_month"}
#: Figures most regions lack: the load balancer's, interface endpoint hours, CloudWatch Logs, ECR storage, Graviton
_USUAL = {
    "alb_hour",
    "alb_lcu_hour",
    "interface_endpoint_az_hour",
    "logs_ingest_gb",
    "logs_storage_gb_month",
    "ecr_storage_gb_month",
    "fargate_arm_vcpu_hour",
    "fargate_arm_gb_hour",
}
#: What prices.json lacks per region, beyond NEVER (each entry's source says what was searched). A figure
#: found later is added there with its source and date and removed here; a figure lost fails this test.
GAPS = {
    "us-east-1": set(),
    "us-east-2": _USUAL - {"fargate_arm_vcpu_hour", "fargate_arm_gb_hour"},
    "us-west-2": _USUAL,
    "eu-west-1": _USUAL - {"alb_hour"} | {"nat_hour", "nat_gb"},
    "eu-central-1": _USUAL | {"nat_hour", "nat_gb"},
    "ap-southeast-1": _USUAL,
}
#: Linux/x86 Fargate per region (vCPU-hour, GB-hour), on-demand and Spot, as prices.json cites them
FARGATE = {
    "us-east-1": (VCPU, GB, SPOT_VCPU, SPOT_GB),
    "us-east-2": (0.04048, 0.004445, 0.01276353, 0.00140153),
    "us-west-2": (0.04048, 0.004445, 0.01269464, 0.00139396),
    "eu-west-1": (0.04048, 0.004445, 0.01334053, 0.00138118),
    "eu-central-1": (0.04656, 0.00511, 0.0140458, 0.00154154),
    "ap-southeast-1": (0.05056, 0.00553, 0.015168, 0.001659),
}


def test_the_price_table_covers_the_six_regions_with_a_source_and_date_for_every_figure() -> None:
    assert set(SIX) <= set(regions())
    keys = set(price_list("us-east-1"))
    for region in regions():
        prices = price_list(region)
        assert set(prices) == keys
        for price in prices.values():
            assert price.source and price.date
            if price.usd is None:
                assert price.source.startswith(("not found", "no price")), price


@pytest.mark.parametrize("region", SIX)
def test_each_regions_missing_figures_are_exactly_its_stated_gaps(region: str) -> None:
    assert {key for key, price in price_list(region).items() if price.usd is None} == NEVER | GAPS[region]


@pytest.mark.parametrize("region", SIX)
def test_fargate_is_priced_in_every_region_on_demand_and_spot(golden_outputs: dict, region: str) -> None:
    vcpu, gb, spot_vcpu, spot_gb = FARGATE[region]
    found = lines(cost.estimate(golden_outputs["repo"][0], region))
    # 0.5 vCPU and 1 GB; on-demand 1.2..2.8 tasks, Spot 0.8..7.2 (REPO_BASE)
    for item, size, low, high, price in (
        ("on-demand vCPU-hours", 0.5, 1.2, 2.8, vcpu),
        ("on-demand GB-hours", 1, 1.2, 2.8, gb),
        ("Spot vCPU-hours", 0.5, 0.8, 7.2, spot_vcpu),
        ("Spot GB-hours", 1, 0.8, 7.2, spot_gb),
    ):
        line = found[f"service api: Fargate x86 {item}"]
        assert (line.amount, line.high_amount) == pytest.approx(
            (size * low * HOURS * price, size * high * HOURS * price)
        )


@pytest.mark.parametrize("region", SIX)
def test_a_region_with_gaps_says_its_total_is_incomplete_and_why(golden_outputs: dict, region: str) -> None:
    result = cost.estimate(golden_outputs["repo"][2], region, registries=golden_outputs["repo"][-1])
    missing = [line for line in result.lines if line.price.key in NEVER | GAPS[region]]
    assert result.unpriced == missing and missing  # Container Insights, at least
    assert all(cost.amount_text(line) == "unknown" for line in missing)
    assert result.total == pytest.approx(sum(line.amount or 0 for line in result.lines))
    text = cost.render_text(result)
    total = next(row for row in text if row.startswith("total: "))
    assert total.endswith(f"(incomplete: {len(missing)} line{'s' * (len(missing) > 1)} without a price)")
    listed = text[text.index(total) + 2 : text.index(total) + 2 + len(missing)]
    assert listed == [f"  {line.item}: {line.price.source}" for line in missing]


def test_every_assumption_is_printed_with_its_value_and_flag(repo_templates: StackSet) -> None:
    text = "\n".join(
        cost.render_text(
            cost.estimate(repo_templates, "us-east-1", cost.Assumptions(requests_per_second=250))
        )
    )
    for _meaning, flag in cost.Assumptions.MEANING.values():
        assert flag in text
    assert (
        "requests per second at each load balancer (one new connection each): 250 (--requests-per-second)"
        in text
    )
    # 250 req/s x 20 KB = 18 GB/h -> 18 LCU
    assert "load balancer LCU-hours: 18 LCU" in text


def test_templates_without_declared_wiring_cost_the_same(golden_outputs: dict) -> None:
    """What the deployer reads back (the deployed templates, ``StackSet.of``) is priced like the compiled set:
    parameter sources come from the root template instead (the load balancer's subnets, an existing VPC's)."""
    for case, index in (("repo", 2), ("existing-vpc-https", 0), ("multi-service", 0)):
        compiled_set = golden_outputs[case][index]
        bare = StackSet.of(compiled_set.stack_name, {name: compiled_set[name] for name in compiled_set})
        assert table(cost.estimate(bare, "us-east-1")) == table(cost.estimate(compiled_set, "us-east-1"))
