"""What every data store shares: protection, backups, AZ placement and generated secrets.

One mechanism each, so Aurora, DocumentDB, Redis and DynamoDB cannot drift apart:
- `stateful_options`: Pulumi `protect` + `retain_on_delete` for the resources that hold
  data (and the keys and secrets without which retained data is unreadable);
- `final_snapshot_identifier`: the snapshot taken when a protected store is deleted;
- `check_backup_retention`: at least `MIN_PROTECTED_BACKUP_DAYS` for a protected store;
- `spread_over_zones`: explicit round-robin AZ placement of instances / cache nodes;
- `generated_secret`: a pulumi-random password, handed on only as a secret and kept in a
  Secrets Manager secret encrypted with the store's customer key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.labels import child_name, resource_tags

MIN_PROTECTED_BACKUP_DAYS = 7
MAX_BACKUP_DAYS = 35
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
