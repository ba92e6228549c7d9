"""AppSecrets: an application's secrets in Secrets Manager, under one customer key.

Two kinds, because AWS can rotate only what it can regenerate:
- `generated` (e.g. a JWT signing key): a random value made here, never in config; the
  application reads it, and re-running with a new `rotation_id` rotates it.
- `external` (third-party API keys, e.g. Razorpay, Cloudinary): the secret exists, encrypted,
  with no value; its owner puts the value in (`aws secretsmanager put-secret-value`), since
  only the provider can issue a new key (no AWS rotation exists for them).
Database master credentials live with their store (components/documentdb.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.kms import customer_key
from components.labels import child_name
from components.stateful import generated_secret, stateful_options

_SECRET = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True, kw_only=True)
class AppSecretsSettings:
    generated: Sequence[str] = ("jwt-signing-key",)
    """Secrets generated here (random, 64 characters)."""
    external: Sequence[str] = ()
    """Secrets whose value a third party issues; created empty, filled by their owner."""

    def __post_init__(self) -> None:
        names = [*self.generated, *self.external]
        for secret in names:
            if not _SECRET.match(secret):
                raise ValueError(f"generated: '{secret}' is not a secret name; use lowercase "
                                 "letters, digits and '-', like razorpay-api-key")
        if len(set(names)) != len(names):
            raise ValueError("external: a name is listed twice; list each secret once")


@dataclass(frozen=True, kw_only=True)
class AppSecretsArgs(AppSecretsSettings):
    protect: bool = True
    """Keep secrets (30-day recovery window) and their key on delete."""


class AppSecrets(pulumi.ComponentResource):
    """The secrets, their key, and the ARNs the application's execution role may read."""

    arns: dict[str, pulumi.Output[str]]
    """Secret name -> ARN."""
    kms_key_arn: pulumi.Output[str]
    """The customer key of every secret (the reader needs kms:Decrypt on it)."""

    def __init__(self, name: str, args: AppSecretsArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:app_secrets:AppSecrets", name, None, opts)
        keep = stateful_options(args.protect, self)
        key = customer_key(name, "key", description=f"{name} application secrets",
                           parent=self, opts=keep)
        self.kms_key_arn = key.arn
        self.arns = {}
        for secret in args.generated:
            made = generated_secret(name, secret, parent=self, kms_key_arn=key.arn,
                                    description=f"{name}: {secret} (generated)",
                                    protect=args.protect, specials="-_", length=64)
            self.arns[secret] = made.secret.arn
        for secret in args.external:
            secret_name = child_name(name, secret)
            self.arns[secret] = aws.secretsmanager.Secret(
                secret_name, description=f"{name}: {secret} (issued by a third party; put "
                "its value with `aws secretsmanager put-secret-value`)",
                kms_key_id=key.arn, recovery_window_in_days=30 if args.protect else 0,
                opts=keep).arn
        self.register_outputs({"arns": self.arns, "kmsKeyArn": self.kms_key_arn})
