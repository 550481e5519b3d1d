"""The artifacts bucket: nested templates stored under their content hash.

A nested stack's ``TemplateURL`` ends in the sha256 of its body, so an unchanged
template keeps its URL and CloudFormation leaves that nested stack alone; a key
that exists already is never uploaded again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import botocore.exceptions as bex
from fgc.compiler.stackset import Part
from fgc.deployer.errors import AwsRefused
from fgc.deployer.session import Aws, error_code

#: CloudFormation's limit for a TemplateBody sent inline; larger roots are uploaded.
MAX_INLINE_BODY = 51_200


def bucket_name(aws: Aws, override: str | None = None) -> str:
    """``fgc-<account>-<region>`` unless the user named one."""
    return override or f"fgc-{aws.account}-{aws.region}"


def artifacts_url(aws: Aws, bucket: str) -> str:
    """The root stack's ``ArtifactsUrl``: where CloudFormation fetches nested templates from.

    On AWS the regional virtual-hosted URL; on an emulator ``<endpoint>/<bucket>``
    with the host spelled ``localhost`` (the only form its nested-stack loader resolves).
    """
    if not aws.is_local:
        return f"https://{bucket}.s3.{aws.region}.amazonaws.com"
    parts = urlsplit(aws.client("s3").meta.endpoint_url)
    netloc = "localhost" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, f"{parts.path.rstrip('/')}/{bucket}", "", ""))


def ensure_bucket(aws: Aws, bucket: str) -> bool:
    """Create the bucket (encrypted, private, TLS-only) unless it exists; True when created."""
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except bex.ClientError as err:
        if error_code(err) in ("403", "Forbidden"):
            raise AwsRefused(
                f"bucket {bucket!r} exists but this account cannot use it",
                "pass --bucket with a bucket you own",
            ) from err
        if error_code(err) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    create: dict[str, Any] = {"Bucket": bucket}
    if aws.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    s3.create_bucket(**create)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    if not aws.is_local:  # an emulator serves plain HTTP: TLS-only would lock us out of it
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_policy(bucket)))
    return True


def tls_only_policy(bucket: str) -> dict[str, Any]:
    """Deny every request to the bucket that does not use TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def upload(aws: Aws, bucket: str, parts: Iterable[Part]) -> list[str]:
    """Upload each part's template under its content key, skipping keys present; the keys uploaded."""
    s3 = aws.client("s3")
    uploaded = []
    for part in parts:
        key = part.key
        try:
            s3.head_object(Bucket=bucket, Key=key)
            continue
        except bex.ClientError as err:
            if error_code(err) not in ("404", "NoSuchKey", "NotFound"):
                raise
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=part.body.encode(),
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )
        uploaded.append(key)
    return uploaded
