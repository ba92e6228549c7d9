"""Deterministic subnet carving: where each tier's subnet in each AZ lives inside the VPC CIDR.

Each tier owns a fixed block of the VPC and each AZ a fixed slot of that block, sized for
MAX_AZ_SLOTS zones whatever `az_count` is, so adding an AZ never moves an existing subnet
(the recalculation that forces subnet replacements in comparable modules).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

Tier = Literal["public", "private", "isolated"]
TIERS: tuple[Tier, ...] = ("public", "private", "isolated")
MAX_AZ_SLOTS = 8
AWS_SMALLEST_SUBNET_PREFIX = 28


@dataclass(frozen=True)
class TierBlock:
    """A tier's block: `index`-th of the VPC split at `prefix_delta` bits."""

    prefix_delta: int
    index: int


# private: first half (workloads and pods need the addresses); isolated: third quarter;
# public: seventh eighth; the last eighth stays free for later tiers.
TIER_BLOCKS: dict[Tier, TierBlock] = {
    "private": TierBlock(prefix_delta=1, index=0),
    "isolated": TierBlock(prefix_delta=2, index=2),
    "public": TierBlock(prefix_delta=3, index=6),
}
SLOT_BITS = MAX_AZ_SLOTS.bit_length() - 1
LARGEST_PREFIX_DELTA = max(b.prefix_delta for b in TIER_BLOCKS.values()) + SLOT_BITS
SMALLEST_VPC_PREFIX = AWS_SMALLEST_SUBNET_PREFIX - LARGEST_PREFIX_DELTA


def carve_subnets(vpc_cidr: str, az_count: int) -> dict[Tier, list[str]]:
    """Subnet CIDRs per tier, one per AZ, in AZ order. Raises ValueError naming the field."""
    try:
        vpc = ipaddress.ip_network(vpc_cidr, strict=True)
    except ValueError as exc:
        raise ValueError(f"cidr_block: '{vpc_cidr}' is not an IPv4 network CIDR ({exc}); "
                         "write it like 10.32.0.0/16") from exc
    if vpc.version != 4:
        raise ValueError(f"cidr_block: {vpc} is not IPv4; give the VPC an IPv4 range")
    if vpc.prefixlen > SMALLEST_VPC_PREFIX:
        raise ValueError(
            f"cidr_block: {vpc} is too small for {len(TIER_BLOCKS)} tiers of {MAX_AZ_SLOTS} "
            f"AZ slots; use a /{SMALLEST_VPC_PREFIX} or larger"
        )
    if not 1 <= az_count <= MAX_AZ_SLOTS:
        raise ValueError(f"availability_zones: {az_count} AZs is out of range; use 1 to "
                         f"{MAX_AZ_SLOTS} AZs")
    plan: dict[Tier, list[str]] = {}
    for tier in TIERS:
        block = TIER_BLOCKS[tier]
        tier_net = list(vpc.subnets(prefixlen_diff=block.prefix_delta))[block.index]
        slots = tier_net.subnets(prefixlen_diff=SLOT_BITS)
        plan[tier] = [str(next(slots)) for _ in range(az_count)]
    return plan
