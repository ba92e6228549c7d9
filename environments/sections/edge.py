"""Object storage and edge knobs of an environment profile.

Domain names may contain `{environment}` and `{region}`, filled in per stack, so one
profile serves every region (e.g. `learn-{region}.example.com`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from environments.sections.base import StrictModel


class ObjectStoreProfile(StrictModel):
    enabled: bool = Field(False, description="Build the content bucket.")
    kind: Literal["s3", "r2"] = Field("s3", description="AWS S3 or Cloudflare R2.")
    tiering: Literal["standard-ia", "intelligent-tiering", "none"] = Field(
        "standard-ia",
        description="Lifecycle tiering of current versions (R2: standard-ia = InfrequentAccess).",
    )
    tiering_after_days: int = Field(
        30, ge=30, description="Days before the tiering transition (S3 needs 30 for IA)."
    )
    noncurrent_version_expiration_days: int = Field(
        90, ge=1, description="S3: delete superseded versions after this many days."
    )
    replication: bool = Field(
        False,
        description="Replicate the content bucket to another region of the jurisdiction (DR).",
    )
    replication_region: str | None = Field(
        None,
        description="Destination of replication; None = the jurisdiction's first other region.",
    )
    cors_allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to use presigned upload URLs ({environment} and "
        "{region} are filled in).",
    )
    r2_custom_domain: str | None = Field(
        None,
        description="R2: hostname serving the content bucket through the Cloudflare zone "
        "({environment}/{region} filled in); None = not served.",
    )
    assets_bucket: bool = Field(
        True, description="A second bucket for public-content (site assets) behind the CDN."
    )
    access_log_retention_days: int = Field(
        365, ge=1, description="Expiry of S3 server access logs (and CloudFront logs)."
    )


class CdnProfile(StrictModel):
    enabled: bool = Field(False, description="Build the CDN in front of the origins.")
    kind: Literal["cloudfront", "cloudflare"] = Field("cloudfront", description="CDN provider.")
    domain_names: list[str] = Field(
        default_factory=list,
        description="Viewer hostnames ({environment}/{region} filled in); the first is the "
        "certificate's name. CloudFront needs at least one for TLSv1.2_2021.",
    )
    certificate_arn: str | None = Field(
        None, description="Existing us-east-1 ACM certificate; None = create one (DNS validated)."
    )
    route53_zone_id: str | None = Field(
        None,
        description="Route 53 zone for the certificate's DNS validation records; None = the "
        "records are exported for whoever owns the DNS.",
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        "PriceClass_All", description="CloudFront edge locations used (cost vs. latency)."
    )
    geo_restriction: Literal["none", "whitelist", "blacklist"] = Field(
        "none", description="CloudFront geo restriction type."
    )
    geo_locations: list[str] = Field(
        default_factory=list, description="ISO 3166-1 alpha-2 countries of the geo restriction."
    )
    rate_limit_per_5_minutes: int = Field(
        2000, ge=100, description="Requests per client IP per 5 minutes before the WAF blocks."
    )
    signed_urls: bool = Field(
        True, description="Video paths require signed URLs (CloudFront key group / HMAC token)."
    )
    logging: bool = Field(True, description="CloudFront standard logs to an in-region bucket.")
    segment_cache_seconds: int = Field(
        86_400, ge=1, description="Edge TTL of video segments (Cloudflare cache rules)."
    )

    @model_validator(mode="after")
    def _geo(self) -> CdnProfile:
        if self.geo_restriction != "none" and not self.geo_locations:
            raise ValueError(f"geo_locations is empty while geo_restriction is "
                             f"'{self.geo_restriction}'; list the countries or set it to none")
        return self
