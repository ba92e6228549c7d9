"""Object storage and edge knobs of an environment profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from environments.sections.base import StrictModel


class ObjectStoreProfile(StrictModel):
    enabled: bool = Field(False, description="Build the content bucket.")
    kind: Literal["s3", "r2"] = Field("s3", description="AWS S3 or Cloudflare R2.")


class CdnProfile(StrictModel):
    enabled: bool = Field(False, description="Build the CDN in front of the origins.")
    kind: Literal["cloudfront", "cloudflare"] = Field("cloudfront", description="CDN provider.")
