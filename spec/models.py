"""Pydantic models of fargate.yaml (SPEC.md): every key, its default, its rules.

Field names are SPEC.md's keys. Values are normalised on the way in
(durations to seconds, cpu to units, memory to MiB), so the compiler reads
plain integers. Rules that involve two fields of one model are field
validators on the later field, so they run even when an unrelated key of the
same model is wrong and every problem is reported in one run. Rules that need
the whole document live on :class:`Spec` and report through :func:`fail_at`,
which carries the sub-path of the offending key to the error mapper.
"""

import ipaddress
import re
import shlex
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from fgc.spec import deployable, units, written
from fgc.spec.errors import Problem
from fgc.spec.yamlsource import Source, Written, dotted
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# ---------------------------------------------------------------- helpers


def fail_at(path: str, message: str) -> PydanticCustomError:
    """An error for a key below the model that raises it (``path`` is dotted, relative)."""
    return PydanticCustomError("fgc_at", "{message}", {"message": message, "at": path})


def fail_many(problems: list[tuple]) -> PydanticCustomError:
    """Several errors below the model that raises them, as ``(relative path, message)``.

    A path is dotted, or a tuple where a key may hold a dot (tag keys, registry names); a
    third item (any true value) points the problem at the key rather than its value.

    One validator raises one error: the loader unpacks every problem from ``ctx["problems"]``.
    """
    return PydanticCustomError("fgc_many", "{message}", {"message": problems[0][1], "problems": problems})


class Strict(BaseModel):
    """Base of every model: unknown keys are errors (the loader adds "did you mean").

    A number- or bool-typed key never takes a :class:`Written` scalar (``0755``, ``on``)
    by guessing, nor a number key a boolean (pydantic would read ``true`` as 1): it gets an
    :class:`~fgc.spec.written.Ambiguous` marker that fails its check.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _typed_keys_as_written(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        typed = written.typed_keys(cls)
        changed = None
        for key, value in data.items():
            if key in typed and (type(value) is Written or (type(value) is bool and not typed[key])):
                changed = changed if changed is not None else dict(data)
                changed[key] = written.for_typed_key(value, boolean=typed[key])
        return data if changed is None else changed


def _scalar_text(value: object) -> object:
    """Let YAML numbers and booleans stand where text is expected (``APP_VERSION: 1.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _listed_once(value: list[str], show: Callable[[str], str]) -> list[str]:
    """``value`` unchanged, or an error at the first item listed a second time."""
    for index, item in enumerate(value):
        if item in value[:index]:
            raise fail_at(str(index), f"{show(item)} is listed twice")
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block such as 10.0.0.0/16 ({err})") from None
    return str(network)


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _one_or_many_schema(item: dict, max_items: int | None = None) -> WithJsonSchema:
    """The input form of a list that also takes a single string."""
    array = {"type": "array", "items": item, "minItems": 1} | ({"maxItems": max_items} if max_items else {})
    return WithJsonSchema({"anyOf": [item, array]})


def _text_schema(pattern: str | None = None) -> WithJsonSchema:
    """Text's input form: YAML numbers and booleans stand for their text (a pattern checks strings)."""
    return WithJsonSchema(
        {"type": ["string", "number", "boolean"]} | ({"pattern": pattern} if pattern else {})
    )


Text = Annotated[str, BeforeValidator(_scalar_text), _text_schema()]
Cidr = Annotated[str, AfterValidator(_cidr), Field(examples=["10.0.0.0/16"])]
_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": r"^\s*\d+\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*$"},
    ],
    "description": "30s, 5m, 1h or a bare number of seconds",
}
Duration = Annotated[int, BeforeValidator(units.duration), WithJsonSchema(_DURATION_SCHEMA)]
Cpu = Annotated[
    int,
    BeforeValidator(units.cpu),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "enum": sorted(units.FARGATE_SIZES)},
                {"type": "string", "pattern": r"(?i)^\s*(\d+(\.\d+)?|\.\d+)\s*(vcpus?)?\s*$"},
            ],
            "description": "Fargate CPU units (256..16384) or a string such as '0.5 vCPU'",
        }
    ),
]
Memory = Annotated[
    int,
    BeforeValidator(units.memory),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 512},
                {"type": "string", "pattern": r"(?i)^\s*(\d+(\.\d+)?|\.\d+)\s*(mib|mb|m|gib|gb|g)?\s*$"},
            ],
            "description": "MiB, or a string such as '1 GB'",
        }
    ),
]

NAME = r"^[a-z][a-z0-9-]*$"
ENV_VAR = r"^[A-Za-z_][A-Za-z0-9_]*$"
DNS_NAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
HOST_PATTERN = r"^[A-Za-z0-9*?.-]{1,128}$"
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)  # fmt: skip
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
SSM_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/.+$")
#: The same rules as the validators of SecretRef, for the JSON Schema.
SECRET_NAME_OR_ARN = SECRET_ARN.pattern[:-1] + r"|^(?!arn:)[A-Za-z0-9/_+=.@-]{1,512}$"
PARAMETER_NAME_OR_ARN = SSM_ARN.pattern[:-1] + r"|^(?!arn:)[A-Za-z0-9/_.-]{1,2048}$"
APP_NAME = r"^[a-z][a-z0-9-]{0,27}$"
PATH_PATTERN = r"^/[A-Za-z0-9_\-.$/~\"'@:+*?&]{0,127}$"
CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-zA-Z-]+$"
MATCHER = r"^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$"
IAM_ACTION = r"^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$"
DISCOVERY_NAME = r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"
VPC_ID = r"^vpc-[0-9a-zA-Z]+$"
SUBNET_ID = r"^subnet-[0-9a-zA-Z]+$"
REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"
HOSTED_ZONE = r"^Z[A-Z0-9]{1,31}$"
IMAGE_TAG = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
ECR_REPOSITORY = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
#: The characters AWS allows in tag keys and values (its pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$,
#: which cfn-lint checks as E3031): letters, digits, spaces and _ . : / = + - @; no comma.
TAG_CHARACTERS = r"[\w .:/=+\-@]"
TAG_TEXT = re.compile(f"{TAG_CHARACTERS}*")
TAG_MEANING = "use letters, digits, spaces and _ . : / = + - @"

#: What each pattern means, in words, for error messages (pydantic would print the regex).
PATTERN_MEANING = {
    NAME: "use lower-case letters, digits and hyphens, starting with a letter",
    ENV_VAR: "use letters, digits and underscores, not starting with a digit",
    DNS_NAME: "use a DNS name such as api.example.com (lower case)",
    HOST_PATTERN: "use a host name pattern such as api.example.com or *.example.com",
    APP_NAME: "use 1-28 lower-case letters, digits and hyphens, starting with a letter",
    PATH_PATTERN: "use a path pattern starting with / (at most 128 characters; * and ? are wildcards)",
    CERTIFICATE_ARN: "use an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)",
    MATCHER: "use HTTP codes such as 200, 200-299 or 200,302",
    IAM_ACTION: "use an IAM action such as s3:GetObject (service:Action)",
    DISCOVERY_NAME: "use a DNS label: lower-case letters, digits and hyphens (at most 63), "
    "not ending in a hyphen",
    VPC_ID: "use a VPC id such as vpc-0abc123",
    SUBNET_ID: "use a subnet id such as subnet-0abc123",
    REGION: "use an AWS region such as us-east-1",
    HOSTED_ZONE: "use a Route 53 hosted zone id such as Z123ABC",
    IMAGE_TAG: "use an image tag: letters, digits, _ . - (at most 128)",
    ECR_REPOSITORY: "use an ECR repository name: lower case, digits, and . _ - / between them",
}

# ---------------------------------------------------------------- network


class Vpc(Strict):
    """A VPC fgc creates."""

    cidr: Cidr = "10.0.0.0/16"
    azs: int = Field(2, ge=2, le=6, description="availability zones, chosen with Fn::GetAZs")
    nat: Literal["none", "single", "per_az"] = Field("none", description="egress for private subnets")
    endpoints: bool = Field(True, description="ECR, logs, Secrets Manager, SSM interface + S3 gateway")

    @field_validator("cidr")
    @classmethod
    def _room_for_subnets(cls, value: str) -> str:
        prefix = ipaddress.IPv4Network(value).prefixlen
        if not 16 <= prefix <= 24:
            raise ValueError(f"a VPC block must be between /16 and /24 (got /{prefix})")
        return value


class ExistingNetwork(Strict):
    """A VPC that exists already; its IDs flow into the stacks as parameters."""

    vpc_id: str = Field(pattern=VPC_ID)
    cidr: Cidr | None = Field(None, description="the VPC's CIDR (task ingress for discovery callers)")
    public_subnets: list[Annotated[str, Field(pattern=SUBNET_ID)]] = []
    private_subnets: list[Annotated[str, Field(pattern=SUBNET_ID)]] = Field(min_length=1)

    @field_validator("public_subnets", "private_subnets")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for index, subnet in enumerate(value):
            if subnet in seen:
                raise fail_at(str(index), f"{subnet} is listed twice")
            seen.add(subnet)
        return value


class Network(Strict):
    """Either a new VPC (``vpc``, the default) or an existing one (``existing``)."""

    vpc: Vpc | None = None
    existing: ExistingNetwork | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_vpc(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("vpc") is None and data.get("existing") is None:
            return {**data, "vpc": {}}
        return data

    @field_validator("existing")
    @classmethod
    def _exclusive(cls, value: ExistingNetwork | None, info: ValidationInfo) -> ExistingNetwork | None:
        if value is not None and info.data.get("vpc") is not None:
            raise ValueError("network.vpc and network.existing are exclusive: keep one")
        return value


# ---------------------------------------------------------------- cluster, load balancer, discovery


class Cluster(Strict):
    container_insights: bool = True


class Domain(Strict):
    name: str = Field(pattern=DNS_NAME, max_length=253, description="the DNS name, e.g. api.example.com")
    hosted_zone: str = Field(pattern=HOSTED_ZONE, description="Route 53 hosted zone id")


class LoadBalancer(Strict):
    """The one load balancer every service with ``http`` shares."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    certificate: str | None = Field(
        None,
        pattern=CERTIFICATE_ARN,
        description="ACM certificate ARN: HTTPS on 443, and 80 redirects to it",
    )
    domain: Domain | None = None
    idle_timeout: Annotated[Duration, Field(ge=1, le=4000)] = 60
    deletion_protection: bool = False
    allowed_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        min_length=1,
        max_length=25,
        description="who may connect; each block takes up to 2 of the security group's 60 rules",
    )

    @field_validator("allowed_cidrs")
    @classmethod
    def _distinct_cidrs(cls, value: list[str]) -> list[str]:
        return _listed_once(value, str)


class Discovery(Strict):
    namespace: str | None = Field(None, pattern=DNS_NAME, max_length=253, description='default "<app>.local"')
    mode: Literal["dns", "service_connect"] = Field(
        "dns",
        description="dns: Cloud Map A records <name>.<namespace>, callers from the VPC; service_connect: "
        "ECS Service Connect, every service a client, published names reachable as <name>:<port>",
    )


class Registry(Strict):
    """An ECR repository fgc creates (kept when the stack is destroyed)."""

    scan_on_push: bool = True
    immutable_tags: bool = True
    keep: int = Field(10, ge=1, le=1000, description="images kept by the lifecycle policy")


# ---------------------------------------------------------------- service parts


DOCKER_TARGET = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class BuildConfig(Strict):
    """What fgc builds an image from: a context folder (relative to fargate.yaml) and its Dockerfile."""

    context: Text = Field(min_length=1, description="folder sent to the builder, relative to fargate.yaml")
    dockerfile: Text | None = Field(
        None, min_length=1, description="relative to the context (default Dockerfile)"
    )
    target: str | None = Field(None, pattern=DOCKER_TARGET, description="the build stage to stop at")
    args: dict[Annotated[str, Field(pattern=ENV_VAR)], Text] = Field({}, description="--build-arg values")


def _build_context(value: object) -> object:
    """``build: app/`` is ``build: {context: app/}``."""
    return {"context": value} if isinstance(value, str) else value


#: In the schema a string or a map; validated, always a :class:`BuildConfig`.
Build = Annotated[str | BuildConfig, BeforeValidator(_build_context)]


class ImageRef(Strict):
    """An image in one of the document's ``registries``: tagged, or built from source by fgc."""

    registry: str
    tag: Annotated[Text, _text_schema(IMAGE_TAG)] | None = Field(
        None, pattern=IMAGE_TAG, description="with build: defaults to the content tag src-<12 hex>"
    )
    build: Build | None = None

    @model_validator(mode="after")
    def _tag_or_build(self) -> Self:
        if self.tag is None and self.build is None:
            raise ValueError("give the image's tag, or build: <folder> to have fgc build it")
        return self

    @property
    def build_config(self) -> BuildConfig | None:
        """``build`` as a map (a string is validated into one, so this is only for the type checker)."""
        return self.build if isinstance(self.build, BuildConfig) else None


def _image(value: object) -> object:
    if isinstance(value, str) and (not value.strip() or any(c.isspace() for c in value)):
        raise ValueError(f"{value!r} is not an image reference")
    return value


Image = Annotated[str | ImageRef, BeforeValidator(_image)]


class SecretRef(Strict):
    """A reference to a secret value: Secrets Manager (optionally one JSON key) or SSM."""

    secretsmanager: str | None = Field(
        None,
        min_length=1,
        description="secret name or ARN",
        json_schema_extra={"pattern": SECRET_NAME_OR_ARN},
    )
    key: str | None = Field(None, min_length=1, description="a JSON key inside the secret")
    ssm: str | None = Field(
        None,
        min_length=1,
        description="SSM parameter name or ARN",
        json_schema_extra={"pattern": PARAMETER_NAME_OR_ARN},
    )

    @field_validator("secretsmanager")
    @classmethod
    def _secret_name(cls, value: str | None) -> str | None:
        if value and value.startswith("arn:") and not SECRET_ARN.match(value):
            raise ValueError(f"{value!r} is not a Secrets Manager ARN")
        if value and not value.startswith("arn:") and not re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value):
            raise ValueError(f"{value!r} is not a secret name (letters, digits and /_+=.@-)")
        return value

    @field_validator("ssm")
    @classmethod
    def _parameter_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("secretsmanager") is not None:
            raise ValueError("a secret comes from secretsmanager or ssm, not both")
        if value and value.startswith("arn:") and not SSM_ARN.match(value):
            raise ValueError(f"{value!r} is not an SSM parameter ARN")
        if value and not value.startswith("arn:") and not re.fullmatch(r"[A-Za-z0-9/_.-]{1,2048}", value):
            raise ValueError(f"{value!r} is not a parameter name (letters, digits and /_.-)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.secretsmanager is None and self.ssm is None:
            raise ValueError(
                "give secretsmanager: <name or ARN> (with an optional key) or ssm: <name or ARN>"
            )
        if self.key is not None and self.secretsmanager is None:
            raise fail_at("key", "key selects a JSON key of a Secrets Manager secret; SSM has none")
        return self


Environment = dict[Annotated[str, Field(pattern=ENV_VAR)], Text]
Secrets = dict[Annotated[str, Field(pattern=ENV_VAR)], SecretRef]


def _command(value: object) -> object:
    """A command as a list, or a string split the way a shell would."""
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as err:
            raise ValueError(f"cannot split command: {err}") from None
    return value


Command = Annotated[
    list[Text],
    BeforeValidator(_command),
    Field(min_length=1),
    _one_or_many_schema({"type": "string"}),
]


class ContainerHealthCheck(Strict):
    """The container's own health check (run by ECS inside the task)."""

    command: Annotated[list[Text], Field(min_length=1)] | Text = Field(
        description="a shell command (CMD-SHELL), or a list run as-is"
    )
    interval: Annotated[Duration, Field(ge=5, le=300)] = 30
    timeout: Annotated[Duration, Field(ge=2, le=120)] = 5
    retries: int = Field(3, ge=1, le=10)
    start_period: Annotated[Duration, Field(ge=0, le=300)] = 0

    @field_validator("timeout")
    @classmethod
    def _timeout_below_interval(cls, value: int, info: ValidationInfo) -> int:
        interval = info.data.get("interval")
        if interval is not None and value >= interval:
            raise ValueError(f"timeout ({value}s) must be shorter than interval ({interval}s)")
        return value


class TargetHealthCheck(Strict):
    """The load balancer's health check of each task."""

    path: str = Field("/", pattern=r"^/\S*$", max_length=1024)
    matcher: Annotated[Text, _text_schema(MATCHER)] = Field("200", pattern=MATCHER)
    interval: Annotated[Duration, Field(ge=5, le=300)] = 30
    timeout: Annotated[Duration, Field(ge=2, le=120)] = 5
    healthy_threshold: int = Field(2, ge=2, le=10)
    unhealthy_threshold: int = Field(3, ge=2, le=10)

    @field_validator("timeout")
    @classmethod
    def _timeout_below_interval(cls, value: int, info: ValidationInfo) -> int:
        interval = info.data.get("interval")
        if interval is not None and value >= interval:
            raise ValueError(f"timeout ({value}s) must be shorter than interval ({interval}s)")
        return value


PathPatterns = Annotated[
    list[Annotated[str, Field(pattern=PATH_PATTERN)]],
    BeforeValidator(_one_or_many),
    Field(min_length=1, max_length=5),
    _one_or_many_schema({"type": "string", "pattern": PATH_PATTERN}, 5),
]
HostPatterns = Annotated[
    list[Annotated[str, Field(pattern=HOST_PATTERN)]],
    BeforeValidator(_one_or_many),
    Field(min_length=1, max_length=5),
    _one_or_many_schema({"type": "string", "pattern": HOST_PATTERN}, 5),
]


class Http(Strict):
    """Routing from the shared load balancer to this service."""

    path: PathPatterns | None = Field(None, description="path pattern(s); '/api' also routes '/api/*'")
    host: HostPatterns | None = Field(None, description="host header pattern(s)")
    health_check: TargetHealthCheck = TargetHealthCheck()
    deregistration_delay: Annotated[Duration, Field(ge=0, le=3600)] = 30
    grace_period: Annotated[Duration, Field(ge=0, le=2147483647)] = 60

    @model_validator(mode="after")
    def _default_route(self) -> Self:
        if self.path is None and self.host is None:
            object.__setattr__(self, "path", ["/"])
        return self


class Schedule(Strict):
    cron: str = Field(description="AWS cron: minutes hours day-of-month month day-of-week year")
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    timezone: str | None = Field(None, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")

    @field_validator("cron")
    @classmethod
    def _six_fields(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 6:
            raise ValueError(f'{value!r} has {len(fields)} fields; AWS cron has 6 (e.g. "0 8 ? * MON-FRI *")')
        if "?" not in (fields[2], fields[4]):
            raise ValueError("AWS cron needs '?' in day-of-month or day-of-week")
        return value

    @field_validator("max")
    @classmethod
    def _ordered(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value < low:
            raise ValueError(f"max ({value}) is below min ({low})")
        return value


class Cooldown(Strict):
    in_: Annotated[Duration, Field(alias="in", ge=0)] = 300
    out: Annotated[Duration, Field(ge=0)] = 60


class Scaling(Strict):
    """Application Auto Scaling of the service's task count."""

    min: int = Field(1, ge=0, le=5000)
    max: int = Field(ge=1, le=5000)
    cpu: int | None = Field(None, ge=1, le=100, description="target average CPU, percent")
    memory: int | None = Field(None, ge=1, le=100, description="target average memory, percent")
    requests: int | None = Field(None, ge=1, description="target ALB requests per task")
    cooldown: Cooldown = Cooldown()
    schedule: list[Schedule] = []

    @field_validator("max")
    @classmethod
    def _ordered(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value < low:
            raise ValueError(f"max ({value}) is below min ({low})")
        return value

    @model_validator(mode="after")
    def _has_a_trigger(self) -> Self:
        if not (self.cpu or self.memory or self.requests or self.schedule):
            raise ValueError("scaling needs at least one of cpu, memory, requests or schedule")
        return self


class Capacity(Strict):
    """Weights between Fargate on-demand and Fargate Spot."""

    on_demand_base: int = Field(0, ge=0, le=100000)
    on_demand: int = Field(1, ge=0, le=1000)
    spot: int = Field(0, ge=0, le=1000)

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.on_demand == 0 and self.spot == 0:
            raise ValueError("on_demand and spot cannot both be 0")
        return self


#: The shared load balancer's listener ports (80, and 443 with a certificate): no test listener there.
RESERVED_LISTENER_PORTS = (80, 443)
#: ECS bake times (BakeTimeInMinutes, CanaryBakeTimeInMinutes, StepBakeTimeInMinutes) are whole
#: minutes from 0 to 1440 (ECS API reference, DeploymentConfiguration / CanaryConfiguration /
#: LinearConfiguration).
MAX_BAKE_SECONDS = 24 * 3600
#: BakeTimeInMinutes is required for BLUE_GREEN (ECS API reference); fgc writes it for every
#: strategy but rolling, this long unless ``bake_time`` says otherwise.
DEFAULT_BAKE_SECONDS = 5 * 60
#: CloudFormation rejects a linear or canary rollout whose computed length passes 33 hours
#: (AWS::ECS::Service CanaryConfiguration / LinearConfiguration, CloudFormation template reference).
MAX_ROLLOUT_MINUTES = 33 * 60


def _bake_minutes(seconds: int) -> int:
    if seconds > MAX_BAKE_SECONDS:
        raise ValueError(f"{seconds // 60}m is over 24h: ECS bakes for 0 to 1440 minutes")
    if seconds % 60:
        raise ValueError(f"{seconds}s is not a whole number of minutes (ECS bakes in minutes): use e.g. 5m")
    return seconds


def _passes_lint_multiple_of_tenth(value: float) -> bool:
    """cfn-lint's ``multipleOf: 0.1`` check, as it computes it: in floating point, so it refuses
    about a third of the tenths (``33.3 / 0.1`` is ``332.99999999999994``)."""
    quotient = value / 0.1
    return int(quotient) == quotient


def _tenths(value: float) -> float:
    """ECS takes traffic percents as multiples of 0.1 (CanaryPercent, StepPercent); fgc takes those
    cfn-lint accepts too ("valid means deployable"), and names the nearest ones it does."""
    if abs(value * 10 - round(value * 10)) > 1e-9:
        raise ValueError(f"{value} is not a multiple of 0.1 (ECS shifts traffic in tenths of a percent)")
    value = round(value, 1)
    if not _passes_lint_multiple_of_tenth(value):
        near = sorted(
            (
                c
                for c in (round(value + step / 10, 1) for step in range(-5, 6))
                if _passes_lint_multiple_of_tenth(c)
            ),
            key=lambda c: abs(c - value),
        )
        raise ValueError(
            f"{value:g} is refused by cfn-lint, whose multiple-of-0.1 check divides in floating point "
            f"({value:g} / 0.1 = {value / 0.1!r}): use {near[0]:g} or {near[1]:g}"
        )
    return value


BakeTime = Annotated[Duration, AfterValidator(_bake_minutes)]


class Canary(Strict):
    """CanaryConfiguration: ``percent`` of production traffic first, for ``bake_time``, then the rest.

    Defaults are ECS's own (ECS API reference, CanaryConfiguration): 5 percent, 10 minutes;
    the percent is 0.1 to 100 in tenths.
    """

    percent: Annotated[float, Field(ge=0.1, le=100), AfterValidator(_tenths)] = 5.0
    bake_time: BakeTime = 600


class Linear(Strict):
    """LinearConfiguration: ``step_percent`` more traffic every ``step_bake_time`` until all of it.

    Defaults are ECS's own (ECS API reference, LinearConfiguration): 10 percent, 6 minutes;
    the step is 3 to 100 percent in tenths.
    """

    step_percent: Annotated[float, Field(ge=3, le=100), AfterValidator(_tenths)] = 10.0
    step_bake_time: BakeTime = 360

    @property
    def steps(self) -> int:
        """Traffic shifts that are followed by a bake (see :func:`linear_steps`)."""
        return linear_steps(self.step_percent)


def linear_steps(step_percent: float) -> int:
    """Traffic shifts of a linear rollout that are followed by a bake, as CloudFormation counts them
    for its 33-hour cap (LinearConfiguration, CloudFormation template reference): ``100 / step - 1``
    when the step divides 100 evenly, else the floor of ``100 / step``; counted in tenths of a
    percent (ECS's own unit), so that no float division decides whether it divides evenly."""
    tenths = round(step_percent * 10)
    return 1000 // tenths - 1 if 1000 % tenths == 0 else 1000 // tenths


class RolloutAlarms(Strict):
    """CloudWatch alarms that roll a deployment back while it is in ALARM (DeploymentAlarms).

    fgc creates the two on the service's target groups; ``names`` are alarms that exist already.
    """

    http_5xx_percent: float | None = Field(
        None, gt=0, le=100, description="target 5XX responses as a percent of requests, per minute"
    )
    p99_latency: Annotated[Duration, Field(ge=1, le=3600)] | None = Field(
        None, description="99th percentile of the target response time (e.g. 2s)"
    )
    names: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        [], description="existing CloudWatch alarms, by name, in the stack's region"
    )

    @field_validator("names")
    @classmethod
    def _distinct_names(cls, value: list[str]) -> list[str]:
        return _listed_once(value, repr)

    @model_validator(mode="after")
    def _some_alarm(self) -> Self:
        if self.http_5xx_percent is None and self.p99_latency is None and not self.names:
            raise ValueError("alarms needs at least one of http_5xx_percent, p99_latency or names")
        return self


class DeploymentConfig(Strict):
    """How ECS replaces a service's tasks: rolling (the default) or an ECS-native traffic shift."""

    strategy: Literal["rolling", "blue_green", "canary", "linear"] = Field(
        "rolling", description="rolling, or blue_green / canary / linear (needs http)"
    )
    max_percent: int = Field(200, ge=100, le=2000, description="rolling only")
    min_healthy_percent: int = Field(100, ge=0, le=100, description="rolling only")
    rollback: bool = True
    bake_time: BakeTime | None = Field(
        None, description="blue_green / canary / linear: both revisions kept after the shift (default 5m)"
    )
    canary: Canary = Field(Canary(), description="strategy canary only")
    linear: Linear = Field(Linear(), description="strategy linear only")
    test_port: int | None = Field(
        None, ge=1, le=65535, description="a load balancer port that reaches only the new tasks"
    )
    alarms: RolloutAlarms | None = None

    @property
    def shifts_traffic(self) -> bool:
        """Whether ECS shifts traffic between two target groups (every strategy but rolling)."""
        return self.strategy != "rolling"

    @property
    def bake_minutes(self) -> int:
        """BakeTimeInMinutes of a traffic-shifting strategy."""
        return (DEFAULT_BAKE_SECONDS if self.bake_time is None else self.bake_time) // 60

    @model_validator(mode="after")
    def _combination(self) -> Self:
        """Each key only with the strategy it belongs to (cfn-lint does not check these)."""
        found: list[tuple] = []
        chosen = self.model_fields_set
        if self.shifts_traffic:
            found += [
                (
                    key,
                    f"{key} applies to rolling only; {self.strategy} starts a full set of new tasks "
                    "beside the old ones and shifts traffic to them: remove it",
                )
                for key in ("max_percent", "min_healthy_percent")
                if key in chosen
            ]
        else:
            found += [
                (key, f"{key} applies to blue_green, canary and linear; set strategy or remove it")
                for key in ("bake_time", "test_port")
                if getattr(self, key) is not None
            ]
        for key in ("canary", "linear"):
            if key in chosen and self.strategy != key:
                found.append((key, f"{key} applies to strategy {key} (strategy is {self.strategy})"))
        if self.test_port in RESERVED_LISTENER_PORTS:
            found.append(("test_port", f"{self.test_port} is a production listener's port; use e.g. 8443"))
        found += self._rollout_length()
        if found:
            raise fail_many(found)
        return self

    def _rollout_length(self) -> list[tuple]:
        """CloudFormation's 33-hour cap on a canary or linear rollout, at the step's bake time."""
        if self.strategy == "canary":
            canary = self.canary
            key, minutes = "canary.bake_time", self.bake_minutes + canary.bake_time // 60
            how = f"bake_time {self.bake_minutes}m + canary.bake_time {canary.bake_time // 60}m"
        elif self.strategy == "linear":
            linear = self.linear
            key = "linear.step_bake_time"
            minutes = self.bake_minutes + linear.steps * (linear.step_bake_time // 60)
            how = f"bake_time {self.bake_minutes}m + {linear.steps} steps x {linear.step_bake_time // 60}m"
        else:
            return []
        if minutes <= MAX_ROLLOUT_MINUTES:
            return []
        message = (
            f"the rollout would take {minutes // 60}h{minutes % 60:02d}m ({how}); CloudFormation refuses "
            f"a {self.strategy} rollout over {MAX_ROLLOUT_MINUTES // 60}h: shorten the bake times"
        )
        return [(key if self.strategy in self.model_fields_set else "bake_time", message)]


class Logs(Strict):
    retention: int = Field(30, description="days; one of CloudWatch's allowed values")

    @field_validator("retention")
    @classmethod
    def _allowed(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            near = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - value))
            raise ValueError(f"{value} days is not a CloudWatch retention (nearest: {near})")
        return value


class Permission(Strict):
    """One statement of the task role's policy."""

    actions: Annotated[
        list[Annotated[str, Field(pattern=IAM_ACTION)]],
        BeforeValidator(_one_or_many),
        Field(min_length=1),
        _one_or_many_schema({"type": "string", "pattern": IAM_ACTION}),
    ]
    resources: Annotated[
        list[Annotated[str, Field(min_length=1)]],
        BeforeValidator(_one_or_many),
        Field(min_length=1),
        _one_or_many_schema({"type": "string", "minLength": 1}),
    ]
    effect: Literal["Allow", "Deny"] = "Allow"


class Sidecar(Strict):
    """An extra container in the service's task."""

    image: Image
    port: int | None = Field(None, ge=1, le=65535)
    essential: bool = True
    command: Command | None = None
    environment: Environment = {}
    secrets: Secrets = {}
    cpu: int | None = Field(None, ge=0, description="CPU units reserved within the task")
    memory: int | None = Field(None, ge=6, description="hard limit, MiB")
    user: Text | None = None
    health_check: ContainerHealthCheck | None = None

    @field_validator("secrets")
    @classmethod
    def _no_clash(cls, value: dict[str, SecretRef], info: ValidationInfo) -> dict[str, SecretRef]:
        return _check_no_clash(value, info)


def _task_counts(count: int | None, scaling: Scaling | None) -> Iterable[int]:
    """The desired counts a service may have: its fixed count, or any count scaling may choose."""
    if scaling is not None:
        return range(max(scaling.min, 1), scaling.max + 1)
    return [count] if count else []


def _can_replace(tasks: int, deployment: DeploymentConfig) -> bool:
    """Whether a rolling deployment of ``tasks`` tasks can make progress.

    ECS rounds the maximum down and the minimum up; it starts new tasks while the total
    stays at or under the maximum and stops old ones while the healthy stay at or above
    the minimum (ECS API reference, DeploymentConfiguration: the maximum is "rounded down
    to the nearest integer", the minimum "rounded up").
    """
    most = tasks * deployment.max_percent // 100
    least = -(-tasks * deployment.min_healthy_percent // 100)
    return most > tasks or least < tasks


def _check_traffic_shift(deployment: DeploymentConfig, info: ValidationInfo) -> DeploymentConfig:
    """A blue_green, canary or linear service shifts load balancer traffic: it needs ``http``.

    Scaling on requests follows one target group (ALBRequestCountPerTarget), while ECS moves
    the traffic between two: after the first shift it would see none.
    """
    if "http" in info.data and info.data["http"] is None:
        raise fail_at(
            "strategy",
            f"{deployment.strategy} shifts load balancer traffic between two target groups: "
            "the service needs http (or use strategy rolling)",
        )
    scaling = info.data.get("scaling")
    if scaling is not None and scaling.requests:
        raise fail_at(
            "strategy",
            f"scaling on requests follows one target group, and {deployment.strategy} moves the "
            "traffic to the other: scale on cpu or memory",
        )
    return deployment


def _repeats(items: Iterable[tuple[str, Hashable]]) -> list[tuple[str, Hashable, str]]:
    """``(name, value, first owner)`` for each name whose value an earlier name already has."""
    owners: dict[Hashable, str] = {}
    repeats = []
    for name, value in items:
        if value in owners:
            repeats.append((name, value, owners[value]))
        owners.setdefault(value, name)
    return repeats


def _check_no_clash(secrets: dict[str, SecretRef], info: ValidationInfo) -> dict[str, SecretRef]:
    """A name set both as a plain variable and as a secret is ambiguous in ECS: refuse it."""
    for name in secrets:
        if name in (info.data.get("environment") or {}):
            raise fail_at(name, f"{name} is also set in environment; keep one")
    return secrets


class Service(Strict):
    """One ECS service: its container, routing, scaling and permissions."""

    image: Image
    cpu: Cpu = 256
    memory: Memory = 512
    port: int | None = Field(None, ge=1, le=65535)
    command: Command | None = None
    environment: Environment = {}
    secrets: Secrets = {}
    health_check: ContainerHealthCheck | None = None
    http: Http | None = None
    count: int = Field(1, ge=0, le=5000, description="fixed task count, used when scaling is absent")
    scaling: Scaling | None = None
    capacity: Capacity | None = None
    discovery: str | None = Field(None, pattern=DISCOVERY_NAME)
    deployment: DeploymentConfig = DeploymentConfig()
    logs: Logs = Logs()
    permissions: list[Permission] = []
    exec: bool = False
    readonly_root: bool = True
    user: Text | None = None
    platform: Literal["linux/x86_64", "linux/arm64"] = "linux/x86_64"
    sidecars: dict[Annotated[str, Field(pattern=NAME, max_length=255)], Sidecar] = {}

    @field_validator("cpu")
    @classmethod
    def _fargate_cpu(cls, value: int) -> int:
        if value not in units.FARGATE_SIZES:
            sizes = ", ".join(str(size) for size in units.FARGATE_SIZES)
            raise ValueError(f"{value} is not a Fargate CPU size (valid: {sizes})")
        return value

    @field_validator("memory")
    @classmethod
    def _fargate_memory(cls, value: int, info: ValidationInfo) -> int:
        cpu = info.data.get("cpu")
        if cpu in units.FARGATE_SIZES and value not in units.fargate_memory_options(cpu):
            valid = units.describe_memory_options(cpu)
            raise ValueError(f"{value} MiB is not a Fargate size for cpu {cpu} (valid: {valid})")
        return value

    @field_validator("secrets")
    @classmethod
    def _no_clash(cls, value: dict[str, SecretRef], info: ValidationInfo) -> dict[str, SecretRef]:
        return _check_no_clash(value, info)

    @field_validator("http")
    @classmethod
    def _needs_port(cls, value: Http | None, info: ValidationInfo) -> Http | None:
        if value is not None and info.data.get("port") is None:
            raise ValueError("http routes to the container's port: set port")
        return value

    @field_validator("scaling")
    @classmethod
    def _requests_need_http(cls, value: Scaling | None, info: ValidationInfo) -> Scaling | None:
        if value is not None and value.requests and info.data.get("http") is None:
            raise fail_at("requests", "scaling on requests needs http (a load balancer target)")
        return value

    @field_validator("discovery")
    @classmethod
    def _discovery_needs_port(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and "port" in info.data and info.data["port"] is None:
            raise ValueError("discovery registers the container's port: set port (nothing could connect)")
        return value

    @field_validator("deployment")
    @classmethod
    def _deployment_fits_service(cls, value: DeploymentConfig, info: ValidationInfo) -> DeploymentConfig:
        """Alarms on the target group and traffic shifts need ``http``; a rolling deployment must be
        able to start a new task or stop an old one."""
        alarms = value.alarms
        if alarms is not None and "http" in info.data and info.data["http"] is None:
            key = "http_5xx_percent" if alarms.http_5xx_percent is not None else "p99_latency"
            if getattr(alarms, key) is not None:
                raise fail_at(
                    f"alarms.{key}",
                    "this alarm watches the service's load balancer target group: the service needs http "
                    "(alarms.names takes existing alarms without it)",
                )
        if value.shifts_traffic:
            return _check_traffic_shift(value, info)
        counts = _task_counts(info.data.get("count"), info.data.get("scaling"))
        stuck = next((n for n in counts if not _can_replace(n, value)), None)
        if stuck is not None:
            raise fail_at(
                "max_percent",
                f"with {stuck} task(s), max_percent {value.max_percent} and min_healthy_percent "
                f"{value.min_healthy_percent} let ECS neither start a new task nor stop an old one: "
                "raise max_percent or lower min_healthy_percent",
            )
        return value


#: ``<app>-registries`` is the registries stack, so no environment may be called that.
REGISTRIES_SUFFIX = "registries"

RepositoryName = Annotated[str, Field(pattern=ECR_REPOSITORY, min_length=2, max_length=256)]

# ---------------------------------------------------------------- overrides and the document


class PatchOp(Strict):
    """One RFC 6902 operation on a rendered template."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str = Field(pattern=r"^(/[^/]*)*$")
    value: Any = None
    from_: str | None = Field(None, alias="from", pattern=r"^(/[^/]*)*$")

    @field_validator("value")
    @classmethod
    def _value_as_written(cls, value: Any) -> Any:
        found = written.find(value)
        if found:
            raise fail_many([(path, written.message(text, "a value")) for path, text in found])
        return value

    @model_validator(mode="after")
    def _operands(self) -> Self:
        if self.op in ("add", "replace", "test") and "value" not in self.model_fields_set:
            raise ValueError(f"op {self.op} needs a value")
        if self.op in ("move", "copy") and self.from_ is None:
            raise ValueError(f"op {self.op} needs from")
        return self


class Spec(Strict):
    """A whole fargate.yaml after interpolation and the chosen environment's overlay."""

    app: str = Field(pattern=APP_NAME, description="stack name = app, or app-<env>")
    region: str | None = Field(None, pattern=REGION)
    tags: dict[
        Annotated[
            str,
            Field(min_length=1, max_length=128),
            WithJsonSchema({"pattern": f"^{TAG_CHARACTERS}{{1,128}}$"}),
        ],
        Annotated[Text, _text_schema(f"^{TAG_CHARACTERS}{{1,256}}$")],
    ] = {}
    network: Network = Network()
    cluster: Cluster = Cluster()
    load_balancer: LoadBalancer = LoadBalancer()
    discovery: Discovery = Discovery()
    registries: dict[
        Annotated[str, Field(pattern=ECR_REPOSITORY, min_length=2, max_length=256)], Registry
    ] = {}
    services: dict[Annotated[str, Field(pattern=NAME, max_length=32)], Service] = Field(min_length=1)
    environments: dict[Annotated[str, Field(pattern=NAME, max_length=20)], dict[str, Any] | None] = Field(
        {}, json_schema_extra={"additionalProperties": {"type": ["object", "null"]}}
    )
    overrides: dict[str, list[PatchOp]] = {}

    _env: str | None = PrivateAttr(None)
    _source: Source | None = PrivateAttr(None)

    def problem_at(self, path: tuple[str | int, ...], message: str) -> Problem:
        """A problem at ``path``, pinned to its place in the file this spec was loaded from.

        Later layers (the compiler's overrides, say) find problems only a full build reveals;
        this keeps their errors as precise as the loader's. A spec built in code has no file
        and points at its top.
        """
        if self._source is None:
            return Problem("fargate.yaml", 1, 1, dotted(path), message)
        return self._source.problem(path, message)

    @property
    def env(self) -> str | None:
        """The environment overlay this spec was loaded with (None: the base document)."""
        return self._env

    @property
    def stack_name(self) -> str:
        """``app``, or ``app-<env>`` when loaded with an environment."""
        return f"{self.app}-{self._env}" if self._env else self.app

    @property
    def folder(self) -> Path:
        """The folder of the file this spec was loaded from: build contexts are relative to it
        (the working directory for a spec built in code)."""
        return Path(self._source.filename).parent if self._source is not None else Path(".")

    @property
    def registries_stack_name(self) -> str:
        """``<app>-registries``: the application's repositories, shared by every environment."""
        return f"{self.app}-{REGISTRIES_SUFFIX}"

    @property
    def namespace(self) -> str:
        """The Cloud Map namespace: the given one, or ``<app>.local``."""
        return self.discovery.namespace or f"{self.app}.local"

    @field_validator("tags")
    @classmethod
    def _tag_values(cls, value: dict[str, str]) -> dict[str, str]:
        found: list[tuple] = []
        for key, text in value.items():
            if key.lower().startswith("aws:"):
                found.append(((key,), "tag keys starting with aws: are reserved by AWS", True))
            elif not TAG_TEXT.fullmatch(key):
                found.append(((key,), f"tag key {key!r}: {TAG_MEANING}", True))
            if not 1 <= len(text) <= 256:
                found.append(((key,), "a tag value is 1 to 256 characters (stack tags cannot be empty)"))
            elif not TAG_TEXT.fullmatch(text):
                found.append(((key,), f"tag value {text!r}: {TAG_MEANING}"))
        if found:
            raise fail_many(found)
        return value

    @model_validator(mode="after")
    def _document_rules(self) -> Self:
        problems: deployable.Found = []
        problems += self._check_images()
        problems += self._check_discovery_names()
        problems += self._check_service_connect()
        problems += self._check_routes()
        problems += self._check_existing_network()
        problems += deployable.check(self)
        if REGISTRIES_SUFFIX in self.environments:
            problems.append(
                (
                    f"environments.{REGISTRIES_SUFFIX}",
                    f"the stack {self.app}-{REGISTRIES_SUFFIX} holds the registries; name this environment "
                    "differently",
                )
            )
        if problems:
            raise fail_many(problems)
        return self

    def _check_images(self) -> list[tuple[str, str]]:
        found = []
        for name, service in self.services.items():
            containers = [("", service.image)] + [
                (f".sidecars.{s}", c.image) for s, c in service.sidecars.items()
            ]
            for where, image in containers:
                if where and isinstance(image, ImageRef) and image.build is not None:
                    found.append(
                        (
                            f"services.{name}{where}.image.build",
                            "fgc builds only a service's main image; give a sidecar a tag",
                        )
                    )
                if isinstance(image, ImageRef) and image.registry not in self.registries:
                    known = ", ".join(sorted(self.registries)) or "none declared"
                    found.append(
                        (
                            f"services.{name}{where}.image.registry",
                            f"unknown registry {image.registry!r} (registries: {known})",
                        )
                    )
            clash = set(service.sidecars) & {name}
            for sidecar in clash:
                found.append(
                    (f"services.{name}.sidecars.{sidecar}", "a sidecar cannot share its service's name")
                )
        return found

    def _check_discovery_names(self) -> list[tuple[str, str]]:
        names = ((name, service.discovery) for name, service in self.services.items() if service.discovery)
        return [
            (f"services.{name}.discovery", f"{label!r} is already the discovery name of {owner}")
            for name, label, owner in _repeats(names)
        ]

    def _check_service_connect(self) -> list[tuple[str, str]]:
        """Service Connect with no service that publishes a name has no endpoint to connect to.

        ECS would accept it (a client-only ServiceConnectConfiguration has no ``services``), but
        every task would run a proxy for nothing; like ``discovery`` without ``port``, fgc refuses
        a configuration that cannot do what it says. The names themselves need no extra rule:
        ``discovery`` is a DNS label (at most 63 characters, starting with a letter), stricter than
        ECS's discoveryName (64: lower case, digits, ``_``, ``-``), its port name (the same) and
        its client alias dnsName (a DNS name, 127), so every valid label is valid for all three."""
        if self.discovery.mode != "service_connect" or any(s.discovery for s in self.services.values()):
            return []
        return [
            (
                "discovery.mode",
                "service_connect needs a service that publishes a name: set discovery: <name> (and port) "
                "on the service the others call",
            )
        ]

    def _check_routes(self) -> list[tuple[str, str]]:
        routes = (
            (name, (tuple(service.http.host or ()), tuple(service.http.path or ())))
            for name, service in self.services.items()
            if service.http is not None
        )
        return [
            (f"services.{name}.http", f"routes the same host and path as {owner}")
            for name, _, owner in _repeats(routes)
        ]

    def _check_existing_network(self) -> list[tuple[str, str]]:
        existing = self.network.existing
        if existing is None:
            return []
        found = []
        published = any(s.discovery and s.port for s in self.services.values())
        dns_callers = self.discovery.mode == "dns" and published
        if existing.cidr is None and dns_callers:
            found.append(
                (
                    "network.existing",
                    "add cidr: (the VPC's CIDR block): services with discovery accept callers from the VPC",
                )
            )
        if not any(s.http for s in self.services.values()):
            return found
        if self.load_balancer.scheme == "internet-facing" and len(existing.public_subnets) < 2:
            found.append(
                (
                    "network.existing.public_subnets",
                    "an internet-facing load balancer needs public subnets in at least 2 AZs",
                )
            )
        if self.load_balancer.scheme == "internal" and len(existing.private_subnets) < 2:
            found.append(
                (
                    "network.existing.private_subnets",
                    "an internal load balancer needs subnets in at least 2 AZs",
                )
            )
        return found
