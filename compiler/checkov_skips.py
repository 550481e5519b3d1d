"""Checkov skip annotations for resources that deliberately deviate from a check.

The policy: a rendered template has zero failed checkov checks, and every exception is
visible in the template itself, on the resource, with the reason a reviewer needs.
Checkov reads them from the resource's ``Metadata.checkov.skip`` list.
"""

from __future__ import annotations


def checkov_metadata(reasons: dict[str, str]) -> dict:
    """Resource Metadata that skips each checkov check id in `reasons` with its written reason.

    Ids are sorted so the output is the same whatever order the caller collected them in.
    """
    return {"checkov": {"skip": [{"id": check, "comment": reasons[check]} for check in sorted(reasons)]}}
