"""UserPool: a Cognito user pool (e-mail sign-in, strong passwords, optional TOTP MFA,
deletion protection when protected) and one public app client (no secret: browsers and
phones cannot keep one) whose tokens an HTTP API's JWT authorizer accepts.

Access tokens carry `client_id` (ID tokens carry `aud`); an API Gateway JWT authorizer
accepts either against its audience list, so the client id is the audience. The token's
`sub` is the user's id the API acts for.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.labels import child_name, physical_name, resource_tags
from components.stateful import stateful_options


@dataclass(frozen=True, kw_only=True)
class UserPoolSettings:
    mfa: str = "OPTIONAL"
    """`ON` (every user), `OPTIONAL` (default: users may add TOTP) or `OFF`."""
    access_token_minutes: int = 60
    """Lifetime of access and ID tokens (5-1440 minutes)."""
    refresh_token_days: int = 30
    """Lifetime of refresh tokens (1-3650 days)."""

    def __post_init__(self) -> None:
        if self.mfa not in ("ON", "OPTIONAL", "OFF"):
            raise ValueError(f"mfa: '{self.mfa}' is unknown; use ON, OPTIONAL or OFF")
        if not 5 <= self.access_token_minutes <= 1440:
            raise ValueError(f"access_token_minutes: {self.access_token_minutes} is outside "
                             "Cognito's 5-1440")
        if not 1 <= self.refresh_token_days <= 3650:
            raise ValueError(f"refresh_token_days: {self.refresh_token_days} is outside "
                             "Cognito's 1-3650")


@dataclass(frozen=True, kw_only=True)
class UserPoolArgs(UserPoolSettings):
    protect: bool = True
    """Deletion protection, Pulumi protect and retain on delete (users are data)."""


class UserPool(pulumi.ComponentResource):
    """Cognito user pool + public app client."""

    user_pool_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    issuer: pulumi.Output[str]
    """`https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`."""

    def __init__(self, name: str, args: UserPoolArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:user_pool:UserPool", name, None, opts)
        pool = aws.cognito.UserPool(
            child_name(name, "pool"), name=physical_name(name, "pool", limit=128),
            username_attributes=["email"], auto_verified_attributes=["email"],
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=12, require_lowercase=True, require_uppercase=True,
                require_numbers=True, require_symbols=True,
                temporary_password_validity_days=3),
            mfa_configuration=args.mfa,
            software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                enabled=True) if args.mfa != "OFF" else None,
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(
                    name="verified_email", priority=1)]),
            deletion_protection="ACTIVE" if args.protect else "INACTIVE",
            tags=resource_tags(child_name(name, "pool"), "user-pii"),
            opts=stateful_options(args.protect, self))
        client = aws.cognito.UserPoolClient(
            child_name(name, "client"), name=child_name(name, "client"), user_pool_id=pool.id,
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED", enable_token_revocation=True,
            access_token_validity=args.access_token_minutes,
            id_token_validity=args.access_token_minutes,
            refresh_token_validity=args.refresh_token_days,
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes", id_token="minutes", refresh_token="days"),
            opts=pulumi.ResourceOptions(parent=self))
        self.user_pool_id = pool.id
        self.client_id = client.id
        # The documented issuer form (known before the pool exists, unlike `endpoint`).
        self.issuer = pulumi.Output.concat("https://cognito-idp.", AwsContext.of(self).region,
                                           ".amazonaws.com/", pool.id)
        self.register_outputs({"userPoolId": self.user_pool_id, "clientId": self.client_id,
                               "issuer": self.issuer})
