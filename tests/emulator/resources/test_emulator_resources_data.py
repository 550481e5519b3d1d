"""Log group, ECR repository and IAM role models, read back over HTTP."""

from __future__ import annotations

import json

import pytest
from fgc.emulator.resources import ResourceError

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep 10",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
    ],
}


def test_log_group_retention_update_and_delete(cfn, aws):
    logs = aws("logs")
    group = cfn.create(
        "AWS::Logs::LogGroup",
        "/ecs/flask-api/api",
        {"LogGroupName": "/ecs/flask-api/api", "RetentionInDays": 30},
    )
    assert group.physical_resource_id == "/ecs/flask-api/api"
    assert group.get_cfn_attribute("Arn").endswith(":log-group:/ecs/flask-api/api:*")

    def retention():
        found = logs.describe_log_groups(logGroupNamePrefix="/ecs/flask-api/api")["logGroups"]
        return [g.get("retentionInDays") for g in found]

    assert retention() == [30]
    group = cfn.update(
        group, {"LogGroupName": "/ecs/flask-api/api", "RetentionInDays": 7}, name="/ecs/flask-api/api"
    )
    assert retention() == [7]
    cfn.delete(group)
    assert retention() == []


def test_ecr_repository_policies_update_and_delete(cfn, aws):
    ecr = aws("ecr")
    props = {
        "RepositoryName": "flask-api",
        "ImageScanningConfiguration": {"ScanOnPush": True},
        "ImageTagMutability": "IMMUTABLE",
        "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(LIFECYCLE)},
    }
    repo = cfn.create("AWS::ECR::Repository", "flask-api", props)
    got = ecr.describe_repositories(repositoryNames=["flask-api"])["repositories"][0]
    assert got["imageTagMutability"] == "IMMUTABLE" and got["imageScanningConfiguration"] == {
        "scanOnPush": True
    }
    assert repo.get_cfn_attribute("RepositoryUri") == got["repositoryUri"]
    assert repo.get_cfn_attribute("Arn") == got["repositoryArn"]
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName="flask-api")["lifecyclePolicyText"])
    assert policy["rules"][0]["selection"]["countNumber"] == 10

    repo = cfn.update(
        repo, {"RepositoryName": "flask-api", "ImageTagMutability": "MUTABLE"}, name="flask-api"
    )
    got = ecr.describe_repositories(repositoryNames=["flask-api"])["repositories"][0]
    assert got["imageTagMutability"] == "MUTABLE" and got["imageScanningConfiguration"] == {
        "scanOnPush": False
    }
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.get_lifecycle_policy(repositoryName="flask-api")

    ecr.put_image(
        repositoryName="flask-api",
        imageTag="v1",
        imageManifest=json.dumps(
            {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}
        ),
    )
    with pytest.raises(ResourceError, match="still contains images"):
        cfn.delete(repo)
    repo.properties["EmptyOnDelete"] = True
    cfn.delete(repo)
    assert all(r["repositoryName"] != "flask-api" for r in ecr.describe_repositories()["repositories"])


def test_iam_role_inline_and_managed_policies_update_and_delete(cfn, aws):
    iam = aws("iam")
    read_secret = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*",
            }
        ],
    }
    props = {
        "AssumeRolePolicyDocument": TRUST,
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        "Policies": [{"PolicyName": "secrets", "PolicyDocument": read_secret}],
    }
    role = cfn.create("AWS::IAM::Role", "flask-api-api-exec", props)
    assert role.get_cfn_attribute("Arn") == "arn:aws:iam::123456789012:role/flask-api-api-exec"
    assert iam.list_role_policies(RoleName=role.physical_resource_id)["PolicyNames"] == ["secrets"]
    doc = iam.get_role_policy(RoleName=role.physical_resource_id, PolicyName="secrets")["PolicyDocument"]
    assert doc["Statement"][0]["Action"] == "secretsmanager:GetSecretValue"
    attached = iam.list_attached_role_policies(RoleName=role.physical_resource_id)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonECSTaskExecutionRolePolicy"]

    role = cfn.update(
        role,
        {
            "AssumeRolePolicyDocument": TRUST,
            "Policies": [{"PolicyName": "s3", "PolicyDocument": read_secret}],
        },
        name="x",
    )
    assert iam.list_role_policies(RoleName=role.physical_resource_id)["PolicyNames"] == ["s3"]
    assert iam.list_attached_role_policies(RoleName=role.physical_resource_id)["AttachedPolicies"] == []

    cfn.delete(role)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=role.physical_resource_id)


def test_iam_role_with_unknown_managed_policy_fails_and_leaves_nothing(cfn, aws):
    with pytest.raises(ResourceError, match="does not exist or is not attachable"):
        cfn.create(
            "AWS::IAM::Role",
            "broken",
            {
                "AssumeRolePolicyDocument": TRUST,
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/NoSuchPolicy"],
            },
        )
    with pytest.raises(aws("iam").exceptions.NoSuchEntityException):
        aws("iam").get_role(RoleName="broken")
