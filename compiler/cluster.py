"""The `cluster` nested stack: ECS cluster, Fargate capacity providers, Cloud Map namespace,
and the shared load balancer (see :mod:`compiler.load_balancer`) when any service has `http`.

Only the network parameters a template uses are declared (an unused parameter is a
cfn-lint warning), each with where the root takes it from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fgc.compiler import load_balancer, network, service_connect
from fgc.compiler.checkov_skips import checkov_metadata
from fgc.compiler.draft import Draft
from troposphere import GetAtt, Output, Ref, Template, ecs, servicediscovery

if TYPE_CHECKING:
    from fgc.compiler.context import CompileContext
    from fgc.spec.models import Spec


#: The part's name.
NAME = "cluster"
#: Capacity providers every cluster offers; services choose their own mix.
CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def build(spec: Spec, ctx: CompileContext | None = None) -> Draft:
    """The cluster part; outputs ClusterName/Arn, NamespaceId/Name and, with HTTP services,
    the load balancer's ids, listener and URL."""
    with_alb = load_balancer.needed(spec)
    t = Template(
        Description=f"fgc {spec.stack_name}: ECS cluster, service discovery namespace"
        + (" and shared load balancer" if with_alb else "")
    )
    t.set_version("2010-09-09")
    draft = Draft(NAME, t)
    vpc = network.values(spec)
    vpc_id = draft.parameter(
        "VpcId", vpc.get("VpcId"), "String", "The VPC the namespace and load balancer live in"
    )

    insights = bool(spec.cluster.container_insights)
    cluster = t.add_resource(
        ecs.Cluster(
            "Cluster",
            ClusterSettings=[
                ecs.ClusterSetting(Name="containerInsights", Value="enabled" if insights else "disabled")
            ],
        )
    )
    if not insights:
        cluster.Metadata = checkov_metadata(
            {"CKV_AWS_65": "container_insights: false in fargate.yaml (the user's choice)"}
        )
    t.add_resource(
        ecs.ClusterCapacityProviderAssociations(
            "ClusterCapacityProviders",
            Cluster=Ref(cluster),
            CapacityProviders=list(CAPACITY_PROVIDERS),
            DefaultCapacityProviderStrategy=[
                ecs.CapacityProviderStrategy(CapacityProvider="FARGATE", Weight=1)
            ],
        )
    )
    namespace_name = spec.namespace
    namespace = t.add_resource(
        servicediscovery.PrivateDnsNamespace(
            "Namespace",
            Name=namespace_name,
            Vpc=Ref(vpc_id),
            Description=f"Service discovery for {spec.stack_name}",
        )
    )
    t.add_output(
        [
            Output("ClusterName", Description="The ECS cluster's name", Value=Ref(cluster)),
            Output("ClusterArn", Description="The ECS cluster's ARN", Value=GetAtt(cluster, "Arn")),
            Output("NamespaceId", Description="The Cloud Map namespace's id", Value=GetAtt(namespace, "Id")),
            Output("NamespaceName", Description="The Cloud Map namespace's DNS name", Value=namespace_name),
        ]
    )
    if service_connect.enabled(spec):
        service_connect.add_to_cluster(t, cluster, GetAtt(namespace, "Arn"), Ref(vpc_id), spec.stack_name)
    if with_alb:
        load_balancer.add(draft, spec, vpc)
    return draft
