"""The cluster stack builder: cluster, capacity providers, namespace, and the shared load balancer.

Also runs checkov once over variants of all three builders this helper owns (network,
cluster, registries): checkov's start-up costs seconds, so one run covers them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fgc.compiler import cluster, network, registries
from fgc.compiler.lint import lint
from fgc.compiler.stackset import StackSet
from fgc.spec.models import Spec

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012"
DOMAIN = {"name": "api.example.com", "hosted_zone": "Z0123456789ABC"}
WEB = {"image": "web:1", "port": 8080, "http": {"path": "/"}}
ADMIN = {"image": "admin:1", "port": 9000, "http": {"path": "/admin"}}
WORKER = {"image": "worker:1"}


def spec_of(**doc) -> Spec:
    return Spec.model_validate({"app": "demo", "services": {"web": WEB}} | doc)


def render(**doc) -> dict:
    return cluster.build(spec_of(**doc), None).template.to_dict()


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == kind}


def attributes(template: dict) -> dict[str, str]:
    lb = template["Resources"]["LoadBalancer"]["Properties"]
    return {a["Key"]: a["Value"] for a in lb["LoadBalancerAttributes"]}


def checkov_skips(template: dict, logical_id: str) -> set[str]:
    return {
        s["id"]
        for s in template["Resources"][logical_id].get("Metadata", {}).get("checkov", {}).get("skip", [])
    }


# ---------------------------------------------------------------- cluster and namespace


def test_backend_only_app_gets_cluster_and_namespace_but_no_load_balancer() -> None:
    template = render(services={"worker": WORKER})
    assert list(template["Resources"]) == ["Cluster", "ClusterCapacityProviders", "Namespace"]
    assert list(template["Parameters"]) == ["VpcId"]
    assert list(template["Outputs"]) == ["ClusterName", "ClusterArn", "NamespaceId", "NamespaceName"]
    assert template["Outputs"]["NamespaceName"]["Value"] == "demo.local"
    namespace = template["Resources"]["Namespace"]["Properties"]
    assert namespace["Name"] == "demo.local" and namespace["Vpc"] == {"Ref": "VpcId"}


def test_capacity_providers_default_to_on_demand_fargate() -> None:
    associations = render()["Resources"]["ClusterCapacityProviders"]["Properties"]
    assert associations == {
        "Cluster": {"Ref": "Cluster"},
        "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}],
    }


@pytest.mark.parametrize(("enabled", "value"), [(True, "enabled"), (False, "disabled")])
def test_container_insights_follow_the_spec(enabled: bool, value: str) -> None:
    template = render(cluster={"container_insights": enabled})
    settings = template["Resources"]["Cluster"]["Properties"]["ClusterSettings"]
    assert settings == [{"Name": "containerInsights", "Value": value}]
    assert checkov_skips(template, "Cluster") == (set() if enabled else {"CKV_AWS_65"})


def test_namespace_name_from_discovery() -> None:
    template = render(discovery={"namespace": "internal.example"})
    assert template["Resources"]["Namespace"]["Properties"]["Name"] == "internal.example"


# ---------------------------------------------------------------- load balancer


def test_plain_http_load_balancer_answers_404_by_default() -> None:
    template = render()
    listeners = resources(template, "AWS::ElasticLoadBalancingV2::Listener")
    assert list(listeners) == ["HttpListener"]
    assert listeners["HttpListener"]["Port"] == 80
    assert listeners["HttpListener"]["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
    assert template["Outputs"]["ListenerArn"]["Value"] == {"Ref": "HttpListener"}
    assert template["Outputs"]["LoadBalancerUrl"]["Value"] == {"Fn::Sub": "http://${LoadBalancer.DNSName}"}
    assert checkov_skips(template, "HttpListener") == {"CKV_AWS_2", "CKV_AWS_103"}


def test_certificate_redirects_http_and_serves_tls_12_or_newer() -> None:
    template = render(load_balancer={"certificate": CERT})
    listeners = resources(template, "AWS::ElasticLoadBalancingV2::Listener")
    redirect = listeners["HttpListener"]["DefaultActions"]
    assert redirect == [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    ]
    https = listeners["HttpsListener"]
    assert https["Port"] == 443 and https["Protocol"] == "HTTPS"
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")
    assert https["Certificates"] == [{"CertificateArn": CERT}]
    assert https["DefaultActions"][0]["Type"] == "fixed-response"
    assert template["Outputs"]["ListenerArn"]["Value"] == {"Ref": "HttpsListener"}
    assert template["Outputs"]["LoadBalancerUrl"]["Value"] == {"Fn::Sub": "https://${LoadBalancer.DNSName}"}
    assert checkov_skips(template, "HttpListener") == set()


def test_domain_gets_an_alias_record_and_the_url() -> None:
    template = render(load_balancer={"certificate": CERT, "domain": DOMAIN})
    record = template["Resources"]["DnsRecord"]
    assert record["Type"] == "AWS::Route53::RecordSet"
    assert record["Properties"] == {
        "HostedZoneId": "Z0123456789ABC",
        "Name": "api.example.com",
        "Type": "A",
        "AliasTarget": {
            "DNSName": {"Fn::GetAtt": ["LoadBalancer", "DNSName"]},
            "HostedZoneId": {"Fn::GetAtt": ["LoadBalancer", "CanonicalHostedZoneID"]},
            "EvaluateTargetHealth": False,
        },
    }
    assert template["Outputs"]["LoadBalancerUrl"]["Value"] == "https://api.example.com"


def test_domain_without_certificate_is_served_over_http() -> None:
    template = render(load_balancer={"domain": DOMAIN})
    assert template["Outputs"]["LoadBalancerUrl"]["Value"] == "http://api.example.com"
    assert template["Resources"]["DnsRecord"]["Properties"]["Name"] == "api.example.com"


@pytest.mark.parametrize(
    ("load_balancer", "reason"),
    [
        ({"certificate": CERT}, "only to redirect to HTTPS"),
        ({"scheme": "internal"}, "internal load balancer"),
        ({}, "no load_balancer.certificate is set"),
    ],
)
def test_world_open_port_80_is_skipped_with_its_reason(load_balancer: dict, reason: str) -> None:
    skips = render(load_balancer=load_balancer)["Resources"]["LoadBalancerSecurityGroup"]["Metadata"][
        "checkov"
    ]
    assert [s["id"] for s in skips["skip"]] == ["CKV_AWS_260"]
    assert reason in skips["skip"][0]["comment"]


def test_load_balancer_hardening_attributes() -> None:
    template = render(load_balancer={"idle_timeout": "2m", "deletion_protection": True})
    assert attributes(template) == {
        "idle_timeout.timeout_seconds": "120",
        "deletion_protection.enabled": "true",
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "routing.http.desync_mitigation_mode": "defensive",
    }
    assert checkov_skips(template, "LoadBalancer") == {"CKV_AWS_91"}
    assert attributes(render())["deletion_protection.enabled"] == "false"


@pytest.mark.parametrize(
    ("scheme", "subnets"), [("internet-facing", "PublicSubnetIds"), ("internal", "PrivateSubnetIds")]
)
def test_scheme_picks_the_subnets(scheme: str, subnets: str) -> None:
    template = render(load_balancer={"scheme": scheme})
    assert template["Resources"]["LoadBalancer"]["Properties"]["Subnets"] == {"Ref": subnets}
    assert list(template["Parameters"]) == ["VpcId", "VpcCidr", subnets]
    assert template["Parameters"][subnets]["Type"] == "CommaDelimitedList"


def test_security_group_opens_listener_ports_to_allowed_cidrs_only() -> None:
    template = render(
        load_balancer={
            "certificate": CERT,
            "allowed_cidrs": ["10.1.0.0/16", "192.168.0.0/24"],
        },
        services={"web": WEB, "admin": ADMIN, "worker": WORKER},
    )
    group = template["Resources"]["LoadBalancerSecurityGroup"]["Properties"]
    ingress = [(r["CidrIp"], r["FromPort"], r["ToPort"]) for r in group["SecurityGroupIngress"]]
    assert ingress == [("10.1.0.0/16", 80, 80), ("10.1.0.0/16", 443, 443), ("192.168.0.0/24", 80, 80),
                       ("192.168.0.0/24", 443, 443)]  # fmt: skip
    egress = [(r["CidrIp"], r["FromPort"]) for r in group["SecurityGroupEgress"]]
    assert egress == [({"Ref": "VpcCidr"}, 8080), ({"Ref": "VpcCidr"}, 9000)]
    assert all(r["Description"] for r in group["SecurityGroupIngress"] + group["SecurityGroupEgress"])
    assert checkov_skips(template, "LoadBalancerSecurityGroup") == set()


def test_many_service_ports_collapse_into_one_egress_range() -> None:
    services = {
        f"s{i}": {"image": "x:1", "port": 8000 + 2 * i, "http": {"path": f"/s{i}"}} for i in range(51)
    }
    egress = render(services=services)["Resources"]["LoadBalancerSecurityGroup"]["Properties"][
        "SecurityGroupEgress"
    ]
    assert [(r["FromPort"], r["ToPort"], r["Description"]) for r in egress] == [
        (8000, 8100, "To HTTP service tasks on port 8000-8100 in the VPC")
    ]
    fifty = {f"s{i}": services[f"s{i}"] for i in range(50)}
    assert (
        len(
            render(services=fifty)["Resources"]["LoadBalancerSecurityGroup"]["Properties"][
                "SecurityGroupEgress"
            ]
        )
        == 50
    )


def test_existing_vpc_without_cidr_limits_egress_to_service_ports() -> None:
    existing = {
        "vpc_id": "vpc-0abc",
        "public_subnets": ["subnet-1", "subnet-2"],
        "private_subnets": ["subnet-3"],
    }
    template = render(network={"existing": existing})
    assert "VpcCidr" not in template["Parameters"]
    egress = template["Resources"]["LoadBalancerSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [(r["CidrIp"], r["FromPort"], r["ToPort"]) for r in egress] == [("0.0.0.0/0", 8080, 8080)]
    with_cidr = render(network={"existing": existing | {"cidr": "172.16.0.0/16"}})
    assert "VpcCidr" in with_cidr["Parameters"]


def test_outputs_with_the_load_balancer() -> None:
    assert list(render()["Outputs"]) == [
        "ClusterName",
        "ClusterArn",
        "NamespaceId",
        "NamespaceName",
        "LoadBalancerArn",
        "LoadBalancerFullName",
        "LoadBalancerDnsName",
        "LoadBalancerSecurityGroupId",
        "ListenerArn",
        "LoadBalancerUrl",
    ]


# ---------------------------------------------------------------- cfn-lint and checkov


def variants() -> dict[str, dict]:
    """Cluster variants covering every branch, plus network and registries variants for checkov."""
    existing = {
        "vpc_id": "vpc-0abc",
        "public_subnets": ["subnet-1", "subnet-2"],
        "private_subnets": ["subnet-3"],
    }
    return {
        "cluster-worker-only": render(services={"worker": WORKER}, cluster={"container_insights": False}),
        "cluster-http": render(),
        "cluster-https-domain": render(
            load_balancer={"certificate": CERT, "domain": DOMAIN, "deletion_protection": True},
            services={"web": WEB, "admin": ADMIN, "worker": WORKER},
        ),
        "cluster-internal": render(load_balancer={"scheme": "internal", "allowed_cidrs": ["10.0.0.0/8"]}),
        "cluster-existing": render(network={"existing": existing}, load_balancer={"certificate": CERT}),
    }


def test_every_variant_lints_clean(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(tmp_path))
    findings = lint(StackSet.of("demo", variants()))
    assert [str(f) for f in findings] == []


def test_checkov_finds_nothing_unexplained(tmp_path: Path, checkov: Callable[[Path], dict[str, Any]]) -> None:
    rendered = variants()
    rendered["network-per-az"] = network.build(
        spec_of(network={"vpc": {"nat": "per_az"}}), None
    ).template.to_dict()
    rendered["registries"] = registries.build(
        spec_of(registries={"api": {}, "team/tools": {"scan_on_push": False, "immutable_tags": False}}), None
    ).template.to_dict()
    for name, template in rendered.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(template, indent=2))
    report = checkov(tmp_path)
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0 and report["summary"]["passed"] > 0
    skipped = report["results"]["skipped_checks"]
    assert all(c["check_result"]["suppress_comment"] for c in skipped)
    assert {c["check_id"] for c in skipped} == {
        "CKV_AWS_2",  # plain HTTP listener without a certificate
        "CKV_AWS_103",  # ... which has no TLS policy
        "CKV_AWS_260",  # port 80 open to the world
        "CKV_AWS_91",  # no access log bucket
        "CKV_AWS_65",  # container insights off
        "CKV_AWS_136",  # ECR AES256 rather than KMS
        "CKV_AWS_51",  # mutable tags asked for
        "CKV_AWS_163",  # scan on push off
    }
