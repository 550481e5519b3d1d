"""IAM role with inline policies and managed policy attachments, updatable in place.

Ref is the role name. AWS-managed policies (``arn:aws:iam::aws:policy/...``) that moto has not
loaded are loaded on demand from moto's bundled copy, so task execution roles can attach them."""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends
from moto.utilities.utils import get_partition

from .base import Resource, ResourceError, json_text, tags_list

_AWS_MANAGED_PREFIX = ":iam::aws:policy"


class Role(Resource, CloudFormationModel):
    TYPE = "AWS::IAM::Role"
    NAME_PROPERTY = "RoleName"
    CREATE_ONLY = ("RoleName", "Path")
    ATTRIBUTES = {"Arn": "arn", "RoleId": "role_id"}

    @property
    def backend(self) -> Any:
        return iam_backends[self.account_id][get_partition(self.region_name)]

    @property
    def arn(self) -> str:
        return self.backend.get_role(self.physical_id).arn

    @property
    def role_id(self) -> str:
        return self.backend.get_role(self.physical_id).id

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        if not props.get("AssumeRolePolicyDocument"):
            raise ResourceError("Properties validation failed: AssumeRolePolicyDocument is required")
        name = name[:64]
        handle = cls(name, props, account_id, region_name)
        handle.backend.create_role(
            role_name=name,
            assume_role_policy_document=json_text(props["AssumeRolePolicyDocument"]),
            path=props.get("Path", "/"),
            permissions_boundary=props.get("PermissionsBoundary"),
            description=props.get("Description", ""),
            tags=tags_list(props),
            max_session_duration=str(props.get("MaxSessionDuration", 3600)),
        )
        try:
            handle._sync_policies({}, props)
        except Exception:
            handle._delete()
            raise
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        backend = self.backend
        role = backend.get_role(self.physical_id)
        backend.update_assume_role_policy(self.physical_id, json_text(props["AssumeRolePolicyDocument"]))
        role.description = props.get("Description", "")
        role.max_session_duration = str(props.get("MaxSessionDuration", 3600))
        if props.get("Tags"):
            backend.tag_role(self.physical_id, tags_list(props))
        self._sync_policies(self.properties, props)

    def _sync_policies(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = self.backend
        inline = {p["PolicyName"]: json_text(p["PolicyDocument"]) for p in new.get("Policies") or []}
        for policy in old.get("Policies") or []:
            if policy["PolicyName"] not in inline:
                backend.delete_role_policy(self.physical_id, policy["PolicyName"])
        for policy_name, document in inline.items():
            backend.put_role_policy(self.physical_id, policy_name, document)
        before, after = set(old.get("ManagedPolicyArns") or []), set(new.get("ManagedPolicyArns") or [])
        for arn in sorted(before - after):
            backend.detach_role_policy(arn, self.physical_id)
        for arn in sorted(after - before):
            self._ensure_policy_known(arn)
            backend.attach_role_policy(arn, self.physical_id)

    def _ensure_policy_known(self, arn: str) -> None:
        backend = self.backend
        if arn in backend.managed_policies or _AWS_MANAGED_PREFIX not in arn:
            return
        name = arn.rsplit("/", 1)[1]
        data = json.loads(aws_managed_policies_data).get(name)
        if data is None:
            raise ResourceError(f"Policy {arn} does not exist or is not attachable.")
        policy = AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
        backend.managed_policies[policy.arn] = policy

    def _delete(self) -> None:
        backend = self.backend
        role = next((r for r in backend.get_roles() if r.name == self.physical_id), None)
        if role is None:
            return
        for arn in list(role.managed_policies):
            backend.detach_role_policy(arn, self.physical_id)
        for policy_name in list(role.policies):
            backend.delete_role_policy(self.physical_id, policy_name)
        backend.delete_role(self.physical_id)
