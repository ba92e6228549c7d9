"""What every blueprint starts from: its providers, its network, and one-line refusals.

`Foundation.create` makes the explicit providers (region + default tags) and the VPC from
the spec and the blueprint's `NetworkSettings`; `component_args` turns a value a component
refuses into one line naming the stack file and the setting, before anything is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pulumi

from components.network import Network, NetworkArgs, NetworkSettings
from components.settings import wire
from environments import StackSpec
from stacks.providers import RegionalProviders

ArgsT = TypeVar("ArgsT")


def component_args(spec: StackSpec, setting: str, build: Callable[[], ArgsT]) -> ArgsT:
    """Build a component's args for blueprint `setting`; a refusal is one line naming the
    stack file (where the settings come from) and the setting."""
    try:
        return build()
    except ValueError as error:
        raise pulumi.RunError(f"{spec.stack_file}: settings.{setting}: {error}") from None


@dataclass(frozen=True)
class Foundation:
    spec: StackSpec
    providers: RegionalProviders
    network: Network

    @classmethod
    def create(cls, spec: StackSpec, network: NetworkSettings) -> Foundation:
        providers = RegionalProviders.create(spec)
        vpc = Network("network", component_args(spec, "network", lambda: wire(
            NetworkArgs, network, cidr_block=spec.vpc_cidr,
            availability_zones=spec.availability_zones,
            log_retention_days=spec.profile.log_retention_days)), opts=providers.opts())
        pulumi.export("region", spec.region)
        pulumi.export("jurisdiction", spec.jurisdiction_name)
        pulumi.export("vpcId", vpc.vpc_id)
        return cls(spec=spec, providers=providers, network=vpc)

    def opts(self) -> pulumi.ResourceOptions:
        return self.providers.opts()
