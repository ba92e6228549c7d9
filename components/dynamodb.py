"""DynamoDB: an on-demand table, optionally a global table within the jurisdiction.

Point-in-time recovery on, encrypted with a customer key, deletion protection when
protected. Replicas (`replica_regions`) make it a global table (version 2019.11.21); each
replica is encrypted with its own customer key created in the replica's region through the
`region=` argument of pulumi-aws 7 (no extra provider), and every replica region must be in
the stack's jurisdiction: a region outside it is refused before anything is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.kms import customer_key
from components.labels import DataClass, child_name, resource_tags
from components.monitoring import MonitoredResource
from components.stateful import (
    check_backup_retention,
    check_in_jurisdiction,
    stateful_options,
)

AttributeType = Literal["S", "N", "B"]
ATTRIBUTE_TYPES: tuple[str, ...] = ("S", "N", "B")
STREAM_VIEW = "NEW_AND_OLD_IMAGES"
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


@dataclass(frozen=True, kw_only=True)
class DynamoTableArgs:
    hash_key: str
    """Partition key attribute name; must be declared in `attributes`."""
    attributes: dict[str, AttributeType]
    """Key attributes (of the table and its indexes) -> type S, N or B; nothing else."""
    range_key: str | None = None
    """Sort key attribute name, declared in `attributes`; none by default."""
    region: str
    """The table's region (plain value, for the jurisdiction check of replicas)."""
    allowed_regions: list[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction; the table and every replica must be in it."""
    replica_regions: list[str] = field(default_factory=list)
    """Regions to replicate to (global table); empty (default) keeps the table regional."""
    point_in_time_recovery_days: int = 35
    """Point-in-time recovery window, 1-35 days (35, the maximum, by default)."""
    ttl_attribute: str | None = None
    """Attribute holding an expiry epoch; enables TTL when set."""
    protect: bool = True
    """Deletion protection (table and replicas), Pulumi protect and retain on delete."""
    data_class: DataClass = "user-pii"
    """`data-class` tag of the table and its replicas (default: user-pii)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the table."""

    def __post_init__(self) -> None:
        for name, kind in self.attributes.items():
            if not _ATTRIBUTE.match(name):
                raise ValueError(f"attributes: '{name}' is not an attribute name; use letters, "
                                 "digits, _ . and -")
            if kind not in ATTRIBUTE_TYPES:
                raise ValueError(f"attributes.{name}: type '{kind}' is unknown; use one of "
                                 f"{', '.join(ATTRIBUTE_TYPES)}")
        if self.range_key is not None and self.range_key == self.hash_key:
            raise ValueError(f"range_key: '{self.range_key}' is also the hash_key; use another "
                             "attribute or no range_key")
        if self.ttl_attribute is not None and not _ATTRIBUTE.match(self.ttl_attribute):
            raise ValueError(f"ttl_attribute: '{self.ttl_attribute}' is not an attribute name; "
                             "use 1-255 letters, digits, _ . and -")
        keys = [self.hash_key] + ([self.range_key] if self.range_key else [])
        for role, key in zip(("hash_key", "range_key"), keys, strict=False):
            if key not in self.attributes:
                raise ValueError(f"{role}: '{key}' is not declared in attributes; add "
                                 f"{key}: S (or N, B) to attributes")
        extra = sorted(set(self.attributes) - set(keys))
        if extra:
            raise ValueError(f"attributes: {', '.join(extra)} are not keys; DynamoDB declares "
                             "only key attributes, remove them")
        check_backup_retention("point_in_time_recovery_days", self.point_in_time_recovery_days,
                               self.protect)
        self._check_regions()

    def _check_regions(self) -> None:
        check_in_jurisdiction(self.region, self.allowed_regions, "table")
        allowed = ", ".join(self.allowed_regions)
        if len(set(self.replica_regions)) != len(self.replica_regions):
            raise ValueError("replica_regions: duplicates; list each region once")
        for replica in self.replica_regions:
            if replica == self.region:
                raise ValueError(f"replica_regions: {replica} is the table's own region; "
                                 "list only other regions")
            if replica not in self.allowed_regions:
                raise ValueError(f"replica_regions: {replica} is outside the jurisdiction "
                                 f"({allowed}) of {self.region}; replicate only to those "
                                 "regions")


class DynamoTable(pulumi.ComponentResource):
    """On-demand DynamoDB table with PITR, customer-key encryption and in-jurisdiction replicas."""

    table_name: pulumi.Output[str]
    """The table's name (the `TableName` metric dimension)."""
    table_arn: pulumi.Output[str]
    """The table's ARN."""
    stream_arn: pulumi.Output[str] | None
    """The table's stream (on when replicated), else None."""
    kms_key_arn: pulumi.Output[str]
    """Customer key encrypting the table in its own region."""
    replica_kms_key_arns: dict[str, pulumi.Output[str]]
    """Replica region -> the customer key encrypting the replica there."""
    monitored: list[MonitoredResource]
    """The table, for the `dynamodb` alarm set (dimension TableName)."""

    def __init__(self, name: str, args: DynamoTableArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:dynamodb:DynamoTable", name, None, opts)
        self.args = args
        keep = stateful_options(args.protect, self)

        key = customer_key(name, "key", description=f"{name} DynamoDB table", parent=self,
                           opts=keep)
        self.kms_key_arn = key.arn
        self.replica_kms_key_arns = {
            region: customer_key(name, f"key-{region}", description=f"{name} DynamoDB replica "
                                 f"in {region}", parent=self, region=region, opts=keep).arn
            for region in args.replica_regions
        }
        replicated = bool(args.replica_regions)
        table = aws.dynamodb.Table(
            child_name(name, "table"),
            billing_mode="PAY_PER_REQUEST",
            hash_key=args.hash_key,
            range_key=args.range_key,
            attributes=[aws.dynamodb.TableAttributeArgs(name=attr, type=kind)
                        for attr, kind in args.attributes.items()],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True, recovery_period_in_days=args.point_in_time_recovery_days),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=key.arn),
            deletion_protection_enabled=args.protect,
            ttl=(aws.dynamodb.TableTtlArgs(enabled=True, attribute_name=args.ttl_attribute)
                 if args.ttl_attribute else None),
            # Global tables replicate through the stream.
            stream_enabled=replicated,
            stream_view_type=STREAM_VIEW if replicated else None,
            replicas=[aws.dynamodb.TableReplicaArgs(
                region_name=region,
                kms_key_arn=self.replica_kms_key_arns[region],
                point_in_time_recovery=True,
                deletion_protection_enabled=args.protect,
                propagate_tags=True,
            ) for region in args.replica_regions],
            tags=resource_tags(name, args.data_class, args.tags),
            opts=keep,
        )
        self.table_name = table.name
        self.table_arn = table.arn
        self.stream_arn = table.stream_arn if replicated else None
        self.monitored = [MonitoredResource(kind="dynamodb", name=name,
                                            dimensions={"TableName": table.name})]
        self.register_outputs({
            "tableName": self.table_name,
            "tableArn": self.table_arn,
            "streamArn": self.stream_arn,
            "kmsKeyArn": self.kms_key_arn,
            "replicaKmsKeyArns": self.replica_kms_key_arns,
        })
