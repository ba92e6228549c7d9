"""What every blueprint starts from: its providers, its network, and one-line refusals.

`Foundation.create` makes the explicit providers (region + default tags) and the VPC from
the spec and the blueprint's `NetworkSettings`; `component_args` turns a value a component
refuses into one line naming the stack file and the setting, before anything is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi

from components.monitoring import MonitoredResource
from components.network import Network, NetworkArgs, NetworkSettings
from components.observability import Observability, ObservabilityArgs, ObservabilitySettings
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


def stack_observability(spec: StackSpec, settings: ObservabilitySettings,
                        monitored: list[MonitoredResource], opts: pulumi.ResourceOptions,
                        **wiring: Any) -> Observability:
    """The stack's Observability: alarms over `monitored`, named for the stack, with the
    environment's log retention and protection; `wiring` adds what only some blueprints have
    (an access-log bucket, a webhook)."""
    return Observability("observability", component_args(spec, "observability", lambda: wire(
        ObservabilityArgs, settings, region=spec.region, monitored=monitored,
        name_prefix=spec.stack, log_retention_days=spec.profile.log_retention_days,
        protect=spec.profile.protect_stateful, **wiring)), opts=opts)


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
