"""``fgc cost``: a monthly estimate read from the compiled stack set, line by line.

Every figure comes from the templates the deploy would send (task sizes, desired counts,
scalable targets and their schedules, capacity provider strategies, load balancers,
NAT gateways, VPC endpoints, log groups, Cloud Map, Route 53, registries), never from
the spec a second time, and every unit price from :mod:`fgc.compiler.prices`. What the
templates cannot say (traffic, log volume, image size) is an :class:`Assumptions`
value, printed with the flag that changes it. Pure: no AWS, no clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from fgc.compiler.prices import Price, price_list
from fgc.compiler.reading import endpoint_name, resource, resources, service_connect_endpoints
from fgc.compiler.stackset import Part, PartOutput, Source, SpecValue, StackSet

#: Hours in the month every estimate covers (AWS's own calculator uses 730).
HOURS = 730.0
#: Minutes in a week: scheduled scaling repeats weekly.
WEEK = 7 * 24 * 60
#: Rule evaluations per request that an ALB does not charge for (the first 10 rules).
FREE_RULES = 10


@dataclass(frozen=True)
class Assumptions:
    """What the templates do not say, each with the ``fgc cost`` flag that changes it."""

    requests_per_second: float = 5.0
    kb_per_request: float = 20.0
    nat_gb: float = 50.0
    endpoint_gb: float = 20.0
    log_gb: float = 1.0
    image_gb: float = 0.5
    images_kept: int = 10

    #: field -> (what it means, flag)
    MEANING = {
        "requests_per_second": (
            "requests per second at each load balancer (one new connection each)",
            "--requests-per-second",
        ),
        "kb_per_request": ("KB processed per request (request + response)", "--kb-per-request"),
        "nat_gb": ("GB per month through the NAT gateways, all together", "--nat-gb"),
        "endpoint_gb": ("GB per month through the interface VPC endpoints", "--endpoint-gb"),
        "log_gb": ("GB of logs per service per month", "--log-gb"),
        "image_gb": ("GB per stored image", "--image-gb"),
        "images_kept": ("images per registry without a keep rule", "registries.<name>.keep in fargate.yaml"),
    }

    def described(self) -> list[tuple[str, float, str]]:
        """(meaning, value, what changes it) for every assumption, in a fixed order."""
        return [
            (self.MEANING[f.name][0], getattr(self, f.name), self.MEANING[f.name][1]) for f in fields(self)
        ]


@dataclass(frozen=True)
class Line:
    """One cost line: ``quantity`` units at ``price``; ``high``: the quantity at the scaling maximum."""

    item: str
    detail: str
    quantity: float
    price: Price
    high: float | None = None

    @property
    def amount(self) -> float | None:
        return None if self.price.usd is None else self.quantity * self.price.usd

    @property
    def high_amount(self) -> float | None:
        if self.price.usd is None:
            return None
        return (self.quantity if self.high is None else self.high) * self.price.usd


@dataclass(frozen=True)
class Estimate:
    """The monthly estimate of one stack set in one region."""

    region: str
    lines: tuple[Line, ...]
    assumptions: Assumptions
    notes: tuple[str, ...] = ()
    hours: float = field(default=HOURS)

    @property
    def total(self) -> float:
        """Sum of the priced lines at the bottom of every scaling range."""
        return sum(line.amount or 0.0 for line in self.lines)

    @property
    def total_high(self) -> float:
        """Sum of the priced lines at the top of every scaling range."""
        return sum(line.high_amount or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if line.price.usd is None]


def estimate(
    stack_set: StackSet,
    region: str,
    assumptions: Assumptions | None = None,
    registries: StackSet | None = None,
) -> Estimate:
    """The monthly cost of ``stack_set`` in ``region`` (``UnknownRegion`` when the table has no prices),
    with the application's ``registries`` stack set (``compiler.compile_registries``) when given."""
    prices = price_list(region)
    assumptions = assumptions or Assumptions()
    reader = _Reader(stack_set, prices, assumptions, registries)
    return Estimate(region, tuple(reader.lines()), assumptions, tuple(reader.notes))


class _Reader:
    """Walks the stack set once; each ``_<thing>`` method yields that thing's lines."""

    def __init__(
        self,
        stack_set: StackSet,
        prices: Mapping[str, Price],
        assumptions: Assumptions,
        registries: StackSet | None = None,
    ) -> None:
        self.set = stack_set
        self.registries = registries
        self.prices = prices
        self.a = assumptions
        self.notes: list[str] = []

    def lines(self) -> Iterator[Line]:
        for part in self.set.nested:
            if resource(part, "AWS::ECS::Service") is not None:
                yield from self._service(part)
        yield from self._load_balancers()
        yield from self._network()
        yield from self._logs()
        yield from self._cluster()
        yield from self._registries()

    def _line(self, item: str, detail: str, quantity: float, key: str, high: float | None = None) -> Line:
        return Line(item, detail, quantity, self.prices[key], None if high == quantity else high)

    def _hourly(self, item: str, detail: str, count: int, key: str) -> Line:
        """``count`` things billed by the hour, all month."""
        return self._line(item, detail, count * HOURS, key)

    # -- services ---------------------------------------------------------------------------------

    def _service(self, part: Part) -> Iterator[Line]:
        task = resource(part, "AWS::ECS::TaskDefinition")
        service = resource(part, "AWS::ECS::Service")
        if task is None or service is None:
            return
        vcpu = int(task["Cpu"]) / 1024
        gb = int(task["Memory"]) / 1024
        arch = "arm" if task.get("RuntimePlatform", {}).get("CpuArchitecture") == "ARM64" else "x86"
        low, high = self._task_hours(part)
        strategy = capacity_strategy(self.set, service)
        name = part.service or part.name.removeprefix("service-")
        counts = _count_text(low, high)
        proxy = (
            "Service Connect has no charge of its own: its proxy runs inside each task, "
            "on the task's CPU and memory counted here"
        )
        if "ServiceConnectConfiguration" in service and proxy not in self.notes:
            self.notes.append(proxy)
        for spot in (False, True):
            low_hours = sum(_share(n, strategy, spot) * h for n, h in low.items())
            high_hours = sum(_share(n, strategy, spot) * h for n, h in high.items())
            if not low_hours and not high_hours:
                continue
            kind = f"{arch} {'Spot' if spot else 'on-demand'}"
            share = _strategy_text(strategy)
            for size, unit, key in ((vcpu, "vCPU", "vcpu"), (gb, "GB", "gb")):
                yield self._line(
                    f"service {name}: Fargate {kind} {unit}-hours",
                    f"{_num(size)} {unit} x {counts} tasks{share}",
                    size * low_hours,
                    f"fargate{'_spot' if spot else ''}_{arch}_{key}_hour",
                    size * high_hours,
                )
        # Cloud Map bills each registered instance: a DNS-mode service's, and those ECS
        # registers for a service publishing with Service Connect (client-only: none).
        if resource(part, "AWS::ServiceDiscovery::Service") is not None or service_connect_endpoints(part):
            yield self._line(
                f"service {name}: Cloud Map instances",
                f"one registered instance per task ({counts})",
                sum(n * h for n, h in low.items()) / HOURS,
                "cloud_map_instance_month",
                sum(n * h for n, h in high.items()) / HOURS,
            )

    def _task_hours(self, part: Part) -> tuple[dict[int, float], dict[int, float]]:
        """Hours per month at each task count: (at the scaling minimum, at the maximum)."""
        target = resource(part, "AWS::ApplicationAutoScaling::ScalableTarget")
        base = task_range(part)
        if target is None:
            return {base[0]: HOURS}, {base[1]: HOURS}
        low: dict[int, float] = {}
        high: dict[int, float] = {}
        for (lo, hi), hours in self._schedule(part.service or part.name, base, target).items():
            low[lo] = low.get(lo, 0.0) + hours
            high[hi] = high.get(hi, 0.0) + hours
        return low, high

    def _schedule(
        self, name: str, base: tuple[int, int], target: dict[str, Any]
    ) -> dict[tuple[int, int], float]:
        """(min, max) -> hours per month under the weekly scheduled actions (their last one
        holds until the next fires, so the week is a cycle)."""
        events: list[tuple[int, tuple[int, int]]] = []
        for action in target.get("ScheduledActions", []):
            minutes = _cron_minutes(action["Schedule"])
            if minutes is None:
                self.notes.append(
                    f"service {name}: schedule {action['Schedule']} is not a weekly cron; "
                    "counted at the scalable target's min..max"
                )
                return {base: HOURS}
            limits = action["ScalableTargetAction"]
            events += [
                (m, (int(limits.get("MinCapacity", base[0])), int(limits.get("MaxCapacity", base[1]))))
                for m in minutes
            ]
        if not events:
            return {base: HOURS}
        events.sort()
        result: dict[tuple[int, int], float] = {}
        for i, (start, limits) in enumerate(events):
            end = events[i + 1][0] if i + 1 < len(events) else events[0][0] + WEEK
            result[limits] = result.get(limits, 0.0) + (end - start) / WEEK * HOURS
        return result

    # -- shared infrastructure --------------------------------------------------------------------

    def _load_balancers(self) -> Iterator[Line]:
        rules = sum(
            len(resources(part, "AWS::ElasticLoadBalancingV2::ListenerRule")) for part in self.set.nested
        )
        for part in self.set.nested:
            for lb in resources(part, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
                rps = self.a.requests_per_second
                lcu = max(
                    rps / 25,
                    rps * self.a.kb_per_request * 3600 / 1e6,
                    rps * max(0, rules - FREE_RULES) / 1000,
                )
                yield self._hourly("load balancer hours", "1 application load balancer", 1, "alb_hour")
                yield self._line(
                    "load balancer LCU-hours",
                    f"{_num(lcu)} LCU ({_num(rps)} req/s x {_num(self.a.kb_per_request)} KB, "
                    f"{_count(rules, 'rule')})",
                    lcu * HOURS,
                    "alb_lcu_hour",
                )
                if lb.get("Scheme", "internet-facing") == "internet-facing":
                    zones = self._list_length(part, lb.get("Subnets"))
                    yield self._hourly(
                        "load balancer public IPv4 addresses",
                        f"{zones} addresses (one per zone)",
                        zones,
                        "public_ipv4_hour",
                    )

    def _network(self) -> Iterator[Line]:
        for part in self.set.nested:
            nats = resources(part, "AWS::EC2::NatGateway")
            if nats:
                detail = f"{_count(len(nats), 'NAT gateway')} x {_num(HOURS)} h"
                yield self._hourly("NAT gateways", detail, len(nats), "nat_hour")
                yield self._line("NAT data processed", f"{_num(self.a.nat_gb)} GB", self.a.nat_gb, "nat_gb")
            eips = resources(part, "AWS::EC2::EIP")
            if eips:
                detail = _count(len(eips), "Elastic IP")
                yield self._hourly("NAT public IPv4 addresses", detail, len(eips), "public_ipv4_hour")
            endpoints = resources(part, "AWS::EC2::VPCEndpoint")
            interface = [e for e in endpoints if e.get("VpcEndpointType", "Gateway") == "Interface"]
            gateway = [e for e in endpoints if e.get("VpcEndpointType", "Gateway") != "Interface"]
            if interface:
                zone_hours = sum(len(e.get("SubnetIds", [])) for e in interface) * HOURS
                names = ", ".join(endpoint_name(e) for e in interface)
                zones = len(interface[0].get("SubnetIds", []))
                yield self._line(
                    "interface VPC endpoints",
                    f"{_count(len(interface), 'endpoint')} x {_count(zones, 'AZ')} ({names})",
                    zone_hours,
                    "interface_endpoint_az_hour",
                )
                yield self._line(
                    "interface VPC endpoint data",
                    f"{_num(self.a.endpoint_gb)} GB",
                    self.a.endpoint_gb,
                    "interface_endpoint_gb",
                )
            if gateway:
                names = ", ".join(endpoint_name(e) for e in gateway)
                detail = f"{len(gateway)} ({names})"
                yield self._hourly("gateway VPC endpoints", detail, len(gateway), "gateway_endpoint_hour")

    def _logs(self) -> Iterator[Line]:
        groups = [g for part in self.set.nested for g in resources(part, "AWS::Logs::LogGroup")]
        if not groups:
            return
        ingest = len(groups) * self.a.log_gb
        yield self._line(
            "CloudWatch Logs ingestion",
            f"{_count(len(groups), 'log group')} x {_num(self.a.log_gb)} GB",
            ingest,
            "logs_ingest_gb",
        )
        stored = 0.0
        for group in groups:
            days = group.get("RetentionInDays")
            if days is None:
                self.notes.append("a log group never expires: its storage is counted at one year of logs")
            stored += self.a.log_gb * min(int(days or 365), 365) / 30
        yield self._line(
            "CloudWatch Logs storage", "logs kept for each group's retention", stored, "logs_storage_gb_month"
        )

    def _cluster(self) -> Iterator[Line]:
        for part in self.set.nested:
            for cluster in resources(part, "AWS::ECS::Cluster"):
                settings = {s["Name"]: s["Value"] for s in cluster.get("ClusterSettings", [])}
                if settings.get("containerInsights", "disabled") != "disabled":
                    yield self._line(
                        "Container Insights",
                        f"1 cluster ({settings['containerInsights']})",
                        1,
                        "container_insights_cluster_month",
                    )
            for namespace in resources(part, "AWS::ServiceDiscovery::PrivateDnsNamespace"):
                yield self._line(
                    "Route 53 private hosted zone",
                    f"Cloud Map namespace {namespace['Name']}",
                    1,
                    "route53_zone_month",
                )
            for zone in resources(part, "AWS::Route53::HostedZone"):
                yield self._line("Route 53 hosted zone", str(zone.get("Name", "")), 1, "route53_zone_month")
            for record in resources(part, "AWS::Route53::RecordSet"):
                self.notes.append(
                    f"Route 53 record {record.get('Name')} goes into an existing zone: that zone is billed "
                    "whether or not fgc adds records, so it is not counted here"
                )

    def _registries(self) -> Iterator[Line]:
        for part in [*self.set.nested, *(self.registries.parts if self.registries else ())]:
            for repo in resources(part, "AWS::ECR::Repository"):
                kept = _images_kept(repo) or self.a.images_kept
                yield self._line(
                    f"ECR storage ({repo.get('RepositoryName', 'repository')})",
                    f"{kept} images x {_num(self.a.image_gb)} GB",
                    kept * self.a.image_gb,
                    "ecr_storage_gb_month",
                )

    def _list_length(self, part: Part, value: Any) -> int:
        """Items in a comma-separated list parameter (or a literal list), followed to its source."""
        if isinstance(value, list):
            return len(value)
        if isinstance(value, dict) and "Ref" in value:
            source = part.parameters.get(value["Ref"]) or self._root_source(part, value["Ref"])
            if isinstance(source, SpecValue):
                return len(source.value.split(","))
            if isinstance(source, PartOutput):
                output = self.set[source.part].get("Outputs", {}).get(source.output, {}).get("Value")
                if isinstance(output, dict) and "Fn::Join" in output:
                    return len(output["Fn::Join"][1])
        return 1

    def _root_source(self, part: Part, parameter: str) -> Source | None:
        """Where the root feeds ``parameter`` of ``part`` from, read from the root template itself:
        for a stack set without declared wiring (``StackSet.of``, e.g. the deployed templates)."""
        stack = self.set.root.template.get("Resources", {}).get(part.logical_id, {})
        value = stack.get("Properties", {}).get("Parameters", {}).get(parameter)
        if isinstance(value, str):
            return SpecValue(value)
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            owner = next((p.name for p in self.set.nested if p.logical_id == logical_id), None)
            if owner is not None and attribute.startswith("Outputs."):
                return PartOutput(owner, attribute.removeprefix("Outputs."))
        return None


def task_range(part: Part) -> tuple[int, int]:
    """A service part's task count: its scalable target's (min, max), else its desired count twice."""
    target = resource(part, "AWS::ApplicationAutoScaling::ScalableTarget")
    if target is not None:
        return int(target["MinCapacity"]), int(target["MaxCapacity"])
    service = resource(part, "AWS::ECS::Service") or {}
    count = int(service.get("DesiredCount", 1))  # CloudFormation's default for a new service
    return count, count


def capacity_strategy(stack_set: StackSet, service: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's capacity provider strategy: its own, else its launch type's, else the cluster's."""
    if "CapacityProviderStrategy" in service:
        return list(service["CapacityProviderStrategy"])
    if service.get("LaunchType") == "FARGATE":
        return [{"CapacityProvider": "FARGATE", "Weight": 1}]
    for part in stack_set.nested:
        association = resource(part, "AWS::ECS::ClusterCapacityProviderAssociations")
        if association is not None:
            return list(association.get("DefaultCapacityProviderStrategy", []))
    return [{"CapacityProvider": "FARGATE", "Weight": 1}]


def on_spot(tasks: int, strategy: list[dict[str, Any]]) -> float:
    """How many of ``tasks`` run on Fargate Spot under ``strategy``."""
    return _share(tasks, strategy, spot=True)


def _share(tasks: int, strategy: list[dict[str, Any]], spot: bool) -> float:
    """Tasks of ``tasks`` that run on Fargate Spot (``spot``) or on-demand under ``strategy``:
    the base first on its provider, the rest split by weight (ECS capacity provider strategy)."""
    base_left = tasks
    placed = {"FARGATE": 0.0, "FARGATE_SPOT": 0.0}
    for item in strategy:
        base = min(int(item.get("Base", 0)), base_left)
        placed[item["CapacityProvider"]] = placed.get(item["CapacityProvider"], 0.0) + base
        base_left -= base
    weights = {item["CapacityProvider"]: int(item.get("Weight", 0)) for item in strategy}
    total = sum(weights.values())
    for provider, weight in weights.items():
        placed[provider] = placed.get(provider, 0.0) + (base_left * weight / total if total else 0.0)
    if not total:
        placed["FARGATE"] += base_left
    return placed["FARGATE_SPOT" if spot else "FARGATE"]


def _strategy_text(strategy: list[dict[str, Any]]) -> str:
    if all(item["CapacityProvider"] == "FARGATE" for item in strategy):
        return ""
    parts = [
        f"{item['CapacityProvider']} weight {item.get('Weight', 0)}"
        + (f" base {item['Base']}" if item.get("Base") else "")
        for item in strategy
    ]
    return " (" + ", ".join(parts) + ")"


def _count_text(low: dict[int, float], high: dict[int, float]) -> str:
    lo, hi = min(low), max(high)
    text = str(lo) if lo == hi else f"{lo}..{hi}"
    if len(low) > 1 or len(high) > 1:
        text += " scheduled"
    return text


_DAYS = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}


def _cron_minutes(schedule: str) -> list[int] | None:
    """Minutes of the week a weekly ``cron(M H ? * DOW *)`` fires at (Sunday 00:00 = 0), or
    ``None`` for any other schedule (rate, at, days of month, months). Days of week 1-7 are SUN-SAT."""
    match = re.fullmatch(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)", schedule.strip())
    if not match:
        return None
    minute, hour, dom, month, dow, year = match.groups()
    if (
        dom not in ("?", "*")
        or month != "*"
        or year not in ("*", "?")
        or not (minute.isdigit() and hour.isdigit())
    ):
        return None
    days: set[int] = set()
    for piece in ("*" if dow in ("?", "*") else dow).split(","):
        if piece == "*":
            days.update(range(7))
            continue
        ends = [_day(p) for p in piece.split("-")]
        if None in ends or len(ends) > 2:
            return None
        first, last = ends[0], ends[-1]
        assert first is not None and last is not None
        days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
    return sorted(day * 1440 + int(hour) * 60 + int(minute) for day in days)


def _day(text: str) -> int | None:
    if text.upper() in _DAYS:
        return _DAYS[text.upper()]
    return int(text) - 1 if text.isdigit() and 1 <= int(text) <= 7 else None


def _images_kept(repo: dict[str, Any]) -> int | None:
    """The image count a repository's lifecycle policy keeps, when it has an image count rule."""
    text = repo.get("LifecyclePolicy", {}).get("LifecyclePolicyText")
    if not isinstance(text, str):
        return None
    counts = [
        rule["selection"]["countNumber"]
        for rule in json.loads(text).get("rules", [])
        if rule.get("selection", {}).get("countType") == "imageCountMoreThan"
    ]
    return max(counts) if counts else None


def _num(value: float) -> str:
    """A quantity as people write it: no trailing zeros, at most 4 decimals."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _count(n: int, thing: str) -> str:
    """``1 rule``, ``2 rules``."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


# -- views ----------------------------------------------------------------------------------------


def amount_text(line: Line) -> str:
    """``$32.85``, a range ``$14.78..$73.88``, or ``unknown`` for a line without a price."""
    if line.amount is None or line.high_amount is None:
        return "unknown"
    if line.high is None:
        return _money(line.amount)
    return f"{_money(line.amount)}..{_money(line.high_amount)}"


def quantity_text(line: Line) -> str:
    unit = line.price.unit
    if line.high is None:
        return f"{_num(line.quantity)} {unit}"
    return f"{_num(line.quantity)}..{_num(line.high)} {unit}"


def price_text(price: Price) -> str:
    return "no price" if price.usd is None else f"${price.usd:.10g}/{price.unit}"


def total_text(result: Estimate) -> str:
    low, high = _money(result.total), _money(result.total_high)
    text = low if low == high else f"{low}..{high}"
    return f"{text}/month"


def to_json(result: Estimate) -> dict[str, Any]:
    """The estimate as plain data (``fgc cost --output json``)."""
    return {
        "region": result.region,
        "hours_per_month": result.hours,
        "lines": [
            {
                "item": line.item,
                "detail": line.detail,
                "quantity": round(line.quantity, 6),
                "quantity_high": None if line.high is None else round(line.high, 6),
                "unit": line.price.unit,
                "unit_price_usd": line.price.usd,
                "amount_usd": None if line.amount is None else round(line.amount, 2),
                "amount_high_usd": None if line.high_amount is None else round(line.high_amount, 2),
                "price_source": line.price.source,
                "price_date": line.price.date,
            }
            for line in result.lines
        ],
        "total_usd": round(result.total, 2),
        "total_high_usd": round(result.total_high, 2),
        "unpriced": [line.item for line in result.unpriced],
        "assumptions": [
            {"assumption": meaning, "value": value, "changed_by": flag}
            for meaning, value, flag in result.assumptions.described()
        ],
        "notes": list(result.notes),
    }


@dataclass(frozen=True)
class Change:
    """How one item's monthly cost changes: ``low``/``high`` in USD at the bottom and the top of
    its scaling range (equal without one); ``unpriced`` when either side has no price."""

    item: str
    detail: str
    was: str
    low: float
    high: float
    unpriced: bool = False

    @property
    def amount(self) -> str:
        """``+$65.70``, a range ``+$17.73..+$41.37``, or ``?`` without a price."""
        if self.unpriced:
            return "?"
        if abs(self.high - self.low) < 0.005:
            return _signed(self.low)
        return f"{_signed(self.low)}..{_signed(self.high)}"

    def __str__(self) -> str:
        return f"{self.amount}/month: {self.item} ({self.detail}; was {self.was})"


def changes(before: Estimate, after: Estimate) -> list[Change]:
    """The items whose monthly cost (or what it is made of) changes from ``before`` to ``after``,
    largest first."""
    old = _by_item(before)
    new = _by_item(after)
    found = []
    for item in sorted(set(old) | set(new)):
        was, now = old.get(item), new.get(item)
        low = _amount(now, high=False) - _amount(was, high=False)
        high = _amount(now, high=True) - _amount(was, high=True)
        same_detail = (was.detail if was else None) == (now.detail if now else None)
        if abs(low) < 0.005 and abs(high) < 0.005 and same_detail:
            continue
        unpriced = any(line is not None and line.price.usd is None for line in (was, now))
        detail, previous = (now.detail if now else "removed"), (was.detail if was else "none")
        found.append(Change(item, detail, previous, low, high, unpriced))
    return sorted(found, key=lambda c: (-max(abs(c.low), abs(c.high)), c.item))


def delta(before: Estimate, after: Estimate) -> list[str]:
    """The monthly cost change from ``before`` to ``after``, one line per item that changes,
    largest first: ``+$65.70/month: NAT gateways (2 NAT gateways x 730 h; was none)``; a
    scaling item shows its range (``+$17.73..+$41.37/month``), an item without a price ``?``."""
    return [str(change) for change in changes(before, after)]


def total_change(before: Estimate, after: Estimate) -> str:
    """The change of the total, ``+$75.25/month`` or a range ``+$10.00..+$30.00/month``."""
    low, high = after.total - before.total, after.total_high - before.total_high
    return f"{_signed(low) if abs(high - low) < 0.005 else f'{_signed(low)}..{_signed(high)}'}/month"


def _amount(line: Line | None, high: bool) -> float:
    if line is None:
        return 0.0
    return (line.high_amount if high else line.amount) or 0.0


def _signed(value: float) -> str:
    return f"{'-' if value < -0.005 else '+'}{_money(abs(value))}"


def _by_item(result: Estimate) -> dict[str, Line]:
    return {line.item: line for line in result.lines}


def render_text(result: Estimate) -> list[str]:
    """The estimate as aligned text rows: lines, total, what is unknown, assumptions, notes."""
    rows = [("item", "quantity", "unit price", "amount")]
    rows += [
        (f"{line.item}: {line.detail}", quantity_text(line), price_text(line.price), amount_text(line))
        for line in result.lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = [f"monthly estimate, {result.region}, {_num(result.hours)} hours"]
    out += [
        f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}".rstrip()
        for r in rows
    ]
    unpriced = f"{_count(len(result.unpriced), 'line')} without a price"
    out.append(f"total: {total_text(result)}{f' (incomplete: {unpriced})' if result.unpriced else ''}")
    if result.unpriced:
        out.append(f"not in the total ({unpriced}):")
        out += [f"  {line.item}: {line.price.source}" for line in result.unpriced]
    out.append("assumptions:")
    out += [f"  {meaning}: {_num(value)} ({flag})" for meaning, value, flag in result.assumptions.described()]
    out += [f"note: {note}" for note in dict.fromkeys(result.notes)]
    return out
