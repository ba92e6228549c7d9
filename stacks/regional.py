"""The regional stack: one `<env>-<region>`, built from its StackSpec, layer by layer."""

from __future__ import annotations

import pulumi

from components.network import Network, NetworkArgs
from environments import StackSpec
from stacks import compute, data, edge, observability, storage, video
from stacks.context import RegionalContext, profile_args
from stacks.providers import RegionalProviders

# Order matters: each layer reads what the ones before it put into the context
# (data admits compute's workloads; the edge fronts storage, compute and video;
# observability watches everything built before it).
LAYERS = (compute, data, storage, video, edge, observability)


def build_regional_stack(spec: StackSpec) -> RegionalContext:
    """Create the providers and every component the profile turns on, then export outputs."""
    profile = spec.profile
    providers = RegionalProviders.create(spec)
    network = Network(
        "network",
        profile_args(spec, "network", lambda: NetworkArgs(
            cidr_block=spec.vpc_cidr,
            availability_zones=spec.availability_zones,
            nat_strategy=profile.network.nat,
            interface_endpoints=profile.network.interface_endpoints,
            flow_logs=profile.network.flow_logs,
            log_retention_days=profile.log_retention_days,
        )),
        opts=providers.opts(),
    )
    ctx = RegionalContext(spec=spec, providers=providers, network=network)
    ctx.add("network", network)
    ctx.export("region", spec.region)
    ctx.export("jurisdiction", spec.jurisdiction_name)
    ctx.export("vpcId", network.vpc_id)
    ctx.export("privateSubnetIds", network.private_subnet_ids)
    ctx.export("isolatedSubnetIds", network.isolated_subnet_ids)
    for layer in LAYERS:
        layer.build(ctx)
    for name, value in sorted(ctx.exports.items()):
        pulumi.export(name, value)
    return ctx
