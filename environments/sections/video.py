"""Live and on-demand video knobs of an environment profile.

The component args (components/live_channel.py, components/vod_pipeline.py) validate the
details again; this model catches the profile-level mistakes with the YAML key path.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from environments.sections.base import Cidr, StrictModel


class RenditionProfile(StrictModel):
    """One rung of an adaptive-bitrate ladder."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,15}$",
                      description="Rendition name, e.g. `720p` (lower case, digits, dashes).")
    width: int = Field(ge=160, le=3840, description="Frame width in pixels (even).")
    height: int = Field(ge=90, le=2160, description="Frame height in pixels (even).")
    bitrate: int = Field(ge=100_000, le=20_000_000,
                         description="Video bitrate (live: QVBR ceiling) in bits per second.")


def _ladder(*rungs: tuple[str, int, int, int]) -> list[RenditionProfile]:
    return [RenditionProfile(name=n, width=w, height=h, bitrate=b) for n, w, h, b in rungs]


DEFAULT_LIVE_LADDER = _ladder(("1080p", 1920, 1080, 6_000_000), ("720p", 1280, 720, 3_500_000),
                              ("540p", 960, 540, 2_000_000))
DEFAULT_VOD_LADDER = _ladder(("1080p", 1920, 1080, 5_000_000), ("720p", 1280, 720, 3_000_000),
                             ("540p", 960, 540, 1_800_000), ("360p", 640, 360, 800_000))


class SpekeDrmProfile(StrictModel):
    """SPEKE v2 key server the MediaPackage endpoints encrypt with."""

    url: str = Field(pattern=r"^https://", description="SPEKE key server URL (API Gateway).")
    role_arn: str = Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/",
                          description="Role MediaPackage assumes to call the key server.")
    resource_id: str = Field(min_length=1, description="Content id sent to the key server.")


class LiveVideoProfile(StrictModel):
    enabled: bool = Field(False, description="Build the MediaLive/MediaPackage live channel.")
    channel_class: Literal["STANDARD", "SINGLE_PIPELINE"] = Field(
        "STANDARD",
        description="STANDARD runs two encoder pipelines in two AZs (default); "
        "SINGLE_PIPELINE halves the cost and has no encoder redundancy.",
    )
    input_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="Networks allowed to push RTMP to the input (the studio's egress range). "
        "Required when enabled; the world (0.0.0.0/0) is refused.",
    )
    ladder: list[RenditionProfile] = Field(
        default_factory=lambda: list(DEFAULT_LIVE_LADDER),
        description="ABR ladder encoded by MediaLive (default 1080p/720p/540p).",
    )
    startover_window_seconds: int = Field(
        7200, ge=60, le=1_209_600,
        description="How far back viewers can restart a live class (default 2 hours).",
    )
    drm: SpekeDrmProfile | None = Field(
        None, description="SPEKE DRM on the origin endpoints; null serves clear streams.")

    @field_validator("input_cidrs")
    @classmethod
    def _narrow(cls, cidrs: list[str]) -> list[str]:
        for cidr in cidrs:
            network = ipaddress.ip_network(cidr)
            if network.version != 4 or network.prefixlen < 8:
                raise ValueError(f"'{cidr}' is not a narrow IPv4 network; MediaLive allow-lists "
                                 "take IPv4 ranges of /8 or narrower (never 0.0.0.0/0)")
        return cidrs

    @model_validator(mode="after")
    def _allow_list(self) -> LiveVideoProfile:
        if self.enabled and not self.input_cidrs:
            raise ValueError("input_cidrs: empty while live video is enabled; list the "
                             "studio's egress CIDRs (e.g. 203.0.113.0/24)")
        return self


class VodProfile(StrictModel):
    enabled: bool = Field(False, description="Build the MediaConvert VOD pipeline.")
    output_transition_days: int = Field(
        30, ge=30, le=3650,
        description="Days before transcoded outputs move to STANDARD_IA (KnowledgeCity: 30; "
        "S3 refuses fewer than 30).",
    )
    renditions: list[RenditionProfile] = Field(
        default_factory=lambda: list(DEFAULT_VOD_LADDER),
        description="ABR ladder of the MediaConvert job template (HLS and DASH).",
    )
    reserved_concurrency: int = Field(
        5, ge=2, le=100,
        description="Lambda concurrency that submits jobs: the back-pressure on MediaConvert.",
    )
