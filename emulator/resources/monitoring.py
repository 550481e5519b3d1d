"""CloudWatch alarm and ACM certificate: small models moto lacks (it skipped them or gave Ref '')."""

from __future__ import annotations

from typing import Any

from moto.acm.models import acm_backends
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from .base import Resource, as_bool, tags_list


class Alarm(Resource, CloudFormationModel):
    """A metric alarm; Ref is the alarm name. Every property but the name updates in place."""

    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    CREATE_ONLY = ("AlarmName",)
    ATTRIBUTES = {"Arn": "arn"}

    @property
    def backend(self) -> Any:
        return cloudwatch_backends[self.account_id][self.region_name]

    @property
    def arn(self) -> str:
        return self.backend.alarms[self.physical_id].alarm_arn

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        return cls._configured(name, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        self.backend.put_metric_alarm(
            name=self.physical_id,
            namespace=props.get("Namespace"),
            metric_name=props.get("MetricName"),
            comparison_operator=props.get("ComparisonOperator"),
            evaluation_periods=int(props.get("EvaluationPeriods", 1)),
            period=int(props["Period"]) if props.get("Period") is not None else None,
            threshold=float(props["Threshold"]) if props.get("Threshold") is not None else None,
            statistic=props.get("Statistic"),
            description=props.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions") or []],
            alarm_actions=list(props.get("AlarmActions") or []),
            datapoints_to_alarm=props.get("DatapointsToAlarm"),
            extended_statistic=props.get("ExtendedStatistic"),
            ok_actions=list(props.get("OKActions") or []),
            insufficient_data_actions=list(props.get("InsufficientDataActions") or []),
            unit=props.get("Unit"),
            actions_enabled=as_bool(props.get("ActionsEnabled", True)),
            treat_missing_data=props.get("TreatMissingData"),
            tags=tags_list(props),
        )

    def _delete(self) -> None:
        self.backend.delete_alarms([self.physical_id])


class Certificate(Resource, CloudFormationModel):
    """An ACM certificate request; Ref is its ARN (moto's CloudFormation gave '')."""

    TYPE = "AWS::CertificateManager::Certificate"
    CREATE_ONLY = (
        "DomainName",
        "SubjectAlternativeNames",
        "ValidationMethod",
        "DomainValidationOptions",
        "CertificateAuthorityArn",
    )

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        arn = acm_backends[account_id][region_name].request_certificate(
            props["DomainName"],
            None,  # type: ignore[arg-type]  # no idempotency token, as moto's own API passes it
            list(props.get("SubjectAlternativeNames") or []),
            tags_list(props),
            cert_authority_arn=props.get("CertificateAuthorityArn"),
        )
        return cls(arn, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        if props.get("Tags"):
            acm_backends[self.account_id][self.region_name].add_tags_to_certificate(
                self.physical_id, tags_list(props)
            )

    def _delete(self) -> None:
        backend = acm_backends[self.account_id][self.region_name]
        if self.physical_id in backend._certificates:
            backend.delete_certificate(self.physical_id)
