"""What every data store shares: protection, backups, AZ placement and generated secrets.

One mechanism each, so Aurora, DocumentDB, Redis and DynamoDB cannot drift apart:
- `stateful_options`: Pulumi `protect` + `retain_on_delete` for the resources that hold
  data (and the keys and secrets without which retained data is unreadable);
- `final_snapshot_identifier`: the snapshot taken when a protected store is deleted;
- `deletion_guard`: deletion protection plus the final snapshot of a protected cluster;
- `check_backup_retention`: at least `MIN_PROTECTED_BACKUP_DAYS` for a protected store;
- `check_form`, `check_range`, `check_instances`, `check_in_jurisdiction`: the argument
  checks the stores share, each with one wording of its refusal;
- `spread_over_zones`: explicit round-robin AZ placement of instances / cache nodes;
- `cluster_instances`: a cluster's instances over the AZs, protected but not retained;
- `store_foundation`: the customer key and workload-only security group of a networked store;
- `cluster_identifier` and `export_log_groups`: the log groups a cluster exports to, made
  before the cluster (KMS-encrypted, with retention) instead of by the service (neither);
- `generated_secret`: a pulumi-random password, handed on only as a secret and kept in a
  Secrets Manager secret encrypted with the store's customer key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.kms import customer_key
from components.labels import DataClass, child_name, resource_tags
from components.logs import LOGS_SERVICE, encrypted_log_group
from components.security_groups import workload_ingress_group

MIN_PROTECTED_BACKUP_DAYS = 7
MAX_BACKUP_DAYS = 35
MAX_CLUSTER_INSTANCES = 16
# Characters RDS and DocumentDB accept in a master password (no / " @ or space).
DB_PASSWORD_SPECIALS = "!#$%^&*()-_=+[]{}<>:?"
# Characters ElastiCache accepts in an AUTH token.
REDIS_TOKEN_SPECIALS = "!&#$^<>-"


def stateful_options(protect: bool, parent: pulumi.Resource,
                     opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """Options for a resource holding data: with `protect`, Pulumi refuses to delete it and,
    once unprotected, a delete leaves it in the account (retain_on_delete)."""
    base = pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=protect)
    return pulumi.ResourceOptions.merge(base, opts)


def final_snapshot_identifier(component: str) -> str:
    """`<component>-final-<stack>`: unique per stack and region, a valid RDS/DocumentDB/
    ElastiCache identifier (letters, digits, single hyphens)."""
    return f"{component}-final-{pulumi.get_stack()}".replace("_", "-").replace("--", "-")


def deletion_guard(component: str, protect: bool) -> dict[str, object]:
    """Cluster arguments for deletion: refused while protected, and a final snapshot taken
    (`final_snapshot_identifier`) once it goes; an unprotected store is deleted outright."""
    return {"deletion_protection": protect, "skip_final_snapshot": not protect,
            "final_snapshot_identifier": final_snapshot_identifier(component) if protect
            else None}


def check_form(field: str, value: str, ok: bool, what: str, fix: str) -> None:
    """Raise `<field>: '<value>' is not <what>; <fix>` unless `ok`."""
    if not ok:
        raise ValueError(f"{field}: '{value}' is not {what}; {fix}")


def check_range(field: str, value: int, low: int, high: int) -> None:
    """Raise ValueError naming `field` unless low <= value <= high."""
    if not low <= value <= high:
        raise ValueError(f"{field}: {value} is outside {low}-{high}; use a value in that range")


def check_instances(instance_class: str, count: int, zones: Sequence[str], multi_az: bool, *,
                    class_kind: str, class_example: str) -> None:
    """The instances of an RDS-style cluster: a `db.` class, 1-16 of them, spread as asked."""
    check_form("instance_class", instance_class, instance_class.startswith("db."),
               f"{class_kind} class", f"write it like {class_example}")
    check_range("instance_count", count, 1, MAX_CLUSTER_INSTANCES)
    check_zones(zones, count, multi_az, "instance_count")


def check_in_jurisdiction(region: str, allowed_regions: Sequence[str], what: str) -> None:
    """Raise ValueError unless `region` is one of the (non-empty) jurisdiction's regions."""
    if not allowed_regions:
        raise ValueError("allowed_regions: empty; give the regions of the stack's "
                         "jurisdiction")
    if region not in allowed_regions:
        raise ValueError(f"region: {region} is outside the jurisdiction "
                         f"({', '.join(allowed_regions)}); place the {what} in one of those "
                         "regions")


def check_backup_retention(field: str, days: int, protect: bool) -> None:
    """Raise ValueError naming `field` unless 1 <= days <= 35 and, when protected, >= 7."""
    if not 1 <= days <= MAX_BACKUP_DAYS:
        raise ValueError(f"{field}: {days} is outside 1-{MAX_BACKUP_DAYS} days; "
                         f"use a value in that range")
    if protect and days < MIN_PROTECTED_BACKUP_DAYS:
        raise ValueError(f"{field}: {days} days is too short for a protected store; use at "
                         f"least {MIN_PROTECTED_BACKUP_DAYS} or set protect=False")


def check_zones(zones: Sequence[str], count: int, multi_az: bool, what: str) -> None:
    """Raise ValueError unless `count` members over `zones` span two AZs when `multi_az`."""
    if not zones:
        raise ValueError("availability_zones: empty; give at least one AZ name")
    if len(set(zones)) != len(zones):
        raise ValueError("availability_zones: duplicates; list each AZ once")
    if multi_az and len(zones) < 2:
        raise ValueError(f"availability_zones: one AZ ({zones[0]}) cannot hold a multi-AZ "
                         f"{what}; give at least two or set multi_az=False")
    if multi_az and count < 2:
        raise ValueError(f"{what}: {count} leaves the store in one AZ; use at least 2 with "
                         "multi_az=True, or set multi_az=False")


def spread_over_zones(zones: Sequence[str], count: int) -> list[str]:
    """The AZ of each of `count` members, round-robin in address-plan order."""
    return [zones[index % len(zones)] for index in range(count)]


def cluster_instances(resource: type[pulumi.CustomResource], component: str, *,
                      parent: pulumi.Resource, zones: Sequence[str], count: int, protect: bool,
                      data_class: DataClass, tags: dict[str, str],
                      **properties: object) -> None:
    """`count` instances of a cluster (`aws.rds.ClusterInstance`, `aws.docdb.ClusterInstance`)
    named `<component>-instance-<n>`, round-robin over `zones`, the first the preferred
    failover target. Protected like the cluster (removing a reader in prod is deliberate),
    but not retained: an instance holds no data of its own."""
    for index, zone in enumerate(spread_over_zones(zones, count)):
        instance_name = child_name(component, f"instance-{index + 1}")
        resource(
            instance_name,
            availability_zone=zone,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            promotion_tier=index,
            tags=resource_tags(instance_name, data_class, tags),
            opts=pulumi.ResourceOptions(parent=parent, protect=protect),
            **properties,
        )


@dataclass(frozen=True)
class StoreFoundation:
    keep: pulumi.ResourceOptions
    """`stateful_options` of the store: for the resources holding its data."""
    key: aws.kms.Key
    """The store's customer key (kept like the data: retained data needs it)."""
    security_group: aws.ec2.SecurityGroup
    """The store's group, admitting its port from the workload groups only."""


def store_foundation(component: str, *, parent: pulumi.Resource, protect: bool,
                     key_description: str, vpc_id: pulumi.Input[str], port: int,
                     protocol: str,
                     workload_security_group_ids: Sequence[pulumi.Input[str]],
                     ) -> StoreFoundation:
    """What a store in the isolated subnets stands on: its customer key `<component>-key`
    and its security group `<component>-sg` (`protocol` on `port` from the workloads)."""
    keep = stateful_options(protect, parent)
    key = customer_key(component, "key", description=key_description, parent=parent,
                       opts=keep)
    group = workload_ingress_group(
        component, vpc_id=vpc_id, port=port,
        workload_security_group_ids=workload_security_group_ids,
        description=f"{protocol} to {component} from the workload security groups only",
        parent=parent)
    return StoreFoundation(keep=keep, key=key, security_group=group)


def cluster_identifier(component: str) -> str:
    """The cluster's physical identifier, set (not generated) so its export log groups can be
    named before it exists; the stack name keeps two stacks of one account apart."""
    return f"{component}-{pulumi.get_stack()}".lower()


def export_log_groups(component: str, *, parent: pulumi.Resource, names: Sequence[str],
                      retention_days: int, keep: pulumi.ResourceOptions,
                      ) -> list[aws.cloudwatch.LogGroup]:
    """The log groups (`names`: full CloudWatch names) a cluster exports to, with their own
    key admitting CloudWatch Logs. The cluster must depend on them: created first, they set
    encryption and retention, which the groups RDS / DocumentDB would create lack."""
    key = customer_key(component, "logs-key", description=f"{component} exported logs",
                       parent=parent, services=[LOGS_SERVICE], opts=keep)
    return [encrypted_log_group(child_name(component, f"{name.rsplit('/', 1)[-1]}-logs"),
                                log_group_name=name, retention_days=retention_days,
                                kms_key_arn=key.arn, parent=parent, opts=keep)
            for name in names]


@dataclass(frozen=True)
class GeneratedSecret:
    value: pulumi.Output[str]
    """The generated password or token (a secret Output)."""
    secret: aws.secretsmanager.Secret
    """The Secrets Manager secret holding it (JSON with `username` when given)."""


def generated_secret(component: str, role: str, *, parent: pulumi.Resource,
                     kms_key_arn: pulumi.Input[str], description: str, protect: bool,
                     specials: str = DB_PASSWORD_SPECIALS, length: int = 40,
                     username: str | None = None, extra: dict[str, pulumi.Input[str]] | None = None,
                     ) -> GeneratedSecret:
    """A random password (never plaintext: RandomPassword.result is a secret, re-wrapped to be
    sure) stored in a KMS-encrypted Secrets Manager secret for the applications."""
    password = random.RandomPassword(
        child_name(component, role), length=length, special=True, override_special=specials,
        min_lower=1, min_upper=1, min_numeric=1, opts=pulumi.ResourceOptions(parent=parent))
    value = pulumi.Output.secret(password.result)
    secret_name = child_name(component, f"{role}-secret")
    secret = aws.secretsmanager.Secret(
        secret_name, description=description, kms_key_id=kms_key_arn,
        recovery_window_in_days=30 if protect else 0,
        tags=resource_tags(secret_name), opts=stateful_options(protect, parent))
    body: dict[str, pulumi.Input[str]] = {**({"username": username} if username else {}),
                                          **(extra or {}), "password": value}
    aws.secretsmanager.SecretVersion(
        child_name(component, f"{role}-secret-version"), secret_id=secret.id,
        secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(body)),
        opts=pulumi.ResourceOptions(parent=parent))
    return GeneratedSecret(value=value, secret=secret)
