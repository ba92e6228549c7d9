"""Typed model of the environment data: jurisdictions, regions, posture profiles, a stack's spec."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from environments.fields import Cidr, LogRetentionDays, StrictModel


class Jurisdiction(StrictModel):
    regions: list[str] = Field(min_length=1, description="AWS regions restricted data may use.")
    r2_jurisdiction: Literal["default", "eu", "fedramp"] | None = Field(
        description="R2 data-residency jurisdiction; null when R2 cannot keep data here."
    )
    r2_location_hint: Literal["wnam", "enam", "weur", "eeur", "apac", "oc"] | None = None


class Region(StrictModel):
    jurisdiction: str = Field(description="Key of jurisdictions.yaml this region belongs to.")
    az_count: int = Field(ge=1, description="Availability zones the stacks here spread over.")
    vpc_cidrs: dict[str, Cidr] = Field(description="Environment name -> VPC CIDR.")


class Profile(StrictModel):
    """An environment's posture, which every blueprint reads: availability, protection,
    retention and backups. What a system is made of (its components and their sizes) is its
    blueprint's settings (stacks/blueprints/), never here. Defaults are the production choice.
    """

    availability: Literal["multi-az", "single-az"] = Field(
        "multi-az", description="Spread stateful and serving resources over AZs."
    )
    protect_stateful: bool = Field(
        True,
        description="Deletion protection, Pulumi `protect`, retain on delete and final "
        "snapshots on every data store.",
    )
    log_retention_days: LogRetentionDays = Field(
        365, description="Retention of every CloudWatch log group the stack creates.")
    backup_retention_days: int = Field(
        14, ge=1, le=35, description="Automated backup / PITR retention of the data stores "
        "(AWS allows 1-35; the policy pack wants at least 7 where data is protected).")


class StackSpec(StrictModel):
    """Everything one `<blueprint>-<env>-<region>` stack is built from, but the blueprint's
    own settings (validated by the blueprint's model, stacks/blueprints/)."""

    stack: str
    blueprint: str = Field(description="Blueprint id (`platform:blueprint` of the stack file).")
    environment: str
    scope: Literal["regional", "global"] = Field(
        "regional", description="`global`: the stack of what AWS serves from us-east-1 for "
        "every region (CloudFront, its WAF and certificates, DNS); it has no VPC.")
    region: str = Field(description="The stack's AWS region (a global stack's home region).")
    jurisdiction_name: str
    jurisdiction: Jurisdiction
    availability_zones: list[str] = Field(description="AZ names, in address-plan order.")
    vpc_cidr: Cidr | None = Field(description="The VPC's range; None for a global stack.")
    profile: Profile
    profile_file: str = Field(description="Label of the environment's profile file.")
    stack_file: str = Field(description="Label of the stack file (its settings' source).")

    @property
    def allowed_regions(self) -> list[str]:
        return list(self.jurisdiction.regions)

    @property
    def multi_az(self) -> bool:
        return self.profile.availability == "multi-az"
