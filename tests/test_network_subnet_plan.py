"""The address plan: deterministic, non-overlapping, and stable when AZs are added."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.subnet_plan import MAX_AZ_SLOTS, SMALLEST_VPC_PREFIX, TIERS, carve_subnets

vpc_cidrs = st.builds(
    lambda octets, prefix: str(ipaddress.ip_network(
        (int(ipaddress.IPv4Address(bytes(octets))), prefix), strict=False)),
    st.lists(st.integers(0, 255), min_size=4, max_size=4),
    st.integers(8, SMALLEST_VPC_PREFIX))
az_counts = st.integers(1, MAX_AZ_SLOTS)


@given(vpc_cidrs, az_counts)
def test_adding_an_az_never_moves_an_existing_subnet(cidr: str, count: int) -> None:
    before = carve_subnets(cidr, count)
    for more in range(count + 1, MAX_AZ_SLOTS + 1):
        after = carve_subnets(cidr, more)
        for tier in TIERS:
            assert after[tier][:count] == before[tier]


@given(vpc_cidrs, az_counts)
def test_subnets_are_inside_the_vpc_and_disjoint(cidr: str, count: int) -> None:
    vpc = ipaddress.ip_network(cidr)
    subnets = [ipaddress.ip_network(s) for tier in TIERS for s in carve_subnets(cidr, count)[tier]]
    assert len(subnets) == len(TIERS) * count
    assert all(s.subnet_of(vpc) and s.prefixlen <= 28 for s in subnets)
    for index, subnet in enumerate(subnets):
        assert not any(subnet.overlaps(other) for other in subnets[index + 1:])


def test_prod_us_east_1_plan_is_the_documented_one() -> None:
    plan = carve_subnets("10.32.0.0/16", 3)
    assert plan["private"] == ["10.32.0.0/20", "10.32.16.0/20", "10.32.32.0/20"]
    assert plan["isolated"] == ["10.32.128.0/21", "10.32.136.0/21", "10.32.144.0/21"]
    assert plan["public"] == ["10.32.192.0/22", "10.32.196.0/22", "10.32.200.0/22"]


@pytest.mark.parametrize(("cidr", "count", "message"), [
    ("10.0.0.0/24", 3, rf"cidr_block: 10.0.0.0/24 is too small .* use a /{SMALLEST_VPC_PREFIX}"),
    ("10.0.0.1/16", 3, "does not appear to be an IPv4 or IPv6 network|has host bits set"),
    ("fd00::/48", 3, "cidr_block: fd00::/48 is not IPv4"),
    ("10.0.0.0/16", 0, "availability_zones: 0 AZs is out of range"),
    ("10.0.0.0/16", MAX_AZ_SLOTS + 1, "availability_zones: .* out of range"),
])
def test_bad_plans_name_the_field(cidr: str, count: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        carve_subnets(cidr, count)
