"""The plan: a stable, secret-free JSON document of everything a stack would create."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pulumi.runtime import rpc

from platformctl.engine import Capture
from platformctl.project import SECRET_PLACEHOLDER

UNKNOWN = "[unknown]"
PLAN_SCHEMA_VERSION = 1


def _secrets_in(value: Any, found: set[str]) -> None:
    if rpc.is_rpc_secret(value):
        plain = rpc.unwrap_rpc_secret(value)
        _collect_plain(plain, found)
    elif isinstance(value, dict):
        for item in value.values():
            _secrets_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _secrets_in(item, found)


def _collect_plain(value: Any, found: set[str]) -> None:
    if isinstance(value, str) and len(value) >= 4:
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_plain(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_plain(item, found)


def mask(value: Any, secrets: set[str]) -> Any:
    """JSON-safe copy: secrets become `[secret]`, unknowns `[unknown]`, and any string that
    embeds a secret's plaintext is masked too (belt and braces for hand-built strings)."""
    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if value == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {str(k): mask(v, secrets) for k, v in sorted(value.items()) if
                not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [mask(v, secrets) for v in value]
    if isinstance(value, str):
        return SECRET_PLACEHOLDER if any(s in value for s in secrets) else value
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def build_plan(capture: Capture) -> dict[str, Any]:
    secrets: set[str] = set()
    for registration in capture.registrations:
        _secrets_in(registration.inputs, secrets)
        _secrets_in(registration.outputs, secrets)
        for key in registration.additional_secret_outputs:
            _collect_plain(registration.outputs.get(key), secrets)
    _secrets_in(capture.outputs, secrets)
    secrets.discard(SECRET_PLACEHOLDER)

    resources = []
    for reg in sorted(capture.registrations, key=lambda r: r.urn):
        resources.append({
            "urn": reg.urn,
            "type": reg.type,
            "name": reg.name,
            "parent": reg.parent,
            "provider": reg.provider,
            "region": reg.region,
            "custom": reg.custom,
            "protect": reg.protect,
            "retainOnDelete": reg.retain_on_delete,
            "deleteBeforeReplace": reg.delete_before_replace,
            "ignoreChanges": sorted(reg.ignore_changes),
            "dependencies": sorted(reg.dependencies),
            "props": mask(reg.inputs, secrets),
        })
    by_type = Counter(r["type"] for r in resources)
    return {
        "schemaVersion": PLAN_SCHEMA_VERSION,
        "project": capture.project,
        "stack": capture.stack,
        "resources": resources,
        "outputs": mask(capture.outputs, secrets),
        "violations": [],
        "diagnostics": [mask(d, secrets) for d in capture.diagnostics],
        "summary": {
            "resources": len(resources),
            "custom": sum(1 for r in resources if r["custom"]),
            "protected": sum(1 for r in resources if r["protect"]),
            "byType": dict(sorted(by_type.items())),
        },
    }
