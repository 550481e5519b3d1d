"""Deploying compiled templates through CloudFormation change sets (the only package that talks to AWS).

Library use mirrors the CLI::

    aws = deployer.connect(region="eu-west-1")
    templates = deployer.build("fargate.yaml", env="prod").templates
    plan = deployer.plan(templates, aws)        # what `fgc diff` shows
    result = deployer.deploy(templates, aws)    # what `fgc deploy --yes` does
"""

from fgc.deployer.api import DeployResult, deploy, discard, plan
from fgc.deployer.build import Built, build
from fgc.deployer.destroy import destroy, teardown
from fgc.deployer.errors import AwsRefused, DeployFailed, Interrupted, LintFailed, Recovery, StackStuck
from fgc.deployer.plan import Cause, ParameterChange, Plan, PropertyChange, ResourceChange, StackPlan
from fgc.deployer.review import Review, review
from fgc.deployer.services import ServiceInfo, stack_services, wait_stable
from fgc.deployer.session import Aws, connect
from fgc.deployer.status import Status, status

__all__ = [
    "Aws",
    "AwsRefused",
    "Built",
    "Cause",
    "DeployFailed",
    "DeployResult",
    "Interrupted",
    "LintFailed",
    "ParameterChange",
    "Plan",
    "PropertyChange",
    "Recovery",
    "ResourceChange",
    "Review",
    "ServiceInfo",
    "StackPlan",
    "StackStuck",
    "Status",
    "build",
    "connect",
    "deploy",
    "destroy",
    "discard",
    "plan",
    "review",
    "stack_services",
    "status",
    "teardown",
    "wait_stable",
]
