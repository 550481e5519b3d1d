"""The AWS query protocol for CloudFormation, driven by botocore's own service model.

Requests arrive as flattened form fields (`Parameters.member.1.ParameterKey=...`) and answers are
XML. Rather than hand-writing one XML template per action, both directions walk the operation's
input/output shapes from botocore, so every field the SDK knows is parsed and rendered the way the
SDK expects, and nothing is misspelt.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, ServiceModel, Shape

XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


@functools.cache
def service_model() -> ServiceModel:
    import botocore.session

    return botocore.session.get_session().get_service_model("cloudformation")


def operation(name: str) -> OperationModel | None:
    model = service_model()
    return model.operation_model(name) if name in model.operation_names else None


def parse_params(shape: Shape | None, form: dict[str, str], prefix: str = "") -> Any:
    """Rebuild the request structure from flattened query fields."""
    if shape is None:
        return {}
    if shape.type_name == "structure":
        result = {}
        for name, member in shape.members.items():
            key = f"{prefix}.{name}" if prefix else name
            value = parse_params(member, form, key)
            if value is not None:
                result[name] = value
        return result if (result or not prefix) else None
    if shape.type_name == "list":
        items: list[Any] = []
        while (value := parse_params(shape.member, form, f"{prefix}.member.{len(items) + 1}")) is not None:
            items.append(value)
        return items if items or f"{prefix}" in form else None
    if shape.type_name == "map":
        entries: dict[str, Any] = {}
        while f"{prefix}.entry.{len(entries) + 1}.key" in form:
            n = len(entries) + 1
            entries[form[f"{prefix}.entry.{n}.key"]] = parse_params(
                shape.value, form, f"{prefix}.entry.{n}.value"
            )
        return entries or None
    raw = form.get(prefix)
    if raw is None:
        return None
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    if shape.type_name in ("integer", "long"):
        return int(raw)
    return raw


def _render(shape: Shape, value: Any, tag: str) -> str:
    if shape.type_name == "structure":
        inner = "".join(
            _render(member, value[name], member.serialization.get("name", name))
            for name, member in shape.members.items()
            if value.get(name) is not None
        )
        return f"<{tag}>{inner}</{tag}>"
    if shape.type_name == "list":
        inner = "".join(_render(shape.member, item, "member") for item in value)
        return f"<{tag}>{inner}</{tag}>"
    if shape.type_name == "map":
        inner = "".join(
            f"<entry>{_render(shape.key, k, 'key')}{_render(shape.value, v, 'value')}</entry>"
            for k, v in value.items()
        )
        return f"<{tag}>{inner}</{tag}>"
    if shape.type_name == "timestamp":
        text = value.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(value, datetime) else str(value)
    elif shape.type_name == "boolean":
        text = "true" if value else "false"
    else:
        text = str(value)
    return f"<{tag}>{escape(text)}</{tag}>"


def render_result(op: OperationModel, result: dict[str, Any]) -> str:
    body = _render(op.output_shape, result, f"{op.name}Result") if op.output_shape is not None else ""
    return (
        f'<{op.name}Response xmlns="{XMLNS}">{body}'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{op.name}Response>"
    )


def render_error(code: str, message: str, sender: bool = True) -> str:
    kind = "Sender" if sender else "Receiver"
    return (
        f'<ErrorResponse xmlns="{XMLNS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
