"""The plan: a stable, secret-free JSON document of everything a stack would create."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from platformctl.engine import Capture
from platformctl.global_services import GLOBAL_REGION, is_global
from platformctl.project import SECRET_PLACEHOLDER

UNKNOWN = "[unknown]"
PLAN_SCHEMA_VERSION = 2
BLUEPRINT_KEY = "platform:blueprint"
REMOTE_REASON = ("multi-language component: its resources are created by its provider's "
                 "process, which an offline plan cannot run; plan it with `pulumi preview`")


def mask(value: Any, directory: str | None = None) -> Any:
    """JSON-safe, deterministic copy: secrets become `[secret]` (secretness propagates
    through every Output derived from a secret, so this covers derived strings too),
    unknowns `[unknown]`, paths are made relative to the project, whole floats become ints."""

    def walk(item: Any) -> Any:
        if rpc.is_rpc_secret(item):
            return SECRET_PLACEHOLDER
        if item == rpc.UNKNOWN or isinstance(item, Unknown):
            return UNKNOWN
        if isinstance(item, dict):
            return {str(k): walk(v) for k, v in sorted(item.items())
                    if not str(k).startswith("__")}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        if isinstance(item, str):
            return item.replace(directory + "/", "") if directory else item
        if isinstance(item, float) and item.is_integer():
            return int(item)
        if item is None or isinstance(item, bool | int | float):
            return item
        if isinstance(item, pulumi.AssetArchive):
            return {"archive": walk(item.assets)}
        if isinstance(item, pulumi.FileAsset | pulumi.FileArchive):
            return {"path": walk(item.path)}
        if isinstance(item, pulumi.StringAsset):
            return {"text-sha256": hashlib.sha256(item.text.encode()).hexdigest()}
        return walk(str(item))

    return walk(value)


def _region(reg: Any) -> str | None:
    plain = {k: rpc.unwrap_rpc_secret(v) if rpc.is_rpc_secret(v) else v
             for k, v in reg.inputs.items()}
    return GLOBAL_REGION if is_global(reg.type, plain) else reg.region


def build_plan(capture: Capture) -> dict[str, Any]:
    resources = []
    for reg in sorted(capture.registrations, key=lambda r: r.urn):
        resources.append({
            "urn": reg.urn,
            "type": reg.type,
            "name": reg.name,
            "parent": reg.parent,
            "provider": reg.provider,
            "region": _region(reg),
            "custom": reg.custom,
            "protect": reg.protect,
            "retainOnDelete": reg.retain_on_delete,
            "deleteBeforeReplace": reg.delete_before_replace,
            "ignoreChanges": sorted(reg.ignore_changes),
            "dependencies": sorted(reg.dependencies),
            "props": mask(reg.inputs, capture.directory),
        })
    by_type = Counter(r["type"] for r in resources)
    incomplete = [{"urn": reg.urn, "type": reg.type, "name": reg.name, "reason": REMOTE_REASON}
                  for reg in sorted(capture.registrations, key=lambda r: r.urn) if reg.remote]
    return {
        "schemaVersion": PLAN_SCHEMA_VERSION,
        "project": capture.project,
        "stack": capture.stack,
        "blueprint": capture.config.get(BLUEPRINT_KEY),
        "resources": resources,
        "outputs": mask(capture.outputs, capture.directory),
        "incomplete": incomplete,
        "assumptions": [mask(a) for a in capture.assumptions],
        "stackReferences": [{"name": ref.name, "stack": ref.stack, "source": ref.source,
                             "outputs": "known" if ref.source else "unknown"}
                            for ref in capture.stack_references],
        "violations": [],
        "diagnostics": [mask(d) for d in capture.diagnostics],
        "summary": {
            "resources": len(resources),
            "custom": sum(1 for r in resources if r["custom"]),
            "protected": sum(1 for r in resources if r["protect"]),
            "byType": dict(sorted(by_type.items())),
        },
    }
