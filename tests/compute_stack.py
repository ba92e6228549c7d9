"""Test helper: the network + compute layers of a regional stack for one environment profile,
built offline without the other layers (so these tests do not depend on them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.network import Network, NetworkArgs
from environments.model import Jurisdiction, Profile, StackSpec
from stacks import compute
from stacks.context import RegionalContext
from stacks.providers import RegionalProviders
from tests.plans import PlanView, run_offline

PROFILES = Path(__file__).resolve().parent.parent / "environments" / "profiles"
ZONES = {"us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"],
         "me-south-1": ["me-south-1a", "me-south-1b", "me-south-1c"]}
COMPUTE_SECTIONS = ("availability", "protect_stateful", "log_retention_days", "network", "eks",
                    "ecs")


def profile_of(environment: str, **overrides: Any) -> Profile:
    """The environment's network and compute sections from its YAML (other areas off)."""
    data = yaml.safe_load((PROFILES / f"{environment}.yaml").read_text())
    mine = {key: data[key] for key in COMPUTE_SECTIONS if key in data}
    for section, values in overrides.items():
        mine[section] = {**mine.get(section, {}), **values}
    return Profile.model_validate(mine)


def spec_of(environment: str, region: str = "us-east-1", zones: list[str] | None = None,
            cidr: str = "10.32.0.0/16", **overrides: Any) -> StackSpec:
    return StackSpec(
        stack=f"{environment}-{region}", environment=environment, region=region,
        jurisdiction_name="us", jurisdiction=Jurisdiction(regions=[region], r2_jurisdiction=None),
        availability_zones=zones or ZONES[region], vpc_cidr=cidr,
        profile=profile_of(environment, **overrides))


def build_compute(spec: StackSpec) -> RegionalContext:
    providers = RegionalProviders.create(spec)
    network = Network("network", NetworkArgs(
        cidr_block=spec.vpc_cidr, availability_zones=spec.availability_zones,
        nat_strategy=spec.profile.network.nat,
        interface_endpoints=spec.profile.network.interface_endpoints,
        flow_logs=spec.profile.network.flow_logs,
        log_retention_days=spec.profile.log_retention_days), opts=providers.opts())
    ctx = RegionalContext(spec=spec, providers=providers, network=network)
    ctx.add("network", network)
    compute.build(ctx)
    return ctx


def plan_compute(spec: StackSpec) -> PlanView:
    return run_offline(lambda: build_compute(spec), stack=spec.stack)
