"""fgc is tested on a current AWS SDK.

checkov (tests/requirements-checkov.txt) pins boto3 1.35, a year behind; in the dev extra it
dragged the whole test run back to an SDK that lacks newer CloudFormation parameters. It now
runs from an environment of its own, and this test keeps it that way.
"""

from __future__ import annotations

import importlib.metadata

import botocore.session


def test_the_sdk_knows_deployment_mode_on_create_change_set() -> None:
    """``DeploymentMode`` (CreateChangeSet, added in late 2025): absent from botocore 1.35."""
    model = botocore.session.get_session().get_service_model("cloudformation")
    members = model.operation_model("CreateChangeSet").input_shape.members
    assert "DeploymentMode" in members, f"botocore {importlib.metadata.version('botocore')} is too old"
