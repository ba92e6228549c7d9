"""Network component under the offline engine: AZ spread, NAT strategy, endpoints, flow logs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.network import INTERFACE_ENDPOINT_SERVICES, Network, NetworkArgs
from platformctl.fixtures import ID_PREFIXES, digest
from tests.plans import PlanView, in_region, run_offline

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def plan(**overrides: Any) -> PlanView:
    args = {"cidr_block": "10.32.0.0/16", "availability_zones": ZONES, **overrides}
    return run_offline(in_region("us-east-1", lambda opts: Network(
        "network", NetworkArgs(**args), opts=opts)))


def resource_id(resource: dict[str, Any]) -> str:
    return ID_PREFIXES[resource["type"]] + digest(resource["urn"])


def subnets(view: PlanView, tier: str) -> list[dict[str, Any]]:
    return [s for s in view.of_type("aws:ec2/subnet:Subnet") if s["props"]["tags"]["tier"] == tier]


@pytest.fixture(scope="module")
def prod() -> PlanView:
    return plan()


@pytest.mark.parametrize("tier", ["public", "private", "isolated"])
def test_every_tier_has_a_subnet_in_every_az(prod: PlanView, tier: str) -> None:
    assert sorted(s["props"]["availabilityZone"] for s in subnets(prod, tier)) == ZONES
    assert not any(s["props"]["mapPublicIpOnLaunch"] for s in subnets(prod, tier))


def test_one_nat_per_az_each_in_its_own_public_subnet(prod: PlanView) -> None:
    public_ids = {resource_id(s) for s in subnets(prod, "public")}
    nats = prod.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == len(ZONES)
    assert {n["props"]["subnetId"] for n in nats} == public_ids


def test_each_private_az_routes_through_its_own_nat(prod: PlanView) -> None:
    nat_ids = {resource_id(n) for n in prod.of_type("aws:ec2/natGateway:NatGateway")}
    tables = [prod.named(f"network-private-rt-{z[-1]}") for z in ZONES]
    used = {t["props"]["routes"][0]["natGatewayId"] for t in tables}
    assert used == nat_ids


def test_isolated_subnets_have_no_internet_route(prod: PlanView) -> None:
    assert not prod.named("network-isolated-rt")["props"].get("routes")


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_gateway_endpoints_on_every_private_and_isolated_table(prod: PlanView,
                                                               service: str) -> None:
    endpoint = prod.named(f"network-{service}-endpoint")["props"]
    assert endpoint["vpcEndpointType"] == "Gateway"
    assert endpoint["serviceName"] == f"com.amazonaws.us-east-1.{service}"
    tables = [prod.named(f"network-private-rt-{z[-1]}") for z in ZONES]
    tables.append(prod.named("network-isolated-rt"))
    assert sorted(endpoint["routeTableIds"]) == sorted(resource_id(t) for t in tables)


def test_interface_endpoints_sit_in_private_subnets_behind_their_own_group(
        prod: PlanView) -> None:
    private_ids = sorted(resource_id(s) for s in subnets(prod, "private"))
    sg = prod.named("network-endpoints-sg")
    interface = [e for e in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e["props"]["vpcEndpointType"] == "Interface"]
    assert {e["props"]["serviceName"].removeprefix("com.amazonaws.us-east-1.")
            for e in interface} == set(INTERFACE_ENDPOINT_SERVICES)
    for endpoint in interface:
        assert sorted(endpoint["props"]["subnetIds"]) == private_ids
        assert endpoint["props"]["securityGroupIds"] == [resource_id(sg)]
        assert endpoint["props"]["privateDnsEnabled"] is True
    assert [r["cidrBlocks"] for r in sg["props"]["ingress"]] == [["10.32.0.0/16"]]


def test_flow_logs_go_to_a_kms_encrypted_group_with_retention(prod: PlanView) -> None:
    flow = prod.one("aws:ec2/flowLog:FlowLog")["props"]
    group = prod.named("network-flow-logs")
    assert flow["trafficType"] == "ALL"
    assert ":log-group:network-flow-logs" in flow["logDestination"]
    assert group["props"]["retentionInDays"] == 365
    assert group["props"]["kmsKeyId"].startswith("arn:aws:kms:us-east-1:")
    assert prod.named("network-flow-logs-key")["props"]["enableKeyRotation"] is True


def test_default_security_group_is_emptied(prod: PlanView) -> None:
    default = prod.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")["props"]
    assert default["ingress"] == [] and default["egress"] == []


def test_data_subnet_groups_use_the_isolated_subnets(prod: PlanView) -> None:
    isolated = sorted(resource_id(s) for s in subnets(prod, "isolated"))
    for kind in ("aws:rds/subnetGroup:SubnetGroup", "aws:docdb/subnetGroup:SubnetGroup",
                 "aws:elasticache/subnetGroup:SubnetGroup"):
        assert sorted(prod.one(kind)["props"]["subnetIds"]) == isolated


def test_single_nat_serves_every_az_and_endpoints_can_be_off() -> None:
    dev = plan(nat_strategy="single", interface_endpoints=False, log_retention_days=14)
    nats = dev.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == 1
    routes = {dev.named(f"network-private-rt-{z[-1]}")["props"]["routes"][0]["natGatewayId"]
              for z in ZONES}
    assert routes == {resource_id(nats[0])}
    assert all(e["props"]["vpcEndpointType"] == "Gateway"
               for e in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"))


def test_no_nat_leaves_private_subnets_without_egress() -> None:
    view = plan(nat_strategy="none", public_subnets=False)
    assert not view.of_type("aws:ec2/natGateway:NatGateway")
    assert not view.of_type("aws:ec2/internetGateway:InternetGateway")
    assert not subnets(view, "public")
    assert all(not view.named(f"network-private-rt-{z[-1]}")["props"].get("routes")
               for z in ZONES)


def test_adding_an_az_keeps_every_existing_subnet_and_its_name() -> None:
    def cidrs(view: PlanView) -> dict[str, str]:
        return {s["name"]: s["props"]["cidrBlock"] for s in view.of_type("aws:ec2/subnet:Subnet")}

    two, three = cidrs(plan(availability_zones=ZONES[:2])), cidrs(plan())
    assert len(three) == len(two) + 3
    assert {name: three[name] for name in two} == two


@pytest.mark.parametrize(("overrides", "message"), [
    ({"cidr_block": "10.32.0.0/24"}, r"^cidr_block: 10\.32\.0\.0/24 is too small"),
    ({"nat_strategy": "one-per-az", "public_subnets": False},
     r"^nat_strategy: 'one-per-az' needs public subnets"),
    ({"nat_strategy": "per-subnet"}, r"^nat_strategy: 'per-subnet' is unknown"),
    ({"availability_zones": []}, r"^availability_zones: empty"),
    ({"availability_zones": ["us-east-1a", "us-east-1a"]}, r"^availability_zones: duplicates"),
    ({"log_retention_days": 10}, r"^log_retention_days: 10 is not a CloudWatch Logs retention"),
    ({"interface_endpoint_services": ()}, r"^interface_endpoint_services: empty"),
    ({"availability_zones": ["us-east-1a", "us-west-2a", "us-east-1b"]},
     r"^availability_zones: us-east-1a, us-west-2a, us-east-1b share the suffix 'a'; child "
     r"resources are named by it, so list zones whose last characters differ$"),
    ({"cidr_block": "10.32.0.1/16"},
     r"^cidr_block: '10\.32\.0\.1/16' is not an IPv4 network CIDR \(10\.32\.0\.1/16 has host "
     r"bits set\); write it like 10\.32\.0\.0/16$"),
    ({"cidr_block": "10.32.0.0/"},
     r"^cidr_block: '10\.32\.0\.0/' is not an IPv4 network CIDR \('10\.32\.0\.0/' does not "
     r"appear to be an IPv4 or IPv6 network\); write it like 10\.32\.0\.0/16$"),
    ({"availability_zones": [f"us-east-1{suffix}" for suffix in "abcdefghi"]},
     r"^availability_zones: 9 AZs is out of range; use 1 to 8 AZs$"),
])
def test_invalid_args_name_the_field(overrides: dict[str, Any], message: str) -> None:
    args = {"cidr_block": "10.32.0.0/16", "availability_zones": ZONES, **overrides}
    with pytest.raises(ValueError, match=message):
        NetworkArgs(**args)



def test_flow_log_key_admits_logs_only_for_this_accounts_log_groups() -> None:
    """CloudWatch Logs is held to the encryption context AWS documents, not the account."""
    view = run_offline(in_region("us-east-1", lambda opts: Network("network", NetworkArgs(
        cidr_block="10.32.0.0/16", availability_zones=ZONES), opts=opts)))
    keys = [json.loads(k["props"]["policy"]) for k in view.of_type("aws:kms/key:Key")]
    [logs] = [s for policy in keys for s in policy["Statement"]
              if s["Principal"].get("Service") == ["logs.us-east-1.amazonaws.com"]]
    assert logs["Condition"] == {"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn":
            "arn:aws:logs:us-east-1:123456789012:log-group:*"}}
