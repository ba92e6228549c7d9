"""What a data source would answer, offline: curated where the value matters, typed otherwise.

Curated answers (zones, identity, partition, region, AMIs, default VPC and subnets, managed
prefix lists, Route 53 zones, ECR tokens, IAM policy documents) override the typed
placeholder of the function's result class (platformctl/typed_answers.py), so every field
the SDK declares is present.
Every answer the engine invents is returned with an assumption a plan lists.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platformctl import regions
from platformctl.fixtures import ACCOUNT_ID, digest
from platformctl.typed_answers import placeholder_answer

DEFAULT_VPC_CIDR = "172.31.0.0/16"


@dataclass(frozen=True)
class Answer:
    values: dict[str, Any]
    assumption: str | None
    """What was made up (None: the answer follows from the config and the inputs alone)."""


Curated = Callable[[dict[str, Any], str], Answer]


def _zones(args: dict[str, Any], region: str) -> Answer:
    zones, assumed = regions.zones(region)
    values = {"id": region, "names": list(zones.values()), "zoneIds": list(zones),
              "groupNames": [region] * len(zones), "state": args.get("state", "available")}
    note = (f"zones of {region} not recorded in environments/aws_regions.yaml; assumed "
            f"{', '.join(zones.values())}") if assumed else None
    return Answer(values, note)


def _caller_identity(args: dict[str, Any], region: str) -> Answer:
    arn = f"arn:{regions.partition_of(region).name}:iam::{ACCOUNT_ID}:user/offline-plan"
    return Answer({"id": ACCOUNT_ID, "accountId": ACCOUNT_ID, "userId": "AIDAOFFLINEPLAN",
                   "arn": arn}, f"account {ACCOUNT_ID}, caller {arn}")


def _partition(args: dict[str, Any], region: str) -> Answer:
    partition = regions.partition_of(region)
    return Answer({"id": partition.name, "partition": partition.name,
                   "dnsSuffix": partition.dns_suffix,
                   "reverseDnsPrefix": ".".join(reversed(partition.dns_suffix.split(".")))},
                  None)


def _region(args: dict[str, Any], region: str) -> Answer:
    name = args.get("region") or args.get("name") or region
    suffix = regions.partition_of(name).dns_suffix
    return Answer({"id": name, "name": name, "region": name, "description": name,
                   "endpoint": f"ec2.{name}.{suffix}"}, None)


def _ami(args: dict[str, Any], region: str) -> Answer:
    image = "ami-" + digest("ami", region, json.dumps(args, sort_keys=True, default=str))
    return Answer({"id": image, "imageId": image, "architecture": "x86_64", "state": "available",
                   "rootDeviceName": "/dev/xvda", "rootDeviceType": "ebs",
                   "virtualizationType": "hvm", "ownerId": ACCOUNT_ID, "region": region},
                  f"AMI {image} for the given filters")


def _vpc(args: dict[str, Any], region: str) -> Answer:
    vpc = args.get("id") or "vpc-" + digest("vpc", region, json.dumps(args, sort_keys=True,
                                                                      default=str))
    return Answer({"id": vpc, "cidrBlock": args.get("cidrBlock") or DEFAULT_VPC_CIDR,
                   "default": bool(args.get("default", True)), "state": "available",
                   "region": region, "ownerId": ACCOUNT_ID},
                  f"VPC {vpc} ({args.get('cidrBlock') or DEFAULT_VPC_CIDR})")


def _subnet_ids(args: dict[str, Any], region: str) -> Answer:
    zones, _ = regions.zones(region)
    ids = [f"subnet-{digest('subnet', region, zone)}" for zone in zones.values()]
    return Answer({"id": region, "ids": ids}, f"one subnet per zone of {region}: "
                  + ", ".join(ids))


def _subnet(args: dict[str, Any], region: str) -> Answer:
    zones, _ = regions.zones(region)
    zone = args.get("availabilityZone") or next(iter(zones.values()))
    subnet = args.get("id") or f"subnet-{digest('subnet', region, zone)}"
    return Answer({"id": subnet, "availabilityZone": zone, "cidrBlock": "172.31.0.0/20",
                   "vpcId": args.get("vpcId") or "vpc-" + digest("vpc", region, "{}"),
                   "region": region, "ownerId": ACCOUNT_ID}, f"subnet {subnet} in {zone}")


def _zone(args: dict[str, Any], region: str) -> Answer:
    name = str(args.get("name") or "example.com").rstrip(".") + "."
    zone = args.get("zoneId") or "Z" + digest("zone", name, length=20).upper()
    return Answer({"id": zone, "zoneId": zone, "name": name,
                   "privateZone": bool(args.get("privateZone", False)),
                   "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in range(1, 5)],
                   "arn": f"arn:aws:route53:::hostedzone/{zone}"},
                  f"hosted zone {zone} ({name}) exists")


def _prefix_list(args: dict[str, Any], region: str) -> Answer:
    # AWS-managed lists (com.amazonaws.<region>.s3, ...global.cloudfront.origin-facing) have
    # a different id in every region: the id is shaped as AWS's, the value invented.
    name = args.get("name") or "prefix-list"
    prefix_list = args.get("id") or "pl-" + digest("prefix-list", region, str(name))
    return Answer({"id": prefix_list, "name": name, "region": region, "addressFamily": "IPv4",
                   "ownerId": "AWS" if str(name).startswith("com.amazonaws.") else ACCOUNT_ID,
                   "arn": f"arn:{regions.partition_of(region).name}:ec2:{region}:aws:prefix-list/"
                          f"{prefix_list}"},
                  f"prefix list {prefix_list} ({name}) in {region}")


def _registry(region: str) -> str:
    return f"{ACCOUNT_ID}.dkr.ecr.{region}.{regions.partition_of(region).dns_suffix}"


def _ecr_token(args: dict[str, Any], region: str) -> Answer:
    password = digest("ecr-password", region, length=32)
    token = base64.b64encode(f"AWS:{password}".encode()).decode()
    return Answer({"id": region, "userName": "AWS", "password": password,
                   "authorizationToken": token, "proxyEndpoint": f"https://{_registry(region)}",
                   "expiresAt": "2030-01-01T00:00:00Z"}, "ECR login token (placeholder)")


def _ecr_credentials(args: dict[str, Any], region: str) -> Answer:
    token = base64.b64encode(b"AWS:" + digest("ecr", region, length=32).encode()).decode()
    return Answer({"id": region, "authorizationToken": token,
                   "proxyEndpoint": f"https://{_registry(region)}",
                   "expiresAt": "2030-01-01T00:00:00Z"}, "ECR login token (placeholder)")


def _policy_document(args: dict[str, Any], region: str) -> Answer:
    from platformctl.policy_document import policy_document

    document = policy_document(args)
    return Answer({"id": digest("policy", document, length=10), "json": document,
                   "minifiedJson": json.dumps(json.loads(document), separators=(",", ":"))},
                  None)


CURATED: dict[str, Curated] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _zones,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnet_ids,
    "aws:ec2/getSubnetIds:getSubnetIds": _subnet_ids,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _prefix_list,
    "aws:route53/getZone:getZone": _zone,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_token,
    "aws:ecr/getCredentials:getCredentials": _ecr_credentials,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:s3/getCanonicalUserId:getCanonicalUserId": lambda a, r: Answer(
        {"id": digest("canonical-user", ACCOUNT_ID, length=64), "displayName": "offline-plan"},
        "canonical user of the placeholder account"),
    "aws-native:index:getAccountId": lambda a, r: Answer(
        {"accountId": ACCOUNT_ID}, f"account {ACCOUNT_ID}"),
    "aws-native:index:getRegion": lambda a, r: Answer({"region": r}, None),
    "aws-native:index:getPartition": lambda a, r: Answer(
        {"partition": regions.partition_of(r).name}, None),
    "aws-native:index:getAzs": lambda a, r: Answer(
        {"azs": _zones(a, r).values["names"]}, _zones(a, r).assumption),
}


def answer(token: str, args: dict[str, Any], region: str) -> Answer:
    """The offline answer to `token`: curated over typed placeholders, else typed, else {}."""
    partition = regions.partition_of(region).name
    typed = placeholder_answer(token, region, partition)
    curated = CURATED.get(token)
    if curated is not None:
        found = curated(args, region)
        return Answer({**(typed or {}), **found.values}, found.assumption)
    if typed is not None:
        return Answer(typed, "no curated answer: every field a placeholder of its type")
    return Answer({}, "no curated answer and no typed result class: empty result")
