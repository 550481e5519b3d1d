"""Alarm, certificate and Route 53 alias records; and the model map itself."""

from __future__ import annotations

import pytest
from fgc.emulator import resources
from moto.cloudformation import parsing


def test_every_model_wins_the_type_in_moto_map():
    # register() raises if any of our types resolved to another model; check the map directly too.
    model_map = resources.register()
    for model in resources.MODELS:
        assert model_map[model.TYPE] is model
        assert parsing.resource_class_from_type(model.TYPE) is model
        # moto (and the engine) take the naming property from the FIRST model of a type, moto's own.
        assert (parsing.resource_name_property_from_type(model.TYPE) or "") == model.NAME_PROPERTY, model.TYPE
    assert len({m.TYPE for m in resources.MODELS}) == len(resources.MODELS)


def test_a_missing_required_property_fails_with_cloudformations_reason(cfn):
    with pytest.raises(resources.ResourceError, match=r"required key \[VpcId\] not found"):
        cfn.create("AWS::EC2::Subnet", "NoVpc", {"CidrBlock": "10.0.0.0/24"})


def test_alarm_create_update_delete(cfn, aws):
    props = {
        "AlarmName": "flask-api-5xx",
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "HTTPCode_Target_5XX_Count",
        "Dimensions": [{"Name": "LoadBalancer", "Value": "app/flask-api/abc"}],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 5,
        "Threshold": 10,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    alarm = cfn.create("AWS::CloudWatch::Alarm", "flask-api-5xx", props)
    cw = aws("cloudwatch")
    got = cw.describe_alarms(AlarmNames=["flask-api-5xx"])["MetricAlarms"][0]
    assert (got["Threshold"], got["Dimensions"][0]["Value"]) == (10.0, "app/flask-api/abc")
    assert alarm.get_cfn_attribute("Arn") == got["AlarmArn"]
    alarm = cfn.update(alarm, dict(props, Threshold=20), name="flask-api-5xx")
    assert cw.describe_alarms(AlarmNames=["flask-api-5xx"])["MetricAlarms"][0]["Threshold"] == 20.0
    cfn.delete(alarm)
    assert cw.describe_alarms(AlarmNames=["flask-api-5xx"])["MetricAlarms"] == []


def test_certificate_ref_is_its_arn(cfn, aws):
    cert = cfn.create(
        "AWS::CertificateManager::Certificate",
        "Cert",
        {"DomainName": "api.example.com", "ValidationMethod": "DNS"},
    )
    assert cert.physical_resource_id.startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    acm = aws("acm")
    got = acm.describe_certificate(CertificateArn=cert.physical_resource_id)["Certificate"]
    assert got["DomainName"] == "api.example.com"
    cfn.delete(cert)
    with pytest.raises(acm.exceptions.ResourceNotFoundException):
        acm.describe_certificate(CertificateArn=cert.physical_resource_id)


def test_route53_alias_record_to_the_load_balancer(cfn, aws, network):
    r53 = aws("route53")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="alias-test")["HostedZone"]["Id"].split(
        "/"
    )[-1]
    lb = cfn.create(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "aliased",
        {"Name": "aliased", "Subnets": network["subnets"], "SecurityGroups": [network["sg"]]},
    )
    props = {
        "HostedZoneId": zone,
        "Name": "api.example.com",
        "Type": "A",
        "AliasTarget": {
            "DNSName": lb.get_cfn_attribute("DNSName"),
            "HostedZoneId": lb.get_cfn_attribute("CanonicalHostedZoneID"),
            "EvaluateTargetHealth": True,
        },
    }
    record = cfn.create("AWS::Route53::RecordSet", "api.example.com", props)
    records = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    alias = next(r for r in records if r["Type"] == "A")
    assert alias["AliasTarget"]["HostedZoneId"] == "Z35SXDOTRQ7X7K"
    assert alias["AliasTarget"]["DNSName"].rstrip(".") == lb.get_cfn_attribute("DNSName")
    record = cfn.update(
        record,
        dict(props, AliasTarget=dict(props["AliasTarget"], EvaluateTargetHealth=False)),
        name="api.example.com",
    )
    records = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r["AliasTarget"]["EvaluateTargetHealth"] for r in records if r["Type"] == "A"] == [False]
    cfn.delete(record)
    assert not [
        r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "A"
    ]
    cfn.delete(lb)
