"""The root stack: one nested stack per part, parameters down, outputs up.

Built from the parts alone: each nested stack's ``TemplateURL`` is the part's content
key (``${ArtifactsUrl}/<key>``, so an unchanged child keeps its URL and CloudFormation
skips it) and each parameter's value is what the part declares as its source. A
source that names a missing part, output or root parameter is refused here, at
compile time, instead of reaching CloudFormation as a dangling ``GetAtt``. Image tags
are root parameters, so a new tag changes parameters only, never a template; so are the
production rule weights of the services whose deployments shift traffic (``compiler.traffic``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fgc.compiler import cluster, images, priorities, service_connect, traffic
from fgc.compiler.naming import image_tag_parameter, weight_parameter
from fgc.compiler.stackset import (
    Part,
    PartOutput,
    RootParameter,
    Source,
    SpecValue,
    StackOutput,
    WiringError,
)
from fgc.spec.errors import UsageError
from fgc.spec.models import Spec
from troposphere import GetAtt, Output, Parameter, Ref, Select, Sub, Template
from troposphere.cloudformation import Stack

ARTIFACTS_URL = "ArtifactsUrl"
#: the single list parameter used instead of one per service when those would not fit
IMAGE_TAGS = "ImageTags"
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200


def tag_parameters(spec: Spec, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Root parameter values for the main images' tags, by parameter name.

    One ``<Service>ImageTag`` per service while they fit in CloudFormation's 200
    parameters (with ``ArtifactsUrl``); beyond that one ``ImageTags`` list in service order.
    ``overrides`` (service -> tag) replace the spec's tags; an image built from source has its
    tag only from there (``compiler.builds.image_tags``), and no value without it.
    """
    unknown = sorted(set(overrides or {}) - set(spec.services))
    if unknown:
        hint = f"services: {', '.join(spec.services)}"
        raise UsageError(f"image tag for unknown service(s): {', '.join(unknown)}", hint=hint)
    tags = {
        name: (overrides or {}).get(name) or images.parse(s.image).tag for name, s in spec.services.items()
    }
    if _per_service_tags(spec):
        # a built image without a tag from the context has none yet (see compiler.builds)
        return {image_tag_parameter(name): tag for name, tag in tags.items() if tag}
    return {IMAGE_TAGS: ",".join(tags.values())}


def tag_parameter_names(spec: Spec) -> list[str]:
    """The root parameters holding the main images' tags (see :func:`tag_parameters`)."""
    if _per_service_tags(spec):
        return [image_tag_parameter(name) for name in spec.services]
    return [IMAGE_TAGS]


def tag_source(spec: Spec, service: str) -> RootParameter:
    """The root parameter holding ``service``'s main image tag (see :func:`tag_parameters`)."""
    if _per_service_tags(spec):
        return RootParameter(image_tag_parameter(service))
    return RootParameter(IMAGE_TAGS, list(spec.services).index(service))


def _per_service_tags(spec: Spec) -> bool:
    """One tag parameter per service fits beside ``ArtifactsUrl`` in CloudFormation's limit."""
    return len(spec.services) + 1 <= MAX_PARAMETERS


def _shifting(spec: Spec) -> list[str]:
    """The services whose deployments shift traffic between two target groups, in spec order."""
    return [name for name, s in spec.services.items() if s.deployment.shifts_traffic]


def _per_service_weights(spec: Spec) -> bool:
    """Two weight parameters per traffic-shifting service fit in CloudFormation's limit beside
    ``ArtifactsUrl``, the tags and the registries' outputs (two per registry, at most)."""
    before = 1 + len(tag_parameter_names(spec)) + 2 * len(spec.registries)
    return before + 2 * len(_shifting(spec)) <= MAX_PARAMETERS


def weight_parameters(spec: Spec) -> dict[str, str]:
    """Root parameter values of the production rules' weights, before the deployer puts the live
    ones in (``traffic.weight_values``): every service's traffic on its primary target group."""
    primary, alternate = (str(w) for w in traffic.DEFAULT_WEIGHTS)
    names = _shifting(spec)
    if not names:
        return {}
    if not _per_service_weights(spec):
        return {traffic.TRAFFIC_WEIGHTS: ",".join(f"{primary},{alternate}" for _ in names)}
    return {
        parameter: value
        for name in names
        for parameter, value in (
            (weight_parameter(name, "Primary"), primary),
            (weight_parameter(name, "Alternate"), alternate),
        )
    }


def weight_sources(spec: Spec, service: str) -> tuple[RootParameter, RootParameter]:
    """The root parameters holding ``service``'s primary and alternate weights."""
    if _per_service_weights(spec):
        return RootParameter(weight_parameter(service, "Primary")), RootParameter(
            weight_parameter(service, "Alternate")
        )
    index = 2 * _shifting(spec).index(service)
    return RootParameter(traffic.TRAFFIC_WEIGHTS, index), RootParameter(traffic.TRAFFIC_WEIGHTS, index + 1)


def _add_weight_parameters(t: Template, spec: Spec) -> None:
    for name, default in weight_parameters(spec).items():
        if name == traffic.TRAFFIC_WEIGHTS:
            description = "Production rule weights (primary,alternate) of each traffic-shifting service"
            t.add_parameter(
                Parameter(name, Type="CommaDelimitedList", Default=default, Description=description)
            )
        else:
            description = "Production rule weight of a target group, as live (set by fgc deploy)"
            t.add_parameter(
                Parameter(
                    name,
                    Type="Number",
                    Default=default,
                    MinValue=0,
                    MaxValue=traffic.MAX_WEIGHT,
                    Description=description,
                )
            )


def external_parameters(parts: Sequence[Part]) -> dict[str, StackOutput]:
    """Root parameters whose values are another stack's outputs, by name, in first-use order."""
    return {
        source.output: source
        for part in parts
        for source in part.parameters.values()
        if isinstance(source, StackOutput)
    }


class _Wiring:
    """Turns the parts' declared sources into root values, refusing any that point nowhere."""

    def __init__(self, t: Template, parts: Sequence[Part]) -> None:
        self.root_parameters = t.parameters
        self.parts = {part.name: part for part in parts}
        self.services = {part.service: part for part in parts if part.service is not None}

    def part(self, name: str, needed_by: str) -> Part:
        if name not in self.parts:
            raise WiringError(f"{needed_by} needs part {name!r}, which this stack set does not have")
        return self.parts[name]

    def service(self, name: str, needed_by: str) -> Part:
        """The part of the fargate.yaml service ``name``."""
        if name not in self.services:
            raise WiringError(f"{needed_by} needs the part of service {name!r}, which this stack set lacks")
        return self.services[name]

    def attribute(self, source: PartOutput, needed_by: str) -> str:
        """``<PartLogicalId>.Outputs.<Name>``, once that part's final template declares the output."""
        part = self.part(source.part, needed_by)
        if source.output not in part.template.get("Outputs", {}):
            raise WiringError(
                f"{needed_by} reads output {source.output} of {part.name}, which has no such output"
            )
        return f"{part.logical_id}.Outputs.{source.output}"

    def output(self, source: PartOutput, needed_by: str) -> GetAtt:
        """``Fn::GetAtt`` of a part's output (see :meth:`attribute`)."""
        logical_id, attribute = self.attribute(source, needed_by).split(".", 1)
        return GetAtt(logical_id, attribute)

    def value(self, source: Source, needed_by: str) -> Any:
        if isinstance(source, SpecValue):
            return source.value
        if isinstance(source, PartOutput):
            return self.output(source, needed_by)
        if isinstance(source, StackOutput):
            return Ref(source.output)
        if source.name not in self.root_parameters:
            raise WiringError(
                f"{needed_by} reads root parameter {source.name}, which the root does not declare"
            )
        return Ref(source.name) if source.index is None else Select(source.index, Ref(source.name))

    def stack(self, part: Part) -> Stack:
        """The root's ``AWS::CloudFormation::Stack`` for ``part``, its parameters wired from their sources."""
        props: dict[str, Any] = {"TemplateURL": Sub(f"${{{ARTIFACTS_URL}}}/{part.key}")}
        declared = part.template.get("Parameters", {})
        missing = [name for name in declared if name not in part.parameters]
        if missing:
            raise WiringError(f"{part.name}: parameter(s) {', '.join(missing)} have no source")
        parameters = {
            name: self.value(part.parameters[name], f"{part.name}'s parameter {name}") for name in declared
        }
        if parameters:
            props["Parameters"] = parameters
        # Explicit Delete: a nested stack holds no data itself; what must survive (log
        # groups, repositories) carries its own Retain inside the child.
        stack = Stack(part.logical_id, DeletionPolicy="Delete", UpdateReplacePolicy="Delete", **props)
        if part.depends_on:
            stack.DependsOn = [self.part(name, part.name).logical_id for name in part.depends_on]
        return stack


def build(spec: Spec, parts: Sequence[Part]) -> Template:
    """The root template over the final nested ``parts``: one stack each, wired from their sources.

    Raises :class:`WiringError` when a part has a parameter without a source, or a source
    names a part, an output or a root parameter that does not exist.
    """
    t = Template(Description=f"fgc {spec.stack_name}: root stack (nested stacks per part)")
    t.add_parameter(
        Parameter(
            ARTIFACTS_URL,
            Type="String",
            Description="Base URL of the artifacts bucket holding the nested templates (set by fgc deploy)",
        )
    )
    for name in tag_parameter_names(spec):
        if name == IMAGE_TAGS:
            description = "Main image tags of the services, comma-separated, in fargate.yaml order"
            t.add_parameter(Parameter(name, Type="CommaDelimitedList", Description=description))
        else:
            t.add_parameter(
                Parameter(name, Type="String", Description="Main image tag (or digest) of a service")
            )

    _add_weight_parameters(t, spec)
    for name, source in external_parameters(parts).items():
        t.add_parameter(
            Parameter(name, Type="String", Description=f"Output {name} of the stack {source.stack}")
        )
    wiring = _Wiring(t, parts)
    for part in parts:
        t.add_resource(wiring.stack(part))
    _add_outputs(t, spec, wiring)
    return t


def _add_outputs(t: Template, spec: Spec, wiring: _Wiring) -> None:
    """Application-wide outputs, then per-service ones when they all fit in the 200-output limit.

    Per service: ``Service<Name>ServiceName``, ``...LogGroupName``, ``...Url`` (http) and
    ``...DiscoveryName`` (discovery). When they do not all fit, none is emitted and these
    values are read from each service stack's own outputs (ServiceName, LogGroupName).
    """
    needed_by = "the root's Outputs section"

    def cluster_output(name: str) -> GetAtt:
        return wiring.output(PartOutput(cluster.NAME, name), needed_by)

    outputs = [
        Output("ClusterName", Value=cluster_output("ClusterName"), Description="ECS cluster"),
        Output("NamespaceName", Value=cluster_output("NamespaceName"), Description="Cloud Map namespace"),
    ]
    if any(s.http for s in spec.services.values()):
        outputs.append(
            Output("LoadBalancerUrl", Value=cluster_output("LoadBalancerUrl"), Description="Load balancer")
        )
    per_service = []
    scheme = "https" if spec.load_balancer.certificate else "http"
    for name, service in spec.services.items():
        part = wiring.service(name, needed_by)
        # "ServiceApi" + "Url": the nested stack's id as prefix never collides with app outputs
        prefix = part.logical_id
        per_service += [
            Output(
                f"{prefix}ServiceName",
                Value=wiring.output(PartOutput(part.name, "ServiceName"), needed_by),
                Description=f"{name}: ECS service",
            ),
            Output(
                f"{prefix}LogGroupName",
                Value=wiring.output(PartOutput(part.name, "LogGroupName"), needed_by),
                Description=f"{name}: logs",
            ),
        ]
        if service.http is not None:
            paths = priorities.path_values(service.http.path) or ["/"]
            path = priorities.literal_prefix(paths[0])
            host = service.http.host[0] if service.http.host else None
            if host and not any(c in host for c in "*?"):
                url: Any = f"{scheme}://{host}{path}"
            elif path == "/":
                url = cluster_output("LoadBalancerUrl")
            else:
                base = wiring.attribute(PartOutput(cluster.NAME, "LoadBalancerUrl"), needed_by)
                url = Sub(f"${{{base}}}" + path.replace("${", "${!"))
            per_service.append(Output(f"{prefix}Url", Value=url, Description=f"{name}: URL"))
        if service.discovery is not None and service_connect.enabled(spec):
            per_service.append(
                Output(
                    f"{prefix}DiscoveryName",
                    Value=service_connect.endpoint(service),
                    Description=f"{name}: Service Connect endpoint of the application's services",
                )
            )
        elif service.discovery is not None:
            per_service.append(
                Output(
                    f"{prefix}DiscoveryName",
                    Value=f"{service.discovery}.{spec.namespace}",
                    Description=f"{name}: DNS name inside the VPC",
                )
            )
    if len(outputs) + len(per_service) <= MAX_OUTPUTS:
        outputs += per_service
    t.add_output(outputs)
