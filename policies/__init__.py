"""The course-platform CrossGuard policy pack: data residency, security and reliability.

Importing this package (or any module in it) only defines policies; `__main__.py` is the one
place that builds the `PolicyPack` (which starts the analyzer server and blocks). The offline
runner (`platformctl.policy_runner`) reads `POLICIES` from here.
"""

from pulumi_policy import EnforcementLevel

from . import (
    compute,
    iam,
    messaging,
    network,
    registry,
    reliability,
    residency,
    secrets,
    storage,
    tagging,
    transport,
    warehouse,
)

PACK_NAME = "course-platform-guards"
ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY
POLICIES = [
    *residency.POLICIES,
    *storage.POLICIES,
    *network.POLICIES,
    *iam.POLICIES,
    *registry.POLICIES,
    *messaging.POLICIES,
    *warehouse.POLICIES,
    *transport.POLICIES,
    *secrets.POLICIES,
    *compute.POLICIES,
    *reliability.POLICIES,
    *tagging.POLICIES,
]

__all__ = ["ENFORCEMENT_LEVEL", "PACK_NAME", "POLICIES"]
