"""Typed model of the environment data: jurisdictions, regions, profiles, one stack's spec."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from environments.sections.base import Cidr, LogRetentionDays, StrictModel
from environments.sections.compute import EcsProfile, EksProfile
from environments.sections.data import (
    AuroraProfile,
    DocumentDbProfile,
    DynamoDbProfile,
    RedisProfile,
)
from environments.sections.edge import CdnProfile, ObjectStoreProfile
from environments.sections.network import NetworkProfile
from environments.sections.observability import ObservabilityProfile
from environments.sections.video import LiveVideoProfile, VodProfile


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
    """What differs between dev, staging and prod. Defaults are the production choice."""

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
    network: NetworkProfile = NetworkProfile()
    eks: EksProfile = EksProfile()
    ecs: EcsProfile = EcsProfile()
    aurora: AuroraProfile = AuroraProfile()
    documentdb: DocumentDbProfile = DocumentDbProfile()
    redis: RedisProfile = RedisProfile()
    dynamodb: DynamoDbProfile = DynamoDbProfile()
    object_store: ObjectStoreProfile = ObjectStoreProfile()
    cdn: CdnProfile = CdnProfile()
    live_video: LiveVideoProfile = LiveVideoProfile()
    vod: VodProfile = VodProfile()
    observability: ObservabilityProfile = ObservabilityProfile()


class StackSpec(StrictModel):
    """Everything one `<env>-<region>` stack is built from."""

    stack: str
    environment: str
    region: str
    jurisdiction_name: str
    jurisdiction: Jurisdiction
    availability_zones: list[str] = Field(description="AZ names, in address-plan order.")
    vpc_cidr: Cidr
    profile: Profile
    profile_file: str | None = Field(
        None, description="Label of the profile file the stack starts from; None = "
        "environments/profiles/<environment>.yaml.")
    overrides_file: str | None = Field(
        None, description="Label of the stack file whose `platform:profile` overrides apply.")
    overridden_sections: list[str] = Field(
        default_factory=list, description="Profile sections the stack file overrides.")

    @property
    def allowed_regions(self) -> list[str]:
        return list(self.jurisdiction.regions)

    def source_of(self, section: str) -> str:
        """The file a profile `section` (e.g. `aurora` or `dynamodb.tables`) comes from."""
        top = section.split(".", 1)[0]
        if self.overrides_file is not None and top in self.overridden_sections:
            return self.overrides_file
        return self.profile_file or f"environments/profiles/{self.environment}.yaml"
