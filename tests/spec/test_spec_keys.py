"""Each key of SPEC.md: the forms it accepts (normalised) and the forms it rejects."""

from __future__ import annotations

import copy

import pytest

from fgc import spec

BASE = {"app": "shop", "services": {"api": {"image": "nginx:1.27", "port": 8080}}}


def build(patch: dict) -> dict:
    """BASE with ``patch`` merged in (maps merge, anything else replaces)."""
    document = copy.deepcopy(BASE)

    def merge(into: dict, extra: dict) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(document, patch)
    return document


def load(patch: dict) -> spec.Spec:
    import yaml

    return spec.loads(yaml.safe_dump(build(patch)), environ={})


def rejects(patch: dict, path: str, fragment: str) -> None:
    with pytest.raises(spec.SpecError) as caught:
        load(patch)
    assert any(p.path == path and fragment in p.message for p in caught.value.problems), caught.value.problems


def svc(**keys) -> dict:
    return {"services": {"api": keys}}


def test_defaults_follow_the_spec():
    document = load({})
    api = document.services["api"]
    assert (api.cpu, api.memory, api.count, api.readonly_root, api.exec, api.user) == (
        256,
        512,
        1,
        True,
        False,
        None,
    )
    assert (api.deployment.max_percent, api.deployment.min_healthy_percent, api.deployment.rollback) == (
        200,
        100,
        True,
    )
    assert api.logs.retention == 30 and api.platform == "linux/x86_64"
    assert document.cluster.container_insights is True
    vpc = document.network.vpc
    assert (vpc.cidr, vpc.azs, vpc.nat, vpc.endpoints) == ("10.0.0.0/16", 2, "none", True)
    assert document.network.existing is None
    assert document.load_balancer.scheme == "internet-facing" and document.load_balancer.idle_timeout == 60
    assert document.load_balancer.allowed_cidrs == ["0.0.0.0/0"]
    assert document.namespace == "shop.local" and document.stack_name == "shop"


def test_http_defaults():
    http = load(svc(http={})).services["api"].http
    assert (http.deregistration_delay, http.grace_period, http.path) == (30, 60, ["/"])
    check = http.health_check
    assert (check.path, check.matcher, check.interval, check.timeout) == ("/", "200", 30, 5)
    assert (check.healthy_threshold, check.unhealthy_threshold) == (2, 3)


@pytest.mark.parametrize(
    ("cpu", "memory", "units", "mib"),
    [
        (256, 512, 256, 512),
        ("0.25 vCPU", "0.5 GB", 256, 512),
        (256, 2048, 256, 2048),
        ("512", "1GB", 512, 1024),
        ("0.5 vCPU", "4 GiB", 512, 4096),
        ("1 vCPU", 2048, 1024, 2048),
        (2048, "16 GB", 2048, 16384),
        ("4 vCPU", 30720, 4096, 30720),
        (8192, "60 GB", 8192, 61440),
        ("16 vcpu", "120 GB", 16384, 122880),
        (1024, "8192 MiB", 1024, 8192),
    ],
)
def test_fargate_sizes_accepted(cpu, memory, units, mib):
    api = load(svc(cpu=cpu, memory=memory)).services["api"]
    assert (api.cpu, api.memory) == (units, mib)


@pytest.mark.parametrize(
    ("cpu", "memory", "path", "fragment"),
    [
        (256, 1536, "services.api.memory", "valid: 512, 1024 or 2048"),
        (512, 512, "services.api.memory", "valid: 1024-4096 in steps of 1024"),
        (2048, 4500, "services.api.memory", "valid: 4096-16384 in steps of 1024"),
        (8192, 20000, "services.api.memory", "in steps of 4096"),
        (16384, 40000, "services.api.memory", "in steps of 8192"),
        (384, 1024, "services.api.cpu", "not a Fargate CPU size"),
        ("0.3 vCPU", 1024, "services.api.cpu", "not a whole number of CPU units"),
        (True, 1024, "services.api.cpu", "expected a number, got true"),
        (512, "1.0001 GB", "services.api.memory", "not a whole number of MiB"),
    ],
)
def test_fargate_sizes_rejected(cpu, memory, path, fragment):
    rejects(svc(cpu=cpu, memory=memory), path, fragment)


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), (45, 45), ("10", 10)])
def test_durations(text, seconds):
    assert load(svc(http={"deregistration_delay": text})).services["api"].http.deregistration_delay == seconds


@pytest.mark.parametrize("text", ["30 parsecs", "-5", "1.5s", True, "5 m 3"])
def test_bad_durations(text):
    rejects(svc(http={"deregistration_delay": text}), "services.api.http.deregistration_delay", "")


def test_image_forms():
    assert load({}).services["api"].image == "nginx:1.27"
    document = load({"registries": {"shop": {}}, **svc(image={"registry": "shop", "tag": "v1.2.3"})})
    ref = document.services["api"].image
    assert (ref.registry, ref.tag) == ("shop", "v1.2.3")
    assert document.registries["shop"].keep == 10 and document.registries["shop"].immutable_tags
    rejects(svc(image="has space"), "services.api.image", "not an image reference")
    rejects(svc(image={"registry": "nope", "tag": "v1"}), "services.api.image.registry", "unknown registry")
    rejects({"registries": {"Bad_Name": {}}}, "registries.Bad_Name", "is not valid")


def test_secret_forms():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf"
    document = load(
        svc(
            secrets={
                "A": {"secretsmanager": "shop/db", "key": "password"},
                "B": {"secretsmanager": arn},
                "C": {"ssm": "/shop/token"},
                "D": {"ssm": "arn:aws:ssm:us-east-1:123456789012:parameter/shop/token"},
            }
        )
    )
    secrets = document.services["api"].secrets
    assert (
        secrets["A"].key == "password"
        and secrets["B"].secretsmanager == arn
        and secrets["C"].ssm == "/shop/token"
    )
    rejects(
        svc(secrets={"A": {"ssm": "arn:aws:ssm:nope"}}),
        "services.api.secrets.A.ssm",
        "not an SSM parameter ARN",
    )
    rejects(svc(secrets={"A": "plain-text"}), "services.api.secrets.A", "")
    rejects(svc(secrets={"bad-name": {"ssm": "/x"}}), "services.api.secrets.bad-name", "is not valid")


def test_environment_values_become_text():
    env = load(svc(environment={"VERSION": 1.5, "DEBUG": False, "N": 3})).services["api"].environment
    assert env == {"VERSION": "1.5", "DEBUG": "false", "N": "3"}


def test_command_forms():
    assert load(svc(command="gunicorn --bind '0.0.0.0:8080' app:app")).services["api"].command == [
        "gunicorn",
        "--bind",
        "0.0.0.0:8080",
        "app:app",
    ]
    assert load(svc(command=["a", "b"])).services["api"].command == ["a", "b"]
    rejects(svc(command=[]), "services.api.command", "at least 1")
    rejects(svc(command="unclosed 'quote"), "services.api.command", "cannot split command")


def test_health_check():
    check = (
        load(svc(health_check={"command": "curl -f localhost", "start_period": "1m"}))
        .services["api"]
        .health_check
    )
    assert (check.command, check.interval, check.timeout, check.retries, check.start_period) == (
        "curl -f localhost",
        30,
        5,
        3,
        60,
    )
    rejects(
        svc(health_check={"command": "x", "retries": 11}), "services.api.health_check.retries", "less than"
    )
    rejects(svc(health_check={}), "services.api.health_check.command", "required key is missing")


def test_http_routes():
    http = load(svc(http={"path": "/api", "host": ["api.example.com", "*.example.org"]})).services["api"].http
    assert http.path == ["/api"] and http.host == ["api.example.com", "*.example.org"]
    rejects(svc(http={"path": "no-slash"}), "services.api.http.path", "path pattern")
    rejects(svc(http={"path": ["/a", "/b", "/c", "/d", "/e", "/f"]}), "services.api.http.path", "at most 5")
    rejects(
        svc(http={"health_check": {"matcher": "ok"}}),
        "services.api.http.health_check.matcher",
        "is not valid",
    )


def test_scaling():
    scaling = (
        load(
            svc(
                scaling={
                    "min": 2,
                    "max": 10,
                    "cpu": 70,
                    "memory": 80,
                    "cooldown": {"in": "5m", "out": 60},
                    "schedule": [{"cron": "0 8 ? * MON-FRI *", "min": 4, "max": 20}],
                }
            )
        )
        .services["api"]
        .scaling
    )
    assert (scaling.min, scaling.max, scaling.cpu, scaling.memory) == (2, 10, 70, 80)
    assert (scaling.cooldown.in_, scaling.cooldown.out) == (300, 60)
    assert scaling.schedule[0].max == 20
    rejects(svc(scaling={"max": 3, "cpu": 101}), "services.api.scaling.cpu", "less than or equal to 100")
    rejects(svc(scaling={"min": 1, "cpu": 50}), "services.api.scaling.max", "required key is missing")
    rejects(
        svc(scaling={"max": 2, "schedule": [{"cron": "0 8 * * * *", "min": 1, "max": 2}]}),
        "services.api.scaling.schedule[0].cron",
        "'?'",
    )
    rejects(
        svc(scaling={"max": 2, "schedule": [{"cron": "0 8 ? * * *", "min": 3, "max": 2}]}),
        "services.api.scaling.schedule[0].max",
        "below min",
    )


def test_capacity_deployment_logs_permissions():
    api = load(
        svc(
            count=2,
            capacity={"on_demand_base": 1, "on_demand": 1, "spot": 4},
            deployment={"max_percent": 150, "min_healthy_percent": 50, "rollback": False},
            logs={"retention": 7},
            permissions=[{"actions": "s3:GetObject", "resources": "arn:aws:s3:::b/*"}],
        )
    ).services["api"]
    assert (api.capacity.on_demand_base, api.capacity.on_demand, api.capacity.spot) == (1, 1, 4)
    assert (api.deployment.max_percent, api.deployment.min_healthy_percent, api.deployment.rollback) == (
        150,
        50,
        False,
    )
    assert api.logs.retention == 7
    assert api.permissions[0].actions == ["s3:GetObject"] and api.permissions[0].resources == [
        "arn:aws:s3:::b/*"
    ]
    rejects(
        svc(deployment={"min_healthy_percent": 120}),
        "services.api.deployment.min_healthy_percent",
        "less than",
    )
    rejects(
        svc(permissions=[{"actions": ["not an action"], "resources": ["*"]}]),
        "services.api.permissions[0].actions[0]",
        "is not valid",
    )
    rejects(
        svc(permissions=[{"actions": ["s3:GetObject"]}]), "services.api.permissions[0].resources", "missing"
    )


def test_misc_service_keys():
    api = load(
        svc(exec=True, readonly_root=False, user=1000, platform="linux/arm64", discovery="api", count=0)
    ).services["api"]
    assert (api.exec, api.readonly_root, api.user, api.platform, api.discovery, api.count) == (
        True,
        False,
        "1000",
        "linux/arm64",
        "api",
        0,
    )
    rejects(svc(discovery="Not_DNS"), "services.api.discovery", "is not valid")
    rejects(svc(count=-1), "services.api.count", "greater than or equal to 0")
    rejects(svc(exec="sometimes"), "services.api.exec", "valid boolean")


def test_sidecars():
    sidecar = load(
        svc(
            sidecars={
                "envoy": {
                    "image": "envoyproxy/envoy:v1.30",
                    "port": 9901,
                    "essential": False,
                    "environment": {"A": "1"},
                    "secrets": {"S": {"ssm": "/x"}},
                }
            }
        )
    )
    envoy = sidecar.services["api"].sidecars["envoy"]
    assert (envoy.port, envoy.essential, envoy.environment, envoy.secrets["S"].ssm) == (
        9901,
        False,
        {"A": "1"},
        "/x",
    )
    rejects(
        svc(sidecars={"envoy": {"port": 9901}}),
        "services.api.sidecars.envoy.image",
        "required key is missing",
    )
    rejects(svc(sidecars={"api": {"image": "x"}}), "services.api.sidecars.api", "cannot share")


def test_network_forms():
    existing = load(
        {
            "network": {
                "existing": {
                    "vpc_id": "vpc-0abc",
                    "public_subnets": ["subnet-1", "subnet-2"],
                    "private_subnets": ["subnet-3", "subnet-4"],
                    "cidr": "10.9.0.0/16",
                }
            }
        }
    )
    assert existing.network.vpc is None and existing.network.existing.private_subnets == [
        "subnet-3",
        "subnet-4",
    ]
    vpc = load({"network": {"vpc": {"cidr": "10.1.0.0/20", "azs": 3, "nat": "per_az", "endpoints": False}}})
    assert (vpc.network.vpc.azs, vpc.network.vpc.nat, vpc.network.vpc.endpoints) == (3, "per_az", False)
    rejects({"network": {"vpc": {"cidr": "10.0.0.0/8"}}}, "network.vpc.cidr", "between /16 and /24")
    rejects({"network": {"vpc": {"cidr": "10.0.0.1/16"}}}, "network.vpc.cidr", "host bits set")
    rejects({"network": {"vpc": {"azs": 1}}}, "network.vpc.azs", "greater than or equal to 2")
    rejects(
        {"network": {"existing": {"vpc_id": "vpc-1", "private_subnets": ["subnet-1", "subnet-1"]}}},
        "network.existing.private_subnets[1]",
        "listed twice",
    )
    rejects({"network": {"existing": {"vpc_id": "vpc-1"}}}, "network.existing.private_subnets", "missing")
    rejects(
        {
            "network": {"existing": {"vpc_id": "vpc-1", "private_subnets": ["subnet-1"]}},
            **svc(discovery="api"),
        },
        "network.existing",
        "add cidr:",
    )
    rejects(
        {"network": {"existing": {"vpc_id": "net-1", "private_subnets": ["subnet-1"]}}},
        "network.existing.vpc_id",
        "is not valid",
    )


def test_load_balancer_and_discovery():
    document = load(
        {
            "load_balancer": {
                "scheme": "internal",
                "idle_timeout": "2m",
                "deletion_protection": True,
                "certificate": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
                "domain": {"name": "api.example.com", "hosted_zone": "Z123ABC"},
                "allowed_cidrs": ["10.0.0.0/8"],
            },
            "discovery": {"namespace": "internal.shop"},
        }
    )
    lb = document.load_balancer
    assert (lb.scheme, lb.idle_timeout, lb.deletion_protection, lb.domain.name) == (
        "internal",
        120,
        True,
        "api.example.com",
    )
    assert document.namespace == "internal.shop"
    rejects({"load_balancer": {"scheme": "public"}}, "load_balancer.scheme", "internet-facing")
    rejects(
        {"load_balancer": {"idle_timeout": "5000s"}},
        "load_balancer.idle_timeout",
        "less than or equal to 4000",
    )
    rejects({"load_balancer": {"allowed_cidrs": ["everyone"]}}, "load_balancer.allowed_cidrs[0]", "CIDR")
    rejects(
        {"load_balancer": {"allowed_cidrs": ["10.0.0.0/8", "10.0.0.0/8"]}},
        "load_balancer.allowed_cidrs[1]",
        "twice",
    )
    many = [f"10.{i}.0.0/16" for i in range(26)]
    rejects({"load_balancer": {"allowed_cidrs": many}}, "load_balancer.allowed_cidrs", "at most 25")
    rejects(
        {"load_balancer": {"domain": {"name": "api.example.com"}}},
        "load_balancer.domain.hosted_zone",
        "missing",
    )
    rejects({"discovery": {"namespace": "Bad Name"}}, "discovery.namespace", "is not valid")


def test_top_level_keys():
    document = load({"region": "eu-west-1", "tags": {"team": "platform", "cost": 42}})
    assert document.region == "eu-west-1" and document.tags == {"team": "platform", "cost": "42"}
    rejects({"region": "Mars"}, "region", "is not valid")
    rejects({"tags": {"aws:reserved": "x"}}, "tags.aws:reserved", "reserved by AWS")
    rejects({"app": "a" * 29}, "app", "is not valid")
    rejects({"cluster": {"container_insights": "maybe"}}, "cluster.container_insights", "boolean")
    rejects({"services": {"x" * 33: {"image": "nginx"}}}, "services." + "x" * 33, "at most 32")


def test_overrides_forms():
    document = load(
        {
            "overrides": {
                "service-api": [
                    {"op": "add", "path": "/Resources/X", "value": {"a": 1}},
                    {"op": "remove", "path": "/Outputs/Y"},
                    {"op": "move", "from": "/A", "path": "/B"},
                ]
            }
        }
    )
    ops = document.overrides["service-api"]
    assert [op.op for op in ops] == ["add", "remove", "move"] and ops[2].from_ == "/A"
    rejects(
        {"overrides": {"service-api": [{"op": "copy", "path": "/A"}]}},
        "overrides.service-api[0]",
        "needs from",
    )
    rejects(
        {"overrides": {"service-api": [{"op": "explode", "path": "/A"}]}}, "overrides.service-api[0].op", ""
    )
