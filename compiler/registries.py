"""The `registries` stack (`<app>-registries`): one ECR repository per entry of `registries`.

Its own stack, not nested in an environment's: every environment of the application shares
these repositories (`dev` and `prod` promote the same image), and each environment's root
takes their URIs and ARNs as parameters read from this stack's outputs.

Repositories hold images, which are data: they are retained when the stack is deleted or
a repository is replaced, and each one keeps only its newest `keep` images.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fgc.compiler.checkov_skips import checkov_metadata
from fgc.compiler.draft import Draft
from fgc.compiler.naming import pascal
from troposphere import GetAtt, Output, Ref, Template, ecr

if TYPE_CHECKING:
    from fgc.compiler.context import CompileContext
    from fgc.spec.models import Spec


#: The part's name.
NAME = "registries"
#: ECR's own encryption at rest; a customer-managed KMS key adds cost and key administration
#: for images, which hold no secrets (secrets reach tasks only as references).
ENCRYPTION = "AES256"


def lifecycle_policy(keep: int) -> str:
    """ECR lifecycle policy text expiring all but the newest `keep` images (canonical JSON)."""
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Keep the newest {keep} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
                "action": {"type": "expire"},
            }
        ]
    }
    return json.dumps(policy, sort_keys=True, separators=(",", ":"))


def build(spec: Spec, ctx: CompileContext | None = None) -> Draft:
    """The registries part; per registry outputs `<Pascal>RepositoryUri/Arn/Name`."""
    t = Template(Description=f"fgc {spec.app}: ECR repositories of every environment (retained on delete)")
    t.set_version("2010-09-09")
    for name in sorted(spec.registries):
        registry = spec.registries[name]
        stem = pascal(name)  # distinct per registry: spec.deployable refuses two names with one id
        skips = {
            "CKV_AWS_136": "encrypted at rest with ECR's AES256; images hold no secrets, so a KMS key "
            "would add cost and key administration without protecting anything more",
        }
        if not registry.immutable_tags:
            skips["CKV_AWS_51"] = (
                f"registries.{name}.immutable_tags: false in fargate.yaml (the user's choice)"
            )
        if not registry.scan_on_push:
            skips["CKV_AWS_163"] = (
                f"registries.{name}.scan_on_push: false in fargate.yaml (the user's choice)"
            )
        repo = t.add_resource(
            ecr.Repository(
                f"{stem}Repository",
                DeletionPolicy="Retain",
                UpdateReplacePolicy="Retain",
                RepositoryName=name,
                ImageScanningConfiguration=ecr.ImageScanningConfiguration(
                    ScanOnPush=bool(registry.scan_on_push)
                ),
                ImageTagMutability="IMMUTABLE" if registry.immutable_tags else "MUTABLE",
                EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType=ENCRYPTION),
                LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=lifecycle_policy(registry.keep)),
                Metadata=checkov_metadata(skips),
            )
        )
        t.add_output(
            [
                Output(
                    f"{stem}RepositoryUri",
                    Description=f"Image URI prefix of the {name} repository",
                    Value=GetAtt(repo, "RepositoryUri"),
                ),
                Output(
                    f"{stem}RepositoryArn",
                    Description=f"ARN of the {name} repository",
                    Value=GetAtt(repo, "Arn"),
                ),
                Output(
                    f"{stem}RepositoryName", Description=f"Name of the {name} repository", Value=Ref(repo)
                ),
            ]
        )
    return Draft(NAME, t)
