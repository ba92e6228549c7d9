"""The video layer of a regional stack."""

from __future__ import annotations

from stacks.context import RegionalContext


def build(ctx: RegionalContext) -> None:
    """Build the video components the profile turns on into `ctx`."""
