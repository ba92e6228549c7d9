"""Live and on-demand video knobs of an environment profile."""

from __future__ import annotations

from pydantic import Field

from environments.sections.base import StrictModel


class LiveVideoProfile(StrictModel):
    enabled: bool = Field(False, description="Build the MediaLive/MediaPackage live channel.")


class VodProfile(StrictModel):
    enabled: bool = Field(False, description="Build the MediaConvert VOD pipeline.")
