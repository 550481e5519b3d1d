"""The shared application load balancer, added to the cluster stack when any service has `http`.

One ALB serves every HTTP service: services attach listener rules to the listener this
stack exports (`ListenerArn`); the listener's own default answer is a 404.  With a
certificate, :80 only redirects to :443 and :443 speaks TLS 1.2 or newer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fgc.compiler import defaults
from fgc.compiler.checkov_skips import checkov_metadata
from troposphere import GetAtt, Output, Parameter, Ref, Sub, Template, ec2, route53
from troposphere import elasticloadbalancingv2 as elb

if TYPE_CHECKING:
    from fgc.compiler.draft import Draft
    from fgc.compiler.stackset import Source
    from fgc.spec.models import Spec


HTTP_PORT = 80
HTTPS_PORT = 443
INTERNET_FACING = "internet-facing"
#: Per-port egress rules up to this many distinct service ports (AWS's default quota is 60
#: rules per direction per group); beyond it one rule covers the lowest to the highest port.
MAX_EGRESS_RULES = 50


def needed(spec: Spec) -> bool:
    """Whether the application needs the shared load balancer: some service has `http`."""
    return any(service.http is not None for service in spec.services.values())


def add(draft: Draft, spec: Spec, vpc: Mapping[str, Source]) -> None:
    """Add the load balancer, its security group, listeners, optional DNS alias and outputs to the
    cluster part; ``vpc`` says where the VPC's values come from (see ``network.values``)."""
    t = draft.template
    lb_spec = spec.load_balancer
    scheme = lb_spec.scheme
    certificate = lb_spec.certificate
    domain = lb_spec.domain

    vpc_cidr = None
    if "VpcCidr" in vpc:
        vpc_cidr = draft.parameter(
            "VpcCidr", vpc["VpcCidr"], "String", "The VPC's CIDR block: the load balancer's targets"
        )
    subnets_name = "PublicSubnetIds" if scheme == INTERNET_FACING else "PrivateSubnetIds"
    subnets = draft.parameter(
        subnets_name,
        vpc.get(subnets_name),
        "CommaDelimitedList",
        f"Subnets of the {scheme} load balancer, one per availability zone",
    )

    sg = t.add_resource(_security_group(spec, certificate, vpc_cidr))
    access_logs_skip = {
        "CKV_AWS_91": "access logs need an S3 bucket with its own retention and policy; "
        "fgc does not create one (enable on the load balancer if required)",
    }
    alb = t.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Type="application",
            Scheme=scheme,
            Subnets=Ref(subnets),
            SecurityGroups=[GetAtt(sg, "GroupId")],
            LoadBalancerAttributes=[
                elb.LoadBalancerAttributes(Key=key, Value=value)
                for key, value in (
                    ("idle_timeout.timeout_seconds", str(lb_spec.idle_timeout)),
                    ("deletion_protection.enabled", _flag(lb_spec.deletion_protection)),
                    (
                        "routing.http.drop_invalid_header_fields.enabled",
                        _flag(defaults.DROP_INVALID_HEADER_FIELDS),
                    ),
                    ("routing.http.desync_mitigation_mode", defaults.DESYNC_MITIGATION),
                )
            ],
            Metadata=checkov_metadata(access_logs_skip),
        )
    )

    listener = _add_listeners(t, alb, certificate)
    if domain is not None:
        t.add_resource(
            route53.RecordSetType(
                "DnsRecord",
                HostedZoneId=domain.hosted_zone,
                Name=domain.name,
                Type="A",
                AliasTarget=route53.AliasTarget(
                    DNSName=GetAtt(alb, "DNSName"),
                    HostedZoneId=GetAtt(alb, "CanonicalHostedZoneID"),
                    EvaluateTargetHealth=False,
                ),
            )
        )
    _add_outputs(t, alb, sg, listener, certificate, domain.name if domain is not None else None)


def _add_listeners(t: Template, alb: elb.LoadBalancer, certificate: str | None) -> elb.Listener:
    """The :80 listener (redirecting when there is a certificate) and the :443 one; returns the
    listener services attach their rules to."""
    not_found_action = not_found()
    redirect = elb.Action(
        Type="redirect",
        RedirectConfig=elb.RedirectConfig(Protocol="HTTPS", Port=str(HTTPS_PORT), StatusCode="HTTP_301"),
    )
    http = t.add_resource(
        elb.Listener(
            "HttpListener",
            LoadBalancerArn=Ref(alb),
            Port=HTTP_PORT,
            Protocol="HTTP",
            DefaultActions=[redirect if certificate else not_found_action],
        )
    )
    if not certificate:
        http.Metadata = plain_http_metadata("only redirects to HTTPS")
        return http
    return t.add_resource(
        elb.Listener(
            "HttpsListener",
            LoadBalancerArn=Ref(alb),
            Port=HTTPS_PORT,
            **protocol(certificate),
            DefaultActions=[not_found_action],
        )
    )


def not_found() -> elb.Action:
    """A listener's own answer when no rule matches: 404."""
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"
        ),
    )


def protocol(certificate: str | None) -> dict:
    """A serving listener's protocol properties: HTTPS (TLS 1.2 or newer) with a certificate, else HTTP."""
    if certificate is None:
        return {"Protocol": "HTTP"}
    return {
        "Protocol": "HTTPS",
        "SslPolicy": defaults.TLS_POLICY,
        "Certificates": [elb.Certificate(CertificateArn=certificate)],
    }


def plain_http_metadata(with_certificate: str) -> dict:
    """Why a listener speaks plain HTTP (and what it does ``with_certificate``): checkov flags it,
    the reviewer reads this."""
    return checkov_metadata(
        {
            "CKV_AWS_2": "no load_balancer.certificate in fargate.yaml: plain HTTP until one "
            f"is set, then this listener {with_certificate}",
            "CKV_AWS_103": "no load_balancer.certificate in fargate.yaml: no TLS to configure",
        }
    )


def _add_outputs(
    t: Template,
    alb: elb.LoadBalancer,
    sg: ec2.SecurityGroup,
    listener: elb.Listener,
    certificate: str | None,
    domain: str | None,
) -> None:
    scheme_prefix = "https://" if certificate else "http://"
    url = scheme_prefix + domain if domain is not None else Sub(f"{scheme_prefix}${{{alb.title}.DNSName}}")
    t.add_output(
        [
            Output("LoadBalancerArn", Description="The load balancer's ARN", Value=Ref(alb)),
            Output(
                "LoadBalancerFullName",
                Description="The load balancer's full name (CloudWatch dimension and request-count scaling)",
                Value=GetAtt(alb, "LoadBalancerFullName"),
            ),
            Output(
                "LoadBalancerDnsName",
                Description="The load balancer's DNS name",
                Value=GetAtt(alb, "DNSName"),
            ),
            Output(
                "LoadBalancerSecurityGroupId",
                Description="The load balancer's security group: tasks allow ingress from it",
                Value=GetAtt(sg, "GroupId"),
            ),
            Output(
                "ListenerArn", Description="The listener services attach their rules to", Value=Ref(listener)
            ),
            Output("LoadBalancerUrl", Description="Where the application answers", Value=url),
        ]
    )


def _security_group(spec: Spec, certificate: str | None, vpc_cidr: Parameter | None) -> ec2.SecurityGroup:
    """The ALB's group: listener ports open to `allowed_cidrs`, egress only to the services' ports.

    Egress is limited to the VPC's CIDR when it is known (always, except for an existing VPC
    given without `cidr`: then only the ports are limited).
    """
    listener_ports = [HTTP_PORT, HTTPS_PORT] if certificate else [HTTP_PORT]
    ingress = [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            CidrIp=cidr,
            Description=_ingress_description(port, certificate, cidr),
        )
        for cidr in dict.fromkeys(spec.load_balancer.allowed_cidrs)
        for port in listener_ports
    ]
    where = " in the VPC" if vpc_cidr is not None else " (set network.existing.cidr to keep it in the VPC)"
    egress = [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=low,
            ToPort=high,
            CidrIp=Ref(vpc_cidr) if vpc_cidr is not None else "0.0.0.0/0",
            Description=f"To HTTP service tasks on port {low if low == high else f'{low}-{high}'}{where}",
        )
        for low, high in _target_port_ranges(spec)
    ]
    group = ec2.SecurityGroup(
        "LoadBalancerSecurityGroup",
        GroupDescription=f"{spec.stack_name} load balancer",
        VpcId=Ref("VpcId"),
        SecurityGroupIngress=ingress,
        SecurityGroupEgress=egress,
    )
    if "0.0.0.0/0" in spec.load_balancer.allowed_cidrs:
        group.Metadata = checkov_metadata(
            {"CKV_AWS_260": _open_port_80_reason(spec.load_balancer.scheme, certificate)}
        )
    return group


def _target_port_ranges(spec: Spec) -> list[tuple[int, int]]:
    """The services' container ports as (from, to) egress ranges: one per port, or a single
    covering range when there are more ports than fit in a security group's rule quota."""
    ports = sorted({s.port for s in spec.services.values() if s.http is not None and s.port is not None})
    if len(ports) > MAX_EGRESS_RULES:
        return [(ports[0], ports[-1])]
    return [(port, port) for port in ports]


def _open_port_80_reason(scheme: str, certificate: str | None) -> str:
    """Why port 80 may be open to 0.0.0.0/0 here: checkov flags it, the reviewer reads this."""
    if certificate:
        return "port 80 is open to the world only to redirect to HTTPS"
    if scheme != INTERNET_FACING:
        return "internal load balancer: 0.0.0.0/0 reaches it only from the VPC and networks routed to it"
    return "public HTTP endpoint: allowed_cidrs includes 0.0.0.0/0 and no load_balancer.certificate is set"


def _ingress_description(port: int, certificate: str | None, cidr: str) -> str:
    if port == HTTPS_PORT:
        return f"HTTPS from {cidr}"
    if certificate:
        return f"HTTP from {cidr}, redirected to HTTPS"
    return f"HTTP from {cidr}"


def _flag(value: bool) -> str:
    return "true" if value else "false"
