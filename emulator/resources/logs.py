"""CloudWatch Logs log group with retention, updatable in place; Ref is the group name."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import logs_backends

from .base import Resource, tags_dict


class LogGroup(Resource, CloudFormationModel):
    TYPE = "AWS::Logs::LogGroup"
    NAME_PROPERTY = "LogGroupName"
    CREATE_ONLY = ("LogGroupName",)
    ATTRIBUTES = {"Arn": "arn"}
    IMPORTABLE = True

    @property
    def backend(self) -> Any:
        return logs_backends[self.account_id][self.region_name]

    @property
    def arn(self) -> str:
        """CloudFormation's Arn attribute ends in ``:*`` (it names the group's streams too)."""
        return self.backend.groups[self.physical_id].arn + ":*"

    @classmethod
    def _exists(cls, name: str, account_id: str, region_name: str) -> bool:
        return name in logs_backends[account_id][region_name].groups

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        logs_backends[account_id][region_name].create_log_group(
            name, tags_dict(props), kmsKeyId=props.get("KmsKeyId")
        )
        return cls._configured(name, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        if props.get("RetentionInDays") is not None:
            self.backend.put_retention_policy(self.physical_id, int(props["RetentionInDays"]))
        elif self.backend.groups[self.physical_id].retention_in_days is not None:
            self.backend.delete_retention_policy(self.physical_id)
        self.backend.groups[self.physical_id].kms_key_id = props.get("KmsKeyId")
        tags = tags_dict(props)
        if tags:
            self.backend.tag_log_group(self.physical_id, tags)

    def live(self) -> dict[str, Any] | None:
        group = self.backend.groups.get(self.physical_id)
        if group is None:
            return None
        return {"LogGroupName": group.name, "RetentionInDays": group.retention_in_days}

    def _delete(self) -> None:
        if self.physical_id in self.backend.groups:
            self.backend.delete_log_group(self.physical_id)
