"""Small templates with known cfn-lint results, shared by the lint tests."""

from __future__ import annotations


def log_group(**extra: object) -> dict:
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"RetentionInDays": 30},
        **extra,
    }


def template(resources: dict, **extra: object) -> dict:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, **extra}


CLEAN = template({"Logs": log_group()})
BROKEN = template(
    {
        "Logs": log_group(),
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "x", "Nope": 1}},
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "d", "VpcId": "vpc-1"},
        },
        "Endpoint": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {
                "ServiceName": "com.amazonaws.us-east-1.s3",
                "VpcId": "vpc-1",
                "VpcEndpointType": "Bad",
            },
        },
    }
)
