"""The regional stack: one `<env>-<region>`, built from its StackSpec."""

from __future__ import annotations

import pulumi

from components.network import Network, NetworkArgs
from environments import StackSpec
from stacks.providers import RegionalProviders


def build_regional_stack(spec: StackSpec) -> None:
    """Create the providers and every component the profile turns on, then export outputs."""
    profile = spec.profile
    providers = RegionalProviders.create(spec)

    network = Network(
        "network",
        NetworkArgs(
            cidr_block=spec.vpc_cidr,
            availability_zones=spec.availability_zones,
            nat_strategy=profile.network.nat,
            interface_endpoints=profile.network.interface_endpoints,
            flow_logs=profile.network.flow_logs,
            log_retention_days=profile.log_retention_days,
        ),
        opts=providers.opts(),
    )

    pulumi.export("region", spec.region)
    pulumi.export("jurisdiction", spec.jurisdiction_name)
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
