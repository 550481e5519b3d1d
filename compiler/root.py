"""The root stack: one nested stack per part, parameters down, outputs up.

Children are referenced by content (``${ArtifactsUrl}/templates/<sha256>.json``), so an
unchanged child keeps its URL and CloudFormation skips it. Image tags are root
parameters, so a new tag changes parameters only, never a template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fgc.compiler import images, priorities
from fgc.compiler.naming import image_tag_parameter, stack_logical_id
from fgc.compiler.problems import spec_error
from fgc.spec.errors import UsageError
from fgc.spec.models import Spec
from troposphere import GetAtt, Output, Parameter, Ref, Select, Sub, Template
from troposphere.cloudformation import Stack

ARTIFACTS_URL = "ArtifactsUrl"
#: the single list parameter used instead of one per service when those would not fit
IMAGE_TAGS = "ImageTags"
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
_NETWORK_OUTPUTS = ("VpcId", "VpcCidr", "PublicSubnetIds", "PrivateSubnetIds")


def tag_parameters(spec: Spec, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Root parameter values for the main images' tags, by parameter name.

    One ``<Service>ImageTag`` per service while they fit in CloudFormation's 200
    parameters (with ``ArtifactsUrl``); beyond that one ``ImageTags`` list in service order.
    ``overrides`` (service -> tag) replace the spec's tags.
    """
    unknown = sorted(set(overrides or {}) - set(spec.services))
    if unknown:
        hint = f"services: {', '.join(spec.services)}"
        raise UsageError(f"image tag for unknown service(s): {', '.join(unknown)}", hint=hint)
    tags = {
        name: (overrides or {}).get(name) or images.parse(s.image).tag for name, s in spec.services.items()
    }
    if len(tags) + 1 <= MAX_PARAMETERS:
        return {image_tag_parameter(name): tag for name, tag in tags.items()}
    return {IMAGE_TAGS: ",".join(tags.values())}


class _Sources:
    """Where each child parameter's value comes from in the root."""

    def __init__(self, spec: Spec, templates: Mapping[str, dict[str, Any]]) -> None:
        self.spec = spec
        self.templates = templates
        self.per_service_tags = IMAGE_TAGS not in tag_parameters(spec)
        self.service_index = {name: i for i, name in enumerate(spec.services)}

    def value(self, child: str, parameter: str) -> Any:
        if parameter == images.TAG_PARAMETER:
            service = child.removeprefix("service-")
            if self.per_service_tags:
                return Ref(image_tag_parameter(service))
            return Select(self.service_index[service], Ref(IMAGE_TAGS))
        if parameter in _NETWORK_OUTPUTS:
            return self._network(parameter)
        if parameter.endswith(("RepositoryUri", "RepositoryArn")) and "registries" in self.templates:
            return GetAtt("Registries", f"Outputs.{parameter}")
        return GetAtt("Cluster", f"Outputs.{parameter}")

    def _network(self, parameter: str) -> Any:
        existing = self.spec.network.existing
        if existing is None:
            return GetAtt("Network", f"Outputs.{parameter}")
        if parameter == "VpcId":
            return existing.vpc_id
        if parameter == "PublicSubnetIds":
            return ",".join(existing.public_subnets)
        if parameter == "PrivateSubnetIds":
            return ",".join(existing.private_subnets)
        if existing.cidr is None:
            raise spec_error(
                self.spec,
                ("network", "existing"),
                "add cidr: (the VPC's CIDR block): services with discovery accept callers from the VPC",
            )
        return existing.cidr


def build(
    spec: Spec,
    templates: Mapping[str, dict[str, Any]],
    sha256: Callable[[str], str],
    displaced: Mapping[str, list[str]],
) -> Template:
    """The root template over the already final child ``templates`` (by name, root excluded)."""
    t = Template(Description=f"fgc {spec.stack_name}: root stack (nested stacks per part)")
    t.add_parameter(
        Parameter(
            ARTIFACTS_URL,
            Type="String",
            Description="Base URL of the artifacts bucket holding the nested templates (set by fgc deploy)",
        )
    )
    tags = tag_parameters(spec)
    for name in tags:
        if name == IMAGE_TAGS:
            description = "Main image tags of the services, comma-separated, in fargate.yaml order"
            t.add_parameter(Parameter(name, Type="CommaDelimitedList", Description=description))
        else:
            t.add_parameter(
                Parameter(name, Type="String", Description="Main image tag (or digest) of a service")
            )

    sources = _Sources(spec, templates)
    for name, template in templates.items():
        props: dict[str, Any] = {"TemplateURL": Sub(f"${{{ARTIFACTS_URL}}}/templates/{sha256(name)}.json")}
        parameters = {p: sources.value(name, p) for p in template.get("Parameters", {})}
        if parameters:
            props["Parameters"] = parameters
        # Explicit Delete: a nested stack holds no data itself; what must survive (log
        # groups, repositories) carries its own Retain inside the child.
        stack = Stack(stack_logical_id(name), DeletionPolicy="Delete", UpdateReplacePolicy="Delete", **props)
        service = name.removeprefix("service-") if name.startswith("service-") else None
        if service is not None and service in displaced:
            stack.DependsOn = [stack_logical_id(f"service-{s}") for s in displaced[service]]
        t.add_resource(stack)

    _add_outputs(t, spec)
    return t


def _add_outputs(t: Template, spec: Spec) -> None:
    """Application-wide outputs, then per-service ones when they all fit in the 200-output limit.

    Per service: ``Service<Name>ServiceName``, ``...LogGroupName``, ``...Url`` (http) and
    ``...DiscoveryName`` (discovery). When they do not all fit, none is emitted and these
    values are read from each service stack's own outputs (ServiceName, LogGroupName).
    """
    outputs = [
        Output("ClusterName", Value=GetAtt("Cluster", "Outputs.ClusterName"), Description="ECS cluster"),
        Output(
            "NamespaceName",
            Value=GetAtt("Cluster", "Outputs.NamespaceName"),
            Description="Cloud Map namespace",
        ),
    ]
    if any(s.http for s in spec.services.values()):
        outputs.append(
            Output(
                "LoadBalancerUrl",
                Value=GetAtt("Cluster", "Outputs.LoadBalancerUrl"),
                Description="Load balancer",
            )
        )
    per_service = []
    scheme = "https" if spec.load_balancer.certificate else "http"
    for name, service in spec.services.items():
        # "ServiceApi" + "Url": the nested stack's id as prefix never collides with app outputs
        stack = prefix = stack_logical_id(f"service-{name}")
        per_service += [
            Output(
                f"{prefix}ServiceName",
                Value=GetAtt(stack, "Outputs.ServiceName"),
                Description=f"{name}: ECS service",
            ),
            Output(
                f"{prefix}LogGroupName",
                Value=GetAtt(stack, "Outputs.LogGroupName"),
                Description=f"{name}: logs",
            ),
        ]
        if service.http is not None:
            paths = priorities.path_values(service.http.path) or ["/"]
            path = priorities.literal_prefix(paths[0])
            host = service.http.host[0] if service.http.host else None
            if host and not any(c in host for c in "*?"):
                url: Any = f"{scheme}://{host}{path}"
            else:
                base = GetAtt("Cluster", "Outputs.LoadBalancerUrl")
                url = (
                    base
                    if path == "/"
                    else Sub("${Cluster.Outputs.LoadBalancerUrl}" + path.replace("${", "${!"))
                )
            per_service.append(Output(f"{prefix}Url", Value=url, Description=f"{name}: URL"))
        if service.discovery is not None:
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
