"""Property values of a described change set, folded to the leaves that change, secrets masked.

``DescribeChangeSet`` with ``IncludePropertyValues`` (CloudFormation API Reference,
``ResourceTargetDefinition``: ``Path``, ``BeforeValue``, ``AfterValue``,
``AttributeChangeType``; ``ResourceChange``: ``BeforeContext`` / ``AfterContext``) gives one
detail per changed property path and cause. A value can still be a JSON document (a whole
container definition, a policy): it is folded here to the leaves that differ, so a plan
says ``ContainerDefinitions[0].Image: ...:v1.0.0 -> ...:v1.1.0`` rather than two pages of
JSON. Nothing secret leaves this module: what CloudFormation masks (``****``, a ``NoEcho``
parameter) stays masked, and a leaf whose name says it holds a secret (a password, a
token, an environment variable named like one) is masked too; references to secrets
(``Secrets[].ValueFrom``, ``{{resolve:secretsmanager:...}}``) are shown, they are not secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: How CloudFormation shows a masked value (a NoEcho parameter), and how fgc masks one.
MASK = "****"
#: Leaf names that hold a secret value, not a reference to one.
SECRET_NAME = re.compile(r"(?i)(password|passwd|passphrase|secret|token|private_?key|api_?key|credential)")
#: Names of a secret's name or reference, which are shown.
REFERENCE_NAME = re.compile(r"(?i)(arn|id|name|valuefrom|secrets|options)$")


@dataclass(frozen=True)
class Cause:
    """Why a property changes, in CloudFormation's words (``ResourceChangeDetail``).

    ``source`` is the ``ChangeSource`` (``DirectModification``, ``ParameterReference``,
    ``ResourceReference``, ``ResourceAttribute``, ``Automatic``); ``entity`` the
    ``CausingEntity``: a parameter name, a logical id (a ``Ref``) or ``LogicalId.Attribute``
    (a ``GetAtt``), None for a direct modification. ``evaluation`` is ``Static`` when
    CloudFormation knows the new value, ``Dynamic`` when it is known only during the deploy.
    """

    source: str
    entity: str | None = None
    evaluation: str = "Static"


@dataclass(frozen=True)
class PropertyChange:
    """One changed leaf of a resource's properties: ``ContainerDefinitions[0].Image: a -> b``.

    ``path`` is folded to the leaf that changed (a list element by index). ``before`` is
    None when the leaf is added, ``after`` None when it is removed (``change_type`` says
    which: ``Add``, ``Remove``, ``Modify``); ``after_known`` is False when CloudFormation
    learns the new value only while it deploys (a ``Dynamic`` evaluation). Values are
    whole (CloudFormation truncates very large ones; the views shorten them) and secrets are
    already masked (``****``): a plan never holds a secret. ``requires_recreation`` is
    ``Never``, ``Conditionally`` or ``Always``.
    """

    path: str
    before: str | None
    after: str | None
    change_type: str = "Modify"
    requires_recreation: str = "Never"
    causes: tuple[Cause, ...] = ()
    after_known: bool = True


def display_path(pointer: str) -> str:
    """``/Properties/ContainerDefinitions/0/Image`` -> ``ContainerDefinitions[0].Image``."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/") if p]
    if parts and parts[0] == "Properties":
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def property_changes(raw: Mapping[str, Any]) -> tuple[PropertyChange, ...]:
    """Each changed leaf of one ``ResourceChange`` (empty when described without values)."""
    contexts = _context(raw.get("AfterContext")) or _context(raw.get("BeforeContext"))
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for detail in raw.get("Details", []):
        target = detail.get("Target", {})
        if target.get("Path"):
            grouped.setdefault(target["Path"], []).append(detail)
    found: dict[str, PropertyChange] = {}
    for pointer, details in grouped.items():
        target = details[0]["Target"]
        causes = tuple(
            dict.fromkeys(
                Cause(
                    d.get("ChangeSource", "Automatic"), d.get("CausingEntity"), d.get("Evaluation", "Static")
                )
                for d in details
            )
        )
        recreation = _strongest(d["Target"].get("RequiresRecreation", "Never") for d in details)
        known = "AfterValue" in target or target.get("AttributeChangeType") == "Remove"
        top = display_path(pointer)
        leaf = re.split(r"[.\[]", top)[-1]
        secret = is_secret_name(leaf) or (leaf == "Value" and is_secret_name(_sibling_name(top, contexts)))
        before, after = target.get("BeforeValue"), target.get("AfterValue")
        # CloudFormation says the path changes even where the values do not show it (one unknown)
        leaves = list(_leaves(top, before, after, secret, not known)) or [
            (top, _shown(_parsed(before), secret), _shown(_parsed(after), secret))
        ]
        for path, before, after in leaves:
            change_type = "Add" if before is None else "Remove" if after is None and known else "Modify"
            if path == top:  # not folded: CloudFormation's own word
                change_type = target.get("AttributeChangeType", change_type)
            found.setdefault(
                path,
                PropertyChange(path, before, after, change_type, recreation, causes, known),
            )
    return tuple(found.values())


def _strongest(recreations: Iterable[str]) -> str:
    order = ["Never", "Conditionally", "Always"]
    return max(recreations, key=lambda r: order.index(r) if r in order else 0, default="Never")


def _context(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _parsed(value: str | None) -> Any:
    """A JSON object or array given as a string, parsed; anything else as it is."""
    if value is not None and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _leaves(
    path: str, before: str | None, after: str | None, secret: bool = False, after_unknown: bool = False
) -> Iterator[tuple[str, str | None, str | None]]:
    """(leaf path, before, after) for every leaf of the two values that differs, secrets masked.

    A map or list added or removed whole is folded too (each of its leaves from or to
    nothing); one whose new value is unknown (``after_unknown``) stays whole, its secrets
    masked inside. A leaf holds a secret when its name says so, or when it is the ``Value``
    beside a ``Name`` that says so (an environment variable ``DB_PASSWORD``).
    """
    old, new = _parsed(before), _parsed(after)
    if new is None and after_unknown:
        yield path, _shown(old, secret), None
    elif isinstance(old, dict | None) and isinstance(new, dict | None) and (old or new):
        old, new = old or {}, new or {}
        named = str(new.get("Name") or old.get("Name") or "")
        for key in list(old) + [k for k in new if k not in old]:
            hidden = secret or is_secret_name(key) or (key == "Value" and is_secret_name(named))
            yield from _leaves(
                f"{path}.{key}" if path else key, _text(old.get(key)), _text(new.get(key)), hidden
            )
    elif isinstance(old, list | None) and isinstance(new, list | None) and (old or new):
        old, new = old or [], new or []
        for index in range(max(len(old), len(new))):
            yield from _leaves(
                f"{path}[{index}]",
                _text(old[index]) if index < len(old) else None,
                _text(new[index]) if index < len(new) else None,
                secret,
            )
    elif old != new:
        yield path, _shown(old, secret), _shown(new, secret)


def is_secret_name(name: str) -> bool:
    """Whether a key or an environment variable's name says its value is a secret (a name
    of, or a reference to, a secret is not one: ``SecretArn``, ``Secrets[].ValueFrom``)."""
    return bool(SECRET_NAME.search(name)) and not REFERENCE_NAME.search(name)


def _shown(value: Any, secret: bool) -> str | None:
    """A leaf value as a plan holds it: masked when secret, a container with its secrets masked."""
    if value is None:
        return None
    if secret:
        return MASK
    return _text(_scrubbed(value))


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        named = str(value.get("Name") or "")
        return {
            k: MASK if is_secret_name(k) or (k == "Value" and is_secret_name(named)) else _scrubbed(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    """A leaf value as a string (JSON for a container), None when absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _sibling_name(path: str, context: Any) -> str:
    """The ``Name`` beside a ``...[i].Value`` leaf in a resource context (an environment variable's)."""
    node = context.get("Properties", context) if isinstance(context, dict) else None
    for part in re.findall(r"[^.\[\]]+", path)[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return ""
    name = node.get("Name") if isinstance(node, dict) else None
    return name if isinstance(name, str) else ""
