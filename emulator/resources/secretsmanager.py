"""Secrets Manager secret on moto's backend; Ref is the secret ARN."""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends
from moto.secretsmanager.utils import random_password

from .base import Resource, as_bool, tags_list


def _backend(account_id: str, region_name: str) -> Any:
    return secretsmanager_backends[account_id][region_name]


def _generated(spec: dict[str, Any]) -> str:
    """A value for GenerateSecretString: a password, or a JSON template with the password under a key."""
    password = random_password(
        int(spec.get("PasswordLength", 32)),
        spec.get("ExcludeCharacters", ""),
        as_bool(spec.get("ExcludeNumbers", False)),
        as_bool(spec.get("ExcludePunctuation", False)),
        as_bool(spec.get("ExcludeUppercase", False)),
        as_bool(spec.get("ExcludeLowercase", False)),
        as_bool(spec.get("IncludeSpace", False)),
        as_bool(spec.get("RequireEachIncludedType", True)),
    )
    if "GenerateStringKey" not in spec:
        return password
    template = json.loads(spec.get("SecretStringTemplate") or "{}")
    template[spec["GenerateStringKey"]] = password
    return json.dumps(template)


class Secret(Resource, CloudFormationModel):
    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    CREATE_ONLY = ("Name",)
    ATTRIBUTES = {"Id": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        value = props.get("SecretString")
        if value is None and "GenerateSecretString" in props:
            value = _generated(props["GenerateSecretString"])
        created = _backend(account_id, region_name).create_secret(
            name=name,
            secret_string=value,
            secret_binary=None,
            description=props.get("Description"),
            tags=tags_list(props),
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(json.loads(created)["ARN"], props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        value = props.get("SecretString")
        if value is not None and value != self.properties.get("SecretString"):
            backend.update_secret(
                self.physical_id, secret_string=value, client_request_token=str(uuid.uuid4())
            )
        secret = backend.secrets[self.physical_id]
        secret.description = props.get("Description")
        secret.kms_key_id = props.get("KmsKeyId")

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if backend.secrets.get(self.physical_id) is not None:
            backend.delete_secret(self.physical_id, None, True)
