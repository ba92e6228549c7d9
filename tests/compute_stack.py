"""Test helper: a small program of a network plus the compute components (EKS, ECS) built
with a posture like prod, staging or dev, so compute tests need no blueprint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.ecs_service import EcsService, EcsServiceArgs
from components.eks import Eks, EksArgs
from components.network import Network, NetworkArgs
from tests.plans import PlanView, in_region, run_offline

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
PROTECTED = {"prod": True, "staging": True, "dev": False}
# Which components each posture's program builds, and the cheaper choices of dev.
DEFAULTS: dict[str, dict[str, dict[str, Any] | None]] = {
    "prod": {"eks": {}, "ecs": {}},
    "staging": {"eks": {}, "ecs": None},
    "dev": {"eks": None, "ecs": {"min_tasks": 1, "max_tasks": 4, "fargate_base": 0,
                                 "fargate_weight": 0, "fargate_spot_weight": 1}},
}


@dataclass(frozen=True)
class ComputeSpec:
    environment: str
    eks: dict[str, Any] | None
    ecs: dict[str, Any] | None

    @property
    def stack(self) -> str:
        return f"compute-{self.environment}-us-east-1"


@dataclass
class Built:
    components: dict[str, pulumi.ComponentResource] = field(default_factory=dict)
    workload_security_group_ids: list[pulumi.Output[str]] = field(default_factory=list)


def spec_of(environment: str, **overrides: dict[str, Any]) -> ComputeSpec:
    """`environment`'s components, each with `overrides` merged; `{"enabled": False}` drops one."""
    parts: dict[str, dict[str, Any] | None] = {}
    for part, base in DEFAULTS[environment].items():
        extra = dict(overrides.get(part, {}))
        enabled = extra.pop("enabled", base is not None)
        parts[part] = {**(base or {}), **extra} if enabled else None
    return ComputeSpec(environment, parts["eks"], parts["ecs"])


def build_compute(spec: ComputeSpec, opts: pulumi.ResourceOptions | None = None) -> Built:
    """The components of `spec`; `opts` carry the region's providers (tests.plans.in_region)."""
    protect = PROTECTED[spec.environment]
    network = Network("network", NetworkArgs(cidr_block="10.32.0.0/16",
                                             availability_zones=ZONES), opts=opts)
    built = Built(components={"network": network})
    if spec.eks is not None:
        eks = Eks("eks", EksArgs(**{
            "cluster_name": f"{spec.environment}-platform",
            "subnet_ids": network.private_subnet_ids, "availability_zones": ZONES,
            "deletion_protection": protect, **spec.eks}), opts=opts)
        built.components["eks"] = eks
        built.workload_security_group_ids.append(eks.node_security_group_id)
    if spec.ecs is not None:
        ecs = EcsService("ecs", EcsServiceArgs(**{
            "vpc_id": network.vpc_id, "public_subnet_ids": network.public_subnet_ids,
            "private_subnet_ids": network.private_subnet_ids,
            "domain_name": "api.example.com", "ingress": "internet", "protect": protect,
            **spec.ecs}), opts=opts)
        built.components["ecs"] = ecs
        built.workload_security_group_ids.append(ecs.security_group_id)
    return built


def plan_compute(spec: ComputeSpec) -> PlanView:
    return run_offline(in_region("us-east-1", lambda opts: build_compute(spec, opts)),
                       stack=spec.stack)
