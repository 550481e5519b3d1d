"""ECR repository with lifecycle policy, scanning and tag mutability; Ref is the repository name."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ecr.models import ecr_backends

from .base import Resource, ResourceError, as_bool, json_text, lower_first, tags_list


class Repository(Resource, CloudFormationModel):
    TYPE = "AWS::ECR::Repository"
    NAME_PROPERTY = "RepositoryName"
    CREATE_ONLY = ("RepositoryName", "EncryptionConfiguration")
    ATTRIBUTES = {"Arn": "arn", "RepositoryUri": "uri"}
    IMPORTABLE = True

    @property
    def backend(self) -> Any:
        return ecr_backends[self.account_id][self.region_name]

    @property
    def _repo(self) -> Any:
        return self.backend._get_repository(self.physical_id, None)

    @property
    def arn(self) -> str:
        return self._repo.arn

    @property
    def uri(self) -> str:
        return self._repo.uri

    @classmethod
    def _exists(cls, name: str, account_id: str, region_name: str) -> bool:
        return name.lower() in ecr_backends[account_id][region_name].repositories

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        name = name.lower()
        encryption = props.get("EncryptionConfiguration") or {}
        ecr_backends[account_id][region_name].create_repository(
            repository_name=name,
            registry_id=None,
            encryption_config=lower_first(encryption) or None,  # type: ignore[arg-type]  # as moto's API does
            image_scan_config=_scan_config(props),
            image_tag_mutability=props.get("ImageTagMutability", "MUTABLE"),
            tags=tags_list(props),
        )
        handle = cls(name, props, account_id, region_name)
        handle._set_policies(props, previous={})
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        self.backend.put_image_scanning_configuration(None, self.physical_id, _scan_config(props))
        self.backend.put_image_tag_mutability(
            None, self.physical_id, props.get("ImageTagMutability", "MUTABLE")
        )
        if props.get("Tags"):
            self.backend.tag_resource(self.arn, tags_list(props))
        self._set_policies(props, previous=self.properties)

    def live(self) -> dict[str, Any] | None:
        repo = self.backend.repositories.get(self.physical_id)
        if repo is None:
            return None
        return {
            "RepositoryName": repo.name,
            "ImageTagMutability": repo.image_tag_mutability,
            "ImageScanningConfiguration": {"ScanOnPush": repo.image_scanning_configuration["scanOnPush"]},
        }

    def _set_policies(self, props: dict[str, Any], previous: dict[str, Any]) -> None:
        lifecycle = (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
        if lifecycle:
            self.backend.put_lifecycle_policy(None, self.physical_id, json_text(lifecycle))
        elif (previous.get("LifecyclePolicy") or {}).get("LifecyclePolicyText"):
            self.backend.delete_lifecycle_policy(None, self.physical_id)
        policy = props.get("RepositoryPolicyText")
        if policy:
            self.backend.set_repository_policy(None, self.physical_id, json_text(policy))
        elif previous.get("RepositoryPolicyText"):
            self.backend.delete_repository_policy(None, self.physical_id)

    def _delete(self) -> None:
        if self.physical_id not in self.backend.repositories:
            return
        force = as_bool(self.properties.get("EmptyOnDelete", False))
        if self._repo.images and not force:
            raise ResourceError(
                f"The repository with name '{self.physical_id}' in registry with id '{self.account_id}' "
                "cannot be deleted because it still contains images (RepositoryNotEmptyException)"
            )
        self.backend.delete_repository(self.physical_id, force=force)


def _scan_config(props: dict[str, Any]) -> dict[str, bool]:
    scan = props.get("ImageScanningConfiguration") or {}
    return {"scanOnPush": as_bool(scan.get("ScanOnPush", False))}
